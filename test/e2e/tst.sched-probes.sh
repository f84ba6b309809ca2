# The sched provider on a trigger that sleeps, then spins with a child on
# one CPU (each preempts the other) and waits for the child's exit (the
# child wakes it): each probe fires in the thread DTrace says, once shown;
# off-cpu is shown from the first sleep on (the trigger may be preempted
# before it sleeps), so that it shows sleep firing before off-cpu.
# off-cpu's and wakeup's arguments are the lwpsinfo_t and psinfo_t of the
# thread switched to / woken.
$DTRACE -qn '
BEGIN
{
	seen[""] = 0;
	pre[0] = 0;
}
sched:::sleep, sched:::off-cpu
/pid == $target && !seen[probename] &&
    (probename == "sleep" || seen["sleep"])/
{
	seen[probename] = 1;
	printf("%s %s\n", probename, execname);
}
sched:::preempt
/(pid == $target || ppid == $target) && !pre[pid == $target]/
{
	pre[pid == $target] = 1;
	n++;
}
sched:::off-cpu
/pid == $target && args[0]->pr_lwpid == tid && args[1]->pr_pid == pid/
{
	printf("off-cpu to itself\n");
}
sched:::wakeup
/args[1]->pr_pid == $target && args[0]->pr_lwpid == $target &&
    ppid == $target && !seen[probename]/
{
	seen[probename] = 1;
	printf("%s %s by child\n", probename, execname);
}
END
{
	printf("preempted: %d\n", n);
}' -c "$TRIGGERS/schedtrig"
echo "status $?"
