# -l of one function: its entry and return probes, module vmlinux.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -l -n 'fbt::ksys_mmap_pgoff:'
echo "status $?"
$DTRACE -l -n 'fbt:vmlinux:ksys_mmap_pgoff:return'
echo "status $?"
$DTRACE -l -n 'fbt:nosuchmodule:ksys_mmap_pgoff:return' 2>&1 >/dev/null
echo "status $?"
