# The pid provider at scale and with semaphores, through one uprobe_multi
# link per file where the kernel has them (a perf event each where not).
exec 2>&1
# 4000-odd uprobes as perf events need more fds than the VM of
# check-kernel allows (two a probe); uprobe_multi links came in 6.6
if ! grep -q ' bpf_uprobe_multi_link_attach$' /proc/kallsyms; then
	echo "needs uprobe_multi links (Linux 6.6)"
	exit 77
fi
T=$TRIGGERS/pidtrig
U=$TRIGGERS/usdttrig
mask() { sed -E 's/pid ?[0-9]+/pidPID/g; s/trig[0-9]+/trigPID/g'; }
# every libc function's entry and return, and the executable's entries,
# in one clause: atoi's calls and returns balance.  (Not a.out::return:
# a uretprobe on _start, which never returns, corrupts argc.)
$DTRACE -qn 'pid$target:libc.so.6::entry, pid$target:libc.so.6::return,
pid$target:a.out::entry
/probefunc == "atoi" || probefunc == "pidt_add3"/ { @[probefunc, probename] = count(); }' -c "$T 4" 2>&1 | mask
echo "status ${PIPESTATUS[0]}"
# a pid probe at an SDT note's site takes the note's semaphore as its
# reference counter: alone it raises the semaphore (trig:round's
# arguments are computed), and with the usdt probe on the same site both
# fire (the kernel refuses two counters at one place)
site=$(printf '%x' $(( $(readelf -n "$U" | awk '/Name: round/ { getline; print $2; exit }' | tr -d ,) - 0x$(nm "$U" | awk '$3 == "trig_fire" { print $1 }') )))
$DTRACE -qn "pid\$target:a.out:trig_fire:$site { n++; } END { printf(\"hits %d\n\", n); }" -c "$U 3" 2>&1 | mask
echo "status ${PIPESTATUS[0]}"
$DTRACE -qn "pid\$target:a.out:trig_fire:$site { n++; }
trig\$target:::round { printf(\"round %d %d\n\", arg0, arg1); }
END { printf(\"hits %d\n\", n); }" -c "$U 3" 2>&1 | mask
echo "status ${PIPESTATUS[0]}"
