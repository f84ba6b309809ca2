# kill -9 of dtrace in the middle of tracing leaves nothing behind.  While
# it runs, the BPF programs, maps and links it holds are read from its
# /proc/PID/fdinfo (prog_id, map_id, link_id) and its perf events counted;
# after SIGKILL each of those ids must be gone from the kernel (the perf
# events go with the links that hold them, and the maps once no program
# uses them, which the kernel does after an RCU grace period: we wait up to
# 10 s), and no kprobe or uprobe event may have been created in tracefs
# (we never write to those files).  The script uses every kind of
# attachment this kernel allows: syscall tracepoints one by one and all of
# them, profile and tick perf events, BEGIN, self-> variables, globals,
# aggregations, and the sched_switch program of vtimestamp.
command -v bpftool >/dev/null || { echo "bpftool is not installed"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
$DTRACE -qn '
BEGIN { printf("ready\n"); }
syscall::getppid:entry { self->ts = timestamp; @c = count(); }
syscall::getppid:return /self->ts/ { @q = quantize(timestamp - self->ts); }
syscall:::entry /pid == 1/ { @s[probefunc] = count(); }
profile:::profile-97 { n++; }
profile:::tick-1s { trace(vtimestamp); }' >"$out" &
pid=$!
for i in $(seq 100); do grep -q ready "$out" && break; sleep 0.1; done
sleep 0.2	# BEGIN's output comes before the other probes are attached
ids() {	# kind (prog map link): the ids dtrace holds
	cat /proc/$pid/fdinfo/* 2>/dev/null | sed -n "s/^$1_id:[[:space:]]*//p" |
		sort -un
}
progs=$(ids prog) maps=$(ids map) links=$(ids link)
perfs=$(ls -l /proc/$pid/fd | grep -c 'perf_event\]')
ncpu=$(getconf _NPROCESSORS_ONLN)	# profile-97 has a perf event per CPU
echo "while tracing: $(echo "$progs" | wc -w) programs, $(echo "$maps" |
	wc -w) maps, $(($(echo "$links" | wc -w) - ncpu)) links and" \
	"$((perfs - ncpu)) perf events (and one more of each per CPU)"
kill -9 $pid
{ wait $pid; } 2>/dev/null
echo "dtrace: $(kill -0 $pid 2>/dev/null && echo alive || echo gone)"
left() {	# kind ids...: those still in the kernel
	local kind=$1 id; shift
	for id in "$@"; do
		bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"
	done
}
for i in $(seq 100); do
	# shellcheck disable=SC2086
	rest=$(left prog $progs; left map $maps; left link $links)
	[ -z "$rest" ] && break
	sleep 0.1
done
echo "left behind: ${rest:-nothing}"
t=/sys/kernel/tracing
echo "kprobe and uprobe events of ours: $(cat $t/kprobe_events \
	$t/uprobe_events $t/dynamic_events 2>/dev/null | grep -c 'dtrace\|dt_')"
