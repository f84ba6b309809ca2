# -q: an empty clause prints nothing, so its program writes no record (no
# ringbuf_reserve in -S): a firing costs the probe's check alone.  Without
# -q the record is written: it prints the probe's line.
echo "-q: $($DTRACE -S -e -qn 'syscall::getppid:entry { }' 2>&1 | grep -c 'call.*ringbuf_reserve')"
echo "without: $($DTRACE -S -e -n 'syscall::getppid:entry { }' 2>&1 | grep -c 'call.*ringbuf_reserve')"
echo "pragma: $($DTRACE -S -e -n '#pragma D option quiet
syscall::getppid:entry { }' 2>&1 | grep -c 'call.*ringbuf_reserve')"
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ { }
	syscall::getppid:return /pid == $target/ { printf("return\n"); }' \
	-c "$TRIGGERS/getppid 2"
echo "status $?"
$DTRACE -n 'syscall::getppid:entry /pid == $target/ { }' \
	-c "$TRIGGERS/getppid 2" 2>/dev/null |
	sed 's/^ *[0-9][0-9]* *[0-9][0-9]* *getppid/N N getppid/'
