# The proc provider's probes on a trigger that forks three children (one
# execs /bin/true, one is killed by SIGUSR1, one exits with status 3),
# raises an ignored SIGUSR2 and a caught SIGHUP and runs a thread: the
# probes fire in the right process with DTrace's integer arguments (exit's
# reason: 1 exited, 2 killed); the task arguments are struct task_struct
# pointers.  create is for processes, lwp-create for the thread; exit only
# for the last thread of a process.  A fatal signal reaches its target as
# SIGKILL (the kernel turns a group exit into one): signal-handle sees 9.
$DTRACE -qn '
proc:::create, proc:::lwp-create
/pid == $target/
{
	printf("%s %s %d\n", probename, execname,
	    ((struct task_struct *)arg0)->tgid != pid);
}
proc:::exec-success
/ppid == $target/
{
	printf("%s %s\n", probename, execname);
}
proc:::exit
/pid == $target || ppid == $target/
{
	printf("%s %s %d %d\n", probename, execname, arg0, pid == $target);
}
proc:::signal-send, proc:::signal-discard
/pid == $target && arg2 != 17/
{
	printf("%s %s %d %s %d\n", probename, execname, arg2,
	    ((struct task_struct *)arg1)->comm, arg0 == arg1);
}
proc:::signal-handle
/pid == $target || ppid == $target/
{
	printf("%s %s %d %d\n", probename, execname, arg0, arg2 != 0);
}' -c "$TRIGGERS/proctrig"
echo "status $?"
