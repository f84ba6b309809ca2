# sched:::dequeue, enqueue and tick, on the kernel's functions (kprobes on
# the scheduling classes' enqueue_task_* and dequeue_task_*, on
# scheduler_tick or sched_tick): spin-sleep spins 50 ms of CPU time (the
# clock ticks in it) and sleeps 50 ms (it leaves its run queue, and joins
# one when woken).  args[0] and args[1] are the lwpsinfo_t and psinfo_t of
# the thread queued (tick: the one running), args[2] the cpuinfo_t of the
# run queue's CPU, enqueue's args[3] whether it goes to the head (0 or
# 1).  change-pri: tst.sched-change-pri.sh.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "needs kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -qn '
BEGIN
{
	t = d = e = 0;
}
sched:::tick
/pid == $target && !t/
{
	t = 1;
	printf("tick %d %d\n", args[0]->pr_lwpid == tid,
	    args[1]->pr_pid == pid);
}
sched:::dequeue
/args[1]->pr_pid == $target && !d/
{
	d = 1;
	printf("dequeue %d %d\n", args[0]->pr_lwpid == $target,
	    args[2]->cpu_id >= 0 && args[2]->cpu_id < $1);
}
sched:::enqueue
/args[1]->pr_pid == $target && d && !e/
{
	e = 1;
	printf("enqueue %d %d %d\n", args[0]->pr_lwpid == $target,
	    args[2]->cpu_id >= 0 && args[2]->cpu_id < $1,
	    args[3] == 0 || args[3] == 1);
}' -c "$TRIGGERS/spin-sleep" "$(getconf _NPROCESSORS_CONF)" | sort
echo "status ${PIPESTATUS[0]}"
$DTRACE -lv -n 'sched:::enqueue' -n 'sched:::dequeue' -n 'sched:::tick' |
	sed -n '/Argument Types/,/^$/p'
