# stack() at a kernel function's entry (fbt, where the kernel has
# kprobes): that function first, then its callers up the syscall path,
# Oracle's tst.stack_fbt check.  Frames vary with the kernel: offsets and
# compiler suffixes are masked, and only known frames are checked, in
# order.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -qn 'fbt::__do_sys_getppid:entry /pid == $target/ { stack(); }' \
    -c "$TRIGGERS/getppid 1" 2>&1 |
    sed -n 's/^ *\(vmlinux`[A-Za-z_0-9]*\).*/\1/p' |
    grep -x 'vmlinux`\(__do_sys_getppid\|do_syscall_64\|entry_SYSCALL_64[a-z_]*\)' |
    sed 's/_after_hwframe$//'
echo "status ${PIPESTATUS[0]}"
