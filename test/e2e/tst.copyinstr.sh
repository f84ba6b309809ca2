# copyinstr() of a syscall's path argument (read at return, when the
# kernel has brought the page in), kept in a self-> string between the two
# probes; a bad address is DTrace's invalid address fault, and the next
# clause still runs.
exec 2>&1
# the BPF pc depends on code generation (tst.fault-pc.sh checks it)
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
dt -qn '
syscall::openat:entry /pid == $target/ { self->a = arg1; }
syscall::openat:return /pid == $target && self->a/
{
	self->path = copyinstr(self->a);
	self->a = 0;
}
syscall::openat:return /pid == $target && self->path == "/dev/null"/
{
	printf("%s %s %d\n", probefunc, self->path, arg1 >= 0);
}
syscall::openat:return /pid == $target && self->path == "/dev/null"/
{
	self->sh = copyinstr(self->a + 0x1000000, 4);
}' -c "$TRIGGERS/openat 2" 2>&1
dt -qn 'BEGIN { trace(copyinstr(8, 3)); } BEGIN { printf("still\n"); exit(0); }'
echo "status $?"
