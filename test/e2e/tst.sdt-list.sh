# sdt probes as sdt:<group>::<event>, listed from tracefs: an exact name,
# a pattern, -lv with the format file's types (arrays keep their bounds,
# __data_loc strings are char[]); the syscalls group is the syscall
# provider's, and a function name never matches.
$DTRACE -l -n 'sdt:sched::sched_process_exec'
$DTRACE -l -n 'sdt:task::task_re*'
$DTRACE -lv -n 'sdt:task::task_rename'
$DTRACE -lv -n 'sdt:sched::sched_process_exec' | sed -n '/Argument Types/,$p'
for d in sdt:syscalls::sys_enter_getppid sdt:sched:foo:sched_process_exec \
    sdt:nosuchgroup::nosuchevent 'sdt:kprobes::*'; do
	echo "$d: $($DTRACE -l -n "$d" 2>&1 | grep -c 'No probe matches')"
done
n=$($DTRACE -l -n 'sdt:sched::' | wc -l)
[ "$n" -gt 10 ] && echo "sched group listed"
