# sched:::change-pri, on set_user_nice (a kprobe), fires where a thread's
# nice value changes: nicetrig changes its own with nice(), setpriority()
# (once to the value it already has: no firing; once to 40, clamped to
# 19), and while SCHED_FIFO at priority 10.  args[0] and args[1] are the
# lwpsinfo_t and psinfo_t of the thread before the change (pr_nice, and
# pr_pri the kernel's priority), args[2] the new priority in pr_pri's
# units: 120 + nice, or the real-time priority (99 - 10), which a nice
# value does not move.  Changes of policy do not fire it.
exec 2>&1
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "needs kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -qn '
sched:::change-pri
/args[1]->pr_pid == $target/
{
	printf("%s %s nice %d pri %d -> %d %d\n", probename, execname,
	    args[0]->pr_nice, args[0]->pr_pri, args[2],
	    args[0]->pr_lwpid == tid);
}' -c "$TRIGGERS/nicetrig"
echo "status $?"
$DTRACE -lv -n 'sched:::change-pri' | sed -n '/Argument Types/,/^$/p'
