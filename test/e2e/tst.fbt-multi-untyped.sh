# An untyped fbt clause on many functions stays one program (kprobes:
# one kprobe.multi link, or a kprobe per function), however many
# functions its description matches (a typed one, naming args[], is one
# fentry program per function: the kernel's rule).  -S shows it.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
n=$($DTRACE -S -e -n 'fbt::vfs_read*:entry { @ = count(); }' 2>&1 | grep -c '^	*[0-9]*: (95) exit')
echo "untyped: $([ "$n" -le 3 ] && echo one program)"
