# args[] on syscall probes has the tracepoint format's types: openat's
# args[0] is an int (AT_FDCWD prints as -100, not as a 64-bit value),
# args[1] a const char * that copyinstr() reads, the return probe's args[0]
# a long; probes whose types disagree refuse args[] (arg0 stays untyped).
exec 2>&1
$DTRACE -qn '
syscall::openat:entry /pid == $target/ { self->p = args[1]; self->d = args[0]; }
syscall::openat:return /pid == $target && self->p/
{
	printf("%d %s %d\n", self->d, copyinstr((uintptr_t)self->p), args[0] >= 0);
	self->p = 0;
}' -c "$TRIGGERS/sysargs" | grep nonexistent
$DTRACE -qn 'syscall::openat:entry, syscall::getppid:entry { trace(args[0]); }'
echo "status $?"
