#!/bin/bash
# run.sh - benchmarks (make bench): start-up (exec to exit and peak RSS) of
# dtrace, bpftrace (Debian's) and the floor (floor.c: load and run an empty
# BPF program), for a BEGIN one-liner and a first-syscall-hit one-liner;
# per-event cost of getppid(2) traced by each against an empty program
# attached to the same hook (hold.c).
# Medians over repeated runs; the machine is noisy, so compare ratios.
# Not a test: nothing here passes or fails.
set -u
: "${DTRACE:?}" "${TRIGGERS:?}"
here=$(cd "$(dirname "$0")" && pwd)
floor=$(mktemp /tmp/floor.XXXXXX)
trap 'rm -f "$floor"' EXIT
cc -O2 -o "$floor" "$here/floor.c" -lbpf || exit 1
runs=${RUNS:-20}

median_rss() {	# command... -> median peak RSS in KiB over 5 runs
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
	done | sort -n | sed -n 3p
}

median_ms() {	# command... -> median wall time in ms over $runs runs
	"$@" >/dev/null 2>&1	# warm-up
	for _ in $(seq "$runs"); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000 ))
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'
}

bench() {	# label, command...
	local label=$1; shift
	local ms
	ms=$(median_ms "$@")
	printf '%-44s %9s ms %9s KiB\n' "$label" "$ms" "$(median_rss "$@")"
}

printf '%-44s %12s %13s\n' "start-up (exec to exit)" "median" "peak RSS"
bench "floor: load + run an empty program" "$floor"
bench "dtrace  BEGIN { exit(0) }" "$DTRACE" -qn 'BEGIN { exit(0); }'
bench "bpftrace BEGIN { exit() }" bpftrace -e 'BEGIN { exit(); }'
bench "dtrace  first getppid hit (-c trigger)" "$DTRACE" -qn \
	'syscall::getppid:entry { exit(0); }' -c "$TRIGGERS/getppid 1"
bench "bpftrace first getppid hit (-c trigger)" bpftrace -e \
	'tracepoint:syscalls:sys_enter_getppid { exit(); }' -c "$TRIGGERS/getppid 1"

# ---- per event: getppid(2) in a loop, time per call measured inside the
# traced process (test/triggers/time-getppid.c), median of $EVRUNS runs.
hold=$(mktemp /tmp/hold.XXXXXX)
trap 'rm -f "$floor" "$hold"' EXIT
cc -O2 -o "$hold" "$here/hold.c" -lbpf || exit 1
n=${EVENTS:-1000000}
evruns=${EVRUNS:-5}
tg="$TRIGGERS/time-getppid $n"

per_call() {	# command... (its stderr has the trigger's ns/call line)
	for _ in $(seq "$evruns"); do
		"$@" 2>&1 >/dev/null | sed -n 's/^ns\/call //p'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

base=$(per_call $tg)
ev() {	# label, command...
	local label=$1; shift
	local ns
	ns=$(per_call "$@")
	printf '%-52s %8.1f %+8.1f\n' "$label" "$ns" "$(awk -v a="$ns" -v b="$base" 'BEGIN { print a - b }')"
}

echo
printf '%-52s %8s %8s\n' "per event: getppid(2), $n calls" "ns/call" "+ns"
printf '%-52s %8.1f\n' "untraced" "$base"
ev "floor: empty program on raw sys_enter" "$hold" $tg
for s in \
	'/pid == -1/ { }' \
	'{ @ = count(); }' \
	'{ @[execname] = count(); }' \
	'{ @[pid] = quantize(arg2); }'; do
	ev "dtrace  syscall::getppid:entry $s" "$DTRACE" -qn \
		"syscall::getppid:entry $s" -c "$tg"
done
for s in \
	'/pid == -1/ { }' \
	'{ @ = count(); }' \
	'{ @[comm] = count(); }' \
	'{ @[pid] = hist(0); }'; do
	ev "bpftrace sys_enter_getppid $s" bpftrace -e \
		"tracepoint:syscalls:sys_enter_getppid $s" -c "$tg"
done
