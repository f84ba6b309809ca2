# rawtp probes as rawtp:<group>::<event>, listed from tracefs (the events
# that are raw tracepoints), with -lv showing the argument types of the
# tracepoint's prototype from BTF (btf_trace_<event>, its first parameter
# left out); the syscalls group has no raw tracepoints of its own, and a
# function name never matches.
$DTRACE -l -n 'rawtp:sched::sched_process_exec'
$DTRACE -l -n 'rawtp:task::task_re*'
$DTRACE -lv -n 'rawtp:sched::sched_process_exec'
$DTRACE -lv -n 'rawtp:signal::signal_generate' | sed -n '/Argument Types/,$p'
$DTRACE -lv -n 'rawtp:raw_syscalls::sys_enter' | sed -n '/Argument Types/,$p'
for d in rawtp:syscalls::sys_enter_getppid rawtp:sched:foo:sched_process_exec \
    rawtp:nosuchgroup::nosuchevent 'rawtp:kprobes::*'; do
	echo "$d: $($DTRACE -l -n "$d" 2>&1 | grep -c 'No probe matches')"
done
n=$($DTRACE -l -n 'rawtp:sched::' | wc -l)
[ "$n" -gt 10 ] && echo "sched group listed"
