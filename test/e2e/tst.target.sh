# -c runs a command, $target is its pid, dtrace exits when it does.
taskset -c 0 $DTRACE -qn 'syscall::getppid:entry /pid == $target/ { printf("%s %d\n", probefunc, pid == $target); }' -c "$TRIGGERS/getppid 3"
echo "status $?"
