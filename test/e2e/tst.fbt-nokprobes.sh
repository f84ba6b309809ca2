# On a kernel without kprobes (our 6.18 machines: CONFIG_KPROBES is off, and
# fentry programs are refused), fbt probes are listed, from kallsyms and
# BTF, but enabling one is a clear error naming what is missing.
[ -e /sys/bus/event_source/devices/kprobe ] &&
	{ echo "this kernel has kprobes (the tst.fbt-* tests run instead)"; exit 77; }
$DTRACE -l -n 'fbt::vfs_read:'
echo "status $?"
$DTRACE -n 'fbt::vfs_read:entry { trace(arg0); }' 2>&1
echo "status $?"
$DTRACE -l -n 'fbt::vfs_*:entry' | awk 'NR > 1 && $3 == "vmlinux" && $5 == "entry" { n++ } END { print (n > 10) ? "vfs_* entry probes: many" : "vfs_* entry probes: " n }'
