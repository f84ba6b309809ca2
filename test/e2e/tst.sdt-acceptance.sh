# The acceptance test, with stringof(arg0) for args[0] (typed
# args[] and basename() are not there yet): a trigger forks a child that
# execs /bin/true.
$DTRACE -qn 'sdt:sched::sched_process_exec /ppid == $target/ { printf("%s\n", stringof(arg0)); }' -c "$TRIGGERS/proctrig exec"
echo "status $?"
