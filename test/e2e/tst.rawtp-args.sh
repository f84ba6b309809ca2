# rawtp probes pass the tracepoint's own arguments (its TP_PROTO), typed
# from BTF: sched_process_exec's task, old pid and binprm (the exec of
# /bin/true by the trigger's child), task_rename's task and new name (the
# trigger renames itself), signal_generate's int signal, siginfo, target
# task, group flag and result (SIGUSR1 to a child, SIGUSR2 ignored: result
# 1, SIGHUP: 0); argN is the same word untyped, and past the last
# argument it is 0.
$DTRACE -qn '
rawtp:sched::sched_process_exec
/ppid == $target/
{
	printf("%s %s %d %s %d %d\n", probemod, probename, args[1] == pid,
	    stringof(args[2]->filename), arg3, arg9);
}
rawtp:task::task_rename
/pid == $target/
{
	printf("%s %s %s -> %s\n", probemod, probename,
	    stringof(args[0]->comm), stringof(args[1]));
}
rawtp:signal::signal_generate
/pid == $target && args[0] != 17/
{
	printf("%s %s sig %d to %s, ours %d, group %d, result %d\n", probemod,
	    probename, args[0], stringof(args[2]->comm),
	    args[2]->tgid == pid, args[3], args[4]);
}' -c "$TRIGGERS/proctrig"
echo "status $?"
