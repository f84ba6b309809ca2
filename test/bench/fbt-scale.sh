#!/bin/bash
# fbt-scale.sh - the fbt provider's cost as the number of probes grows
# (make bench-kernel runs it inside the check-kernel VM, test/bench/kernel.sh;
# it needs a kernel with kprobes, so not this machine's).
#
# For each description, with a clause `{ @ = count(); }`:
#   probes   dtrace -l -n DESC, counted
#   compile  exec to exit of -e (match the probes, compile; nothing loaded)
#   load     exec to exit of -x loadonly (compile and through the verifier)
#   run      exec to exit of `-c true`: compile, load, attach every probe,
#            run true (the probes fire on its exec and exit), detach
#   freed    run, and then until the detached reaper (attach.c) has closed
#            the last perf event: the kernel has let go of every kprobe
#   RSS      dtrace's peak resident set (busybox time -v) in the run
#   run/p    (run - run of the first row) / (probes - its probes)
#   freed/p  the same for freed
# Medians of $RUNS runs (3; after a warm-up for compile and load), but a
# row of more than $BIG probes (200) runs once: every run waits for the
# kernel to let go of its probes, which under qemu takes ~0.1 s a probe.  METHOD=fentry instead gives
# each function a clause of its own that names args[0], which makes each
# probe an fentry program of its own where the function allows
# (providers/fbt.c).
# Not a test: nothing here passes or fails.
set -u
: "${DTRACE:?}"
RUNS=${RUNS:-3}
BIG=${BIG:-200}
METHOD=${METHOD:-kprobe}
DESCS=${DESCS:-"fbt::vfs_read:entry fbt::vfs_*:entry fbt::vfs_*:
fbt::tcp_*:entry fbt::tcp_*:"}
tmp=$(mktemp -d /tmp/fbtscale.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# DESC -> $tmp/d.d, the script of a row
script() {
	case $METHOD in
	fentry)	# a clause per function (args[] is typed per function)
		"$DTRACE" -l -n "$1" | awk 'NR > 1 && $4 !~ /\./ { printf "%s:%s:%s:%s { this->a = (uint64_t)args[0]; @ = count(); }\n", $2, $3, $4, $5 }' ;;
	*)	echo "$1 { @ = count(); }" ;;
	esac >"$tmp/d.d"
}

# DESC -> the number of probes the row enables
nprobes() {
	case $METHOD in
	fentry) wc -l <"$tmp/d.d" ;;
	*) echo $(( $("$DTRACE" -l -n "$1" 2>/dev/null | wc -l) - 1 )) ;;
	esac
}

now_us() { echo $(( ${EPOCHREALTIME/./} )); }

# Wait for dtrace's reaper (comm "dtrace-detach") to be gone.
reaped() {
	local c
	while :; do
		c=$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^dtrace-detach$')
		[ "$c" = 0 ] && return
		sleep 0.01
	done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# DESC, mode (compile|load|run) -> "wall_us freed_us rss_kib", one run
once() {
	local t0 t1 t2 st rss args=()
	case $2 in
	compile) args=(-e) ;;
	load) args=(-x loadonly) ;;
	run) args=(-c true) ;;
	esac
	t0=$(now_us)
	busybox time -v -o "$tmp/time" "$DTRACE" -q -s "$tmp/d.d" \
		"${args[@]}" >"$tmp/out" 2>"$tmp/err"
	st=$?
	t1=$(now_us)
	reaped
	t2=$(now_us)
	if [ $st != 0 ]; then
		echo "fbt-scale: $1 ($2) failed: $(head -3 "$tmp/err")" >&2
		return 1
	fi
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
	echo "$((t1 - t0)) $((t2 - t0)) $rss"
}

# DESC, mode, runs -> median "wall_us freed_us rss_kib"
measure() {
	local i
	if [ "$2" != run ] && [ "$3" -gt 1 ]; then
		once "$1" "$2" >/dev/null || return 1	# warm-up
	fi
	for i in $(seq "$3"); do
		once "$1" "$2" || return 1
	done >"$tmp/runs"
	printf '%s %s %s\n' \
		"$(cut -d' ' -f1 "$tmp/runs" | median)" \
		"$(cut -d' ' -f2 "$tmp/runs" | median)" \
		"$(cut -d' ' -f3 "$tmp/runs" | median)"
}

# us, us of the first row, probes, its probes -> ms per added probe
per() {
	awk -v t="$1" -v b="$2" -v n="$3" -v bn="$4" \
		'BEGIN { printf "%.1f", (t - b) / (n - bn) / 1000 }'
}

ms() { awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }

echo "fbt-scale: kernel $(uname -r), method $METHOD, median of $RUNS runs" \
	"(1 over $BIG probes)"
printf '%-22s %6s %8s %8s %8s %8s %8s %8s %8s\n' description probes \
	compile load run freed "RSS KiB" run/p freed/p
base=
for d in $DESCS; do
	script "$d"
	n=$(nprobes "$d")
	[ "$n" -gt 0 ] || { echo "fbt-scale: $d: no probes" >&2; continue; }
	runs=$RUNS
	[ "$n" -gt "$BIG" ] && runs=1
	c=$(measure "$d" compile "$runs") || continue
	l=$(measure "$d" load "$runs") || continue
	r=$(measure "$d" run "$runs") || continue
	read -r _ _ rss <<<"$r"
	read -r rw rf _ <<<"$r"
	pr= pf=
	if [ -z "$base" ]; then
		base="$n $rw $rf"
	else
		read -r bn bw bf <<<"$base"
		if [ "$n" -gt "$bn" ]; then
			pr=$(per "$rw" "$bw" "$n" "$bn")
			pf=$(per "$rf" "$bf" "$n" "$bn")
		fi
	fi
	printf '%-22s %6d %8s %8s %8s %8s %8s %8s %8s\n' "$d" "$n" \
		"$(ms "${c%% *}")" "$(ms "${l%% *}")" "$(ms "$rw")" \
		"$(ms "$rf")" "$rss" "$pr" "$pf"
done
echo "fbt-scale: times in ms (exec to exit); run/p, freed/p: ms per probe" \
	"over the first row"
left=$(wc -l </sys/kernel/tracing/kprobe_events)
[ "$left" = 0 ] || echo "fbt-scale: $left kprobe_events left over"
