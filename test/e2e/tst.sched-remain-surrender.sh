# sched:::remain-cpu fires in a thread the scheduler keeps running (a
# trigger calling sched_yield() with, most of the time, nothing else to
# run on its CPU); sched:::surrender when a thread is told to give up
# its CPU (the trigger and its child spin on one CPU), args[] that
# thread.  Both are on bare tracepoints of recent kernels (sched_exit_tp,
# sched_set_need_resched_tp): where -l does not list them, skipped.
if [ "$($DTRACE -l -n 'sched:::remain-cpu' -n 'sched:::surrender' \
    2>/dev/null | grep -c 'remain-cpu$\|surrender$')" != 2 ]; then
	echo "needs the sched_exit_tp and sched_set_need_resched_tp tracepoints (recent kernels)"
	exit 77
fi
$DTRACE -qn '
BEGIN
{
	seen = 0;
}
sched:::remain-cpu
/pid == $target && !seen/
{
	seen = 1;
	printf("%s %s %d\n", probename, execname, tid == $target);
}' -c "$TRIGGERS/yieldtrig"
echo "status $?"
$DTRACE -qn '
BEGIN
{
	seen = 0;
}
sched:::surrender
/args[1]->pr_pid == $target && !seen/
{
	seen = 1;
	printf("%s %s %d\n", probename, args[1]->pr_fname,
	    args[0]->pr_lwpid == $target);
}' -c "$TRIGGERS/schedtrig"
echo "status $?"
