# One clause on three tracepoints of different layouts: one program, its
# probes told apart by the attach cookie, each argument found through the
# program's map (offset, size, sign, address or value) and read with
# bpf_probe_read_kernel; arguments past a probe's fields read 0.
$DTRACE -qn '
sdt:task::task_rename, sdt:sched::sched_process_exec,
sdt:signal::signal_generate
/(pid == $target || ppid == $target) && arg0 != 17/
{
	printf("%s %s %d %d %d\n", probename,
	    stringof(probename == "task_rename" ? arg2 :
	    probename == "sched_process_exec" ? arg0 : arg3),
	    probename == "signal_generate" ? arg2 : arg1 == pid, arg5, arg9);
}' -c "$TRIGGERS/proctrig"
echo "status $?"
