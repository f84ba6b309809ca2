# Where the kernel does not let BPF programs write user memory (a kernel
# in lockdown: our 6.18 machines), copyout() and copyoutstr() with -w are
# refused when tracing starts, naming the kernel's refusal; where it does
# (check-kernel's 6.1), tst.copyout.sh runs and this is skipped.
if $DTRACE -wqn 'BEGIN { copyoutstr("x", 0, 1); } BEGIN { exit(0); }' >/dev/null 2>&1; then
	echo "needs a kernel that refuses BPF programs bpf_probe_write_user"
	exit 77
fi
$DTRACE -wqn 'BEGIN { copyoutstr("x", 0, 1); } BEGIN { exit(0); }' 2>&1 |
	sed 's/in lockdown ([a-z]*),/in lockdown (MODE),/'
echo "status ${PIPESTATUS[0]}"
$DTRACE -wqn 'syscall::getppid:entry { copyout(arg0, 0, 1); }' 2>&1 |
	sed 's/in lockdown ([a-z]*),/in lockdown (MODE),/'
echo "status ${PIPESTATUS[0]}"
