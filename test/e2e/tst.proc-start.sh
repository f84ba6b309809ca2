# proc:::exec-failure, start, lwp-start and lwp-exit on a trigger whose
# child fails to exec /nonexistent/true (ENOENT: errno 2) and then execs
# /bin/true, and which runs a thread: start fires in the child, lwp-start
# in the new thread, lwp-exit in every thread that exits (the thread, the
# child, the trigger).
$DTRACE -qn '
proc:::exec-failure
/ppid == $target/
{
	printf("%s %s %d\n", probename, execname, arg0);
}
proc:::start
/ppid == $target/
{
	printf("%s %s %d\n", probename, execname, tid == pid);
}
proc:::lwp-start
/pid == $target/
{
	printf("%s %s %d\n", probename, execname, tid == pid);
}
proc:::lwp-exit
/pid == $target || ppid == $target/
{
	printf("%s %s %d\n", probename, execname, tid == pid);
}' -c "$TRIGGERS/proctrig execfail"
echo "status $?"
# the translated arguments: create's psinfo_t of the child, signal-send's
# lwpsinfo_t/psinfo_t of the target
$DTRACE -qn '
proc:::create
/pid == $target/
{
	printf("%s %d %d %s\n", probename, args[0]->pr_pid != pid,
	    args[0]->pr_ppid == pid, args[0]->pr_fname);
}
proc:::signal-send
/pid == $target && args[2] == 10/
{
	printf("%s %d %d %s\n", probename, args[0]->pr_lwpid == args[1]->pr_pid,
	    args[1]->pr_ppid == pid, args[1]->pr_fname);
}' -c "$TRIGGERS/proctrig"
echo "status $?"
