# kprobes-common.sh - what the fbt tests that look at the kernel's list of
# kprobes share (sourced, not a test): skip where the kernel has no
# kprobes (make check-kernel runs them), and $dbg, debugfs, mounted.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
dbg=/sys/kernel/debug
[ -e $dbg/kprobes/list ] || mount -t debugfs debugfs $dbg
