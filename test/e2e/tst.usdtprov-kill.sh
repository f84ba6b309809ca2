# kill -9 of dtrace leaves no semaphore raised: the trigger sees the kernel
# raise trig:round's semaphore when dtrace enables the probe, and lower it
# once dtrace is killed.
exec 2>&1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$TRIGGERS/usdttrig" watch >"$out" & trig=$!
$DTRACE -qn "trig$trig:::round {}" >/dev/null 2>&1 & dt=$!
for i in $(seq 600); do grep -q enabled "$out" && break; sleep 0.05; done
{ kill -9 $dt; wait $dt; } 2>/dev/null
wait $trig
echo "trigger status $?"
cat "$out"
echo "uprobe_events: $(wc -c </sys/kernel/tracing/uprobe_events) bytes"
