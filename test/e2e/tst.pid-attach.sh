# -p attaches to a running process: $target is its pid, and dtrace exits
exec 2>&1
# when it does.
sleep 0.5 &
$DTRACE -qn 'syscall::clock_nanosleep:return /pid == $target/ { printf("woke %d\n", arg0); }' -p $!
echo "status $?"
$DTRACE -qn 'BEGIN { exit(0); }' -p 999999999
echo "status $?"
