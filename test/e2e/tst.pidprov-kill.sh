# kill -9 of dtrace leaves no uprobe behind: the trigger sees the int3 of
# the entry and return probes on pidt_add3 appear, then disappear once
# dtrace is killed; nothing was ever written to uprobe_events.
exec 2>&1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$TRIGGERS/pidtrig" watch >"$out" & trig=$!
$DTRACE -qn "pid$trig:a.out:pidt_add3:entry, pid$trig:a.out:pidt_add3:return {}" -p $trig >/dev/null 2>&1 & dt=$!
for i in $(seq 600); do grep -q armed "$out" && break; sleep 0.05; done
{ kill -9 $dt; wait $dt; } 2>/dev/null
wait $trig
echo "trigger status $?"
cat "$out"
echo "uprobe_events: $(wc -c </sys/kernel/tracing/uprobe_events) bytes"
