# 32-bit (compat) syscalls are not syscall probes, as with the kernel's own
# syscall tracepoints: the trigger's child makes ia32 getppid (64, semget
# in the 64-bit table) and exit (1, write) with int $0x80 in 32-bit mode;
# only the parent's 64-bit getppid shows.  The trigger's own verdict (on
# stderr) says the 32-bit calls did run.
err=$(mktemp)
$DTRACE -qn '
syscall::semget:entry, syscall::semget:return,
syscall::getppid:entry, syscall::getppid:return
/execname == "compat32"/
{
	printf("%s:%s\n", probefunc, probename);
}
syscall::write:entry
/execname == "compat32" && arg0 != 2/
{
	printf("%s:%s\n", probefunc, probename);
}' -c "$TRIGGERS/compat32" 2>"$err"
echo "status $?"
cat "$err"
rm -f "$err"
