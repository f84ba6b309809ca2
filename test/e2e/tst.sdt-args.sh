# sdt arguments are the tracepoint's fields in order, each program serving
# one probe (loads at the fields' offsets): integers extended by their
# declared size and signedness (signal_generate's code is SI_TKILL, -6,
# for raise()), char arrays and __data_loc strings as addresses that
# stringof() reads (task_rename's comms, sched_process_exec's filename).
$DTRACE -qn '
sdt:task::task_rename
/pid == $target || ppid == $target/
{
	printf("%s %d %s %s %d\n", probename, arg0 == pid, stringof(arg1),
	    stringof(arg2), arg3);
}
sdt:sched::sched_process_exec
/ppid == $target/
{
	printf("%s %s %d %d\n", probename, stringof(arg0), arg1 == pid,
	    arg2 == pid);
}
sdt:signal::signal_generate
/pid == $target && arg0 != 17/
{
	printf("%s %d %d %d %s %d %d\n", probename, arg0, arg1, arg2,
	    stringof(arg3), arg5, arg6);
}' -c "$TRIGGERS/proctrig"
echo "status $?"
