# io:::wait-start and wait-done are listed where the kernel can trace
# submit_bio_wait (kprobes for the entry, fexit for the return), with the
# io provider's argument types, and a program using them attaches.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "needs kprobes and fentry (make check-kernel has them)"; exit 77; }
$DTRACE -l -n 'io:::wait*'
$DTRACE -lv -n 'io:::wait-done' | sed -n '/Argument Types/,$p'
$DTRACE -qn 'io:::wait-start, io:::wait-done { trace(arg0); }
    BEGIN { exit(0); }'
echo "status $?"
