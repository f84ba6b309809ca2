# Entry and return of the kernel function behind getppid(2), three calls
# from the trigger; on return arg1 is the value getppid returns (our pid).
# The default output names the probes (module vmlinux).
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -qn '
fbt::__do_sys_getppid:entry
/pid == $target/
{
	printf("%s:%s:%s\n", probemod, probefunc, probename);
}
fbt::__do_sys_getppid:return
/pid == $target/
{
	printf("%s:%s:%s %d\n", probemod, probefunc, probename, arg1 == $pid);
}' -c "$TRIGGERS/getppid 3"
echo "status $?"
$DTRACE -n 'fbt:vmlinux:__do_sys_getppid:entry /pid == $target/ { trace(pid == $target); }' \
	-c "$TRIGGERS/getppid 1" 2>/dev/null | sed 's/^ *[0-9][0-9]* *4 /CPU ID /'
