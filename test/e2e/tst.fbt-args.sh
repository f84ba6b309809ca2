# Entry arguments (the six of the x86_64 calling convention) and the return
# value (arg1; arg0 is -1, the offset a kretprobe cannot know) of
# ksys_mmap_pgoff, which the sysargs trigger calls once with known values
# (mmap(0x10000, 4096, PROT_READ, MAP_PRIVATE, -1, 0x2000): EBADF).
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -qn '
fbt::ksys_mmap_pgoff:entry
/pid == $target && arg0 == 0x10000/
{
	printf("%s:%s %x %d %d %d %d %d\n", probefunc, probename, arg0, arg1,
	    arg2, arg3, arg4, arg5);
}
fbt::ksys_mmap_pgoff:return
/pid == $target && arg1 == -9/
{
	printf("%s:%s %d %d\n", probefunc, probename, arg0, arg1);
}' -c "$TRIGGERS/sysargs"
echo "status $?"
