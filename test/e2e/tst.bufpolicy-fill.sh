# -x bufpolicy=fill: each CPU records until its buffer of -x bufsize bytes
# cannot take a record; that firing and every later one on that CPU is a
# drop, and dtrace stops tracing, prints what was recorded and runs END,
# for which room was kept: 1k less END's 24 bytes holds 41 records of 24
# (BEGIN's is not counted).  A firing that does not fit does nothing at
# all (i stops at 41), as in DTrace.  How many firings come after the
# fill before dtrace stops the command varies: the count is hidden.
taskset -c 0 $DTRACE -x bufpolicy=fill -x bufsize=1k -qn '
BEGIN { printf("begin\n"); }
syscall::getppid:entry /pid == $target/ { printf("%d\n", i++); }
END { printf("end %d\n", i); }' -c "$TRIGGERS/spin-getppid 1000" 2>/tmp/fill.$$ | tr '\n' ' '
echo "status ${PIPESTATUS[0]}"
sed 's/^dtrace: [0-9]* drops on CPU 0$/dtrace: N drops on CPU 0/' /tmp/fill.$$ | uniq
rm -f /tmp/fill.$$
# An exit() before the buffer fills ends tracing as usual; the output
# still waits for the end.
taskset -c 0 $DTRACE -x bufpolicy=fill -qn '
syscall::getppid:entry /pid == $target/ { printf("%d\n", i++); }
syscall::getppid:entry /pid == $target && i == 3/ { exit(0); }
END { printf("end\n"); }' -c "$TRIGGERS/getppid 10" | tr '\n' ' '
echo "status ${PIPESTATUS[0]}"
# END's records must fit in a CPU's buffer: DTrace's error otherwise.
$DTRACE -x bufpolicy=fill -b 16 -qn 'END { printf("%d\n", 1); }' 2>&1
echo "status $?"
