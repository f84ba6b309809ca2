# proc:::exec's args[0] is the path being executed, in the exec'ing
# process, before exec-success; a path that does not exist gives
# exec-failure only (the kernel's tracepoint comes after the lookup).
if ! grep -q ' __traceiter_sched_prepare_exec$' /proc/kallsyms; then
	echo "needs the sched_prepare_exec tracepoint (Linux 6.10)"; exit 77
fi
$DTRACE -qn '
proc:::exec
/ppid == $target/
{
	printf("%s %s %s\n", probename, execname, args[0]);
}
proc:::exec-failure
/ppid == $target/
{
	printf("%s %s %d\n", probename, execname, arg0);
}
proc:::exec-success
/ppid == $target/
{
	printf("%s %s\n", probename, execname);
}' -c "$TRIGGERS/proctrig execfail"
echo "status $?"
