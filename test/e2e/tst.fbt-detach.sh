# Letting go of fbt's kprobes (attach.c): without -w the links go to the
# detached reaper with the perf events and dtrace exits at once; with -w
# dtrace closes the links itself.  Either way the probes fired (3 opens,
# 4 probes each, and the loader's), and every kprobe is gone soon after
# (counted in debugfs' list of kprobes).
. "$(dirname "$0")/kprobes-common.sh"
count() { grep -c ' do_sys_openat2+0x0\| vfs_open+0x0' $dbg/kprobes/list; }
before=$(count)
for w in "" -w; do
	$DTRACE $w -qn 'fbt::do_sys_openat2:, fbt::vfs_open: /pid == $target/
	    { @ = count(); }' -c "$TRIGGERS/openat 3" |
		awk 'NF { print "dtrace '"${w:-without -w}"': " \
		    ($1 >= 12 ? "at least 12" : $1) " firings" }'
	for i in $(seq 300); do [ "$(count)" = "$before" ] && break; sleep 0.1; done
	echo "kprobes left: $(($(count) - before))"
done
echo "kprobe_events: $(wc -l </sys/kernel/tracing/kprobe_events) lines"
