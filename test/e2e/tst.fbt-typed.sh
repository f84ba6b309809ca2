# A clause naming args[] of fbt probes is served by fentry/fexit where the
# kernel loads them: args[] typed from the function's BTF prototype
# (ksys_mmap_pgoff's unsigned longs, which the sysargs trigger passes as
# mmap(0x10000, 4096, PROT_READ, MAP_PRIVATE, -1, 0x2000); do_sys_openat2's
# int and struct open_how *, for openat(AT_FDCWD, "/nonexistent/...",
# O_RDONLY): O_LARGEFILE is forced), on return args[1] the return value
# with the function's return type, arg0 -1; -lv shows the types.
if ! $DTRACE -xloadonly -qn 'fbt::vfs_read:entry { trace(args[2]); }' >/dev/null 2>&1; then
	echo "needs fentry: this kernel cannot load fentry programs (make check-kernel runs this test)"; exit 77
fi
$DTRACE -qn '
fbt::ksys_mmap_pgoff:entry
/pid == $target && args[0] == 0x10000/
{
	printf("%s:%s %x %d %d %d %d %x\n", probefunc, probename, args[0],
	    args[1], args[2], args[3], (int)args[4], args[5]);
}
fbt::ksys_mmap_pgoff:return
/pid == $target && (long)args[1] == -9/
{
	printf("%s:%s %d %d %u\n", probefunc, probename, arg0, arg1,
	    args[1] == 18446744073709551607);
}
fbt::do_sys_openat2:entry
/pid == $target && args[2]->flags == 0x8000/
{
	printf("%s:%s %d %x %d\n", probefunc, probename, args[0],
	    args[2]->flags, args[2]->mode);
}' -c "$TRIGGERS/sysargs"
echo "status $?"
$DTRACE -lv -n 'fbt::ksys_mmap_pgoff:' | sed -n 's/^[ \t]*\(args\[\)/\1/p'
$DTRACE -lv -n 'fbt::do_sys_openat2:entry' | sed -n 's/^[ \t]*\(args\[\)/\1/p'
