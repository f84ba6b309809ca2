# Destructive actions need -w (or the destructive option): system() runs
# its formatted command after dtrace's own output so far, raise() signals
# the traced process from the probe, stop() stops it; without -w they are
# refused at compile time.
exec 2>&1
$DTRACE -qn 'BEGIN { system("echo hello %d from %s", 42, execname); exit(0); }'
echo "status $?"
$DTRACE -wqn 'BEGIN { printf("before\n"); system("echo hello %d from %s", 42,
    execname); printf("after\n"); exit(0); }'
echo "status $?"
$DTRACE -qn '#pragma D option destructive
BEGIN { system("echo pragma"); exit(0); }'
echo "status $?"
$DTRACE -wqn 'syscall::getppid:entry /pid == $target/ { n++; raise(9); }
    END { printf("getppid calls seen: %d\n", n); }' -c "$TRIGGERS/getppid 3"
echo "status $?"
