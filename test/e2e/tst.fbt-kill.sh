# dtrace killed with SIGKILL leaves no kprobe behind: its probes are in the
# kernel's list of kprobes (debugfs) while it runs, and gone once it is
# dead; nothing was ever written to kprobe_events.
. "$(dirname "$0")/kprobes-common.sh"
count() { grep -c 'ksys_mmap_pgoff' $dbg/kprobes/list; }
before=$(count)
$DTRACE -qn 'fbt::ksys_mmap_pgoff:entry, fbt::ksys_mmap_pgoff:return /pid == 0/ { printf("x\n"); }' &
pid=$!
for i in $(seq 100); do [ "$(count)" = $((before + 2)) ] && break; sleep 0.1; done
echo "while dtrace runs: $(($(count) - before))"
kill -9 $pid
wait $pid 2>/dev/null
for i in $(seq 100); do [ "$(count)" = "$before" ] && break; sleep 0.1; done
echo "after kill -9: $(($(count) - before))"
echo "kprobe_events: $(wc -l </sys/kernel/tracing/kprobe_events) lines"
