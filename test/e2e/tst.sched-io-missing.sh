# Probes that no tracepoint can give, on a kernel that cannot trace kernel
# functions either (no kprobes, no fentry: make check-kernel's kernel has
# both, tst.sched-queue-tick.sh, tst.sched-change-pri.sh and
# tst.io-wait*.sh test them there), are not listed, and a description
# naming one fails at once, saying what it needs and what this kernel
# lacks.  (sched:::tick has a tracepoint to fall back on:
# tst.sched-tick.sh.)
[ -e /sys/bus/event_source/devices/kprobe ] &&
	{ echo "needs a kernel without kprobes"; exit 77; }
for p in sched:::enqueue sched:::dequeue sched:::change-pri \
    io:::wait-start io:::wait-done; do
	$DTRACE -qn "$p { exit(0); }" 2>&1 | sed 's/(Operation not permitted)/(EPERM)/'
	echo "status ${PIPESTATUS[0]}"
done
$DTRACE -l -n 'io:::w*' 2>&1
echo "status $?"
