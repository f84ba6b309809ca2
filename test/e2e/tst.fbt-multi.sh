# One program for many probes: fbt::__do_sys_get*:entry is attached either
# with ONE kprobe.multi link (kernels with fprobe, e.g. Debian 12's 6.12) or
# with one perf-event link per probe (6.1, whose kernel has no fprobe);
# dtrace's descriptors say which, and the count must fit the probes.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
n=$($DTRACE -l -n 'fbt::__do_sys_get*:entry' | awk 'NR > 1' | wc -l)
$DTRACE -qn 'fbt::__do_sys_get*:entry /pid == -1/ { printf("x\n"); }' &
pid=$!
links() { cat /proc/$pid/fdinfo/* 2>/dev/null | awk -v t=$1 '$1 == "link_type:" && $2 == t' | wc -l; }
for i in $(seq 100); do [ $(($(links kprobe_multi) + $(links perf))) -gt 0 ] && break; sleep 0.1; done
sleep 0.5
multi=$(links kprobe_multi) perf=$(links perf)
if [ "$multi" = 1 ] && [ "$perf" = 0 ]; then
	echo "links: ok"
elif [ "$multi" = 0 ] && [ "$perf" = "$n" ]; then
	echo "links: ok"
else
	echo "$n probes: $multi kprobe.multi links, $perf perf links"
fi
[ "$n" -gt 1 ] && echo "probes: more than one"
kill $pid
wait $pid
echo "status $?"
