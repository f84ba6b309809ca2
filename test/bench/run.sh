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
# traced process (test/triggers/time-getppid.c), median of $EVRUNS runs;
# then the same on a uprobe (pidtrig bench: pidt_add3 called in a loop).
hold=$(mktemp /tmp/hold.XXXXXX)
trap 'rm -f "$floor" "$hold"' EXIT
cc -O2 -o "$hold" "$here/hold.c" -lbpf || exit 1
n=${EVENTS:-1000000}
un=${UEVENTS:-200000}	# uprobes trap: ~5 us each on this VM
evruns=${EVRUNS:-5}
tg="$TRIGGERS/time-getppid $n"
ptrig=$(cd "$TRIGGERS" && pwd)/pidtrig
tu="$ptrig bench $un"

median() {	# numbers on stdin -> their median
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

per_call() {	# command... (its stderr has the trigger's ns/call line)
	for _ in $(seq "$evruns"); do
		"$@" 2>&1 >/dev/null | sed -n 's/^ns\/call //p'
	done | median
}

# the file offset of a symbol of an ELF file, through its PT_LOAD segment
file_off() {	# file symbol
	local addr ty off va ms _
	addr=$(nm "$1" | awk -v s="$2" '$3 == s { print $1 }')
	readelf -lW "$1" | while read -r ty off va _ _ ms _; do
		[ "$ty" = LOAD ] || continue
		if [ $((16#$addr)) -ge $((va)) ] &&
		   [ $((16#$addr)) -lt $((va + ms)) ]; then
			echo $((16#$addr - va + off))
		fi
	done
}

ev() {	# label, baseline, command...
	local label=$1 b=$2 ns; shift 2
	ns=$(per_call "$@")
	printf '%-56s %8.1f %+8.1f\n' "$label" "$ns" \
		"$(awk -v a="$ns" -v b="$b" 'BEGIN { print a - b }')"
}

# The rows the issue asks for, dtrace's clause and bpftrace's equivalent
# (tab-separated): empty clause, false predicate, count, count by
# execname, quantize, printf.  ARG2 is the third argument where the hook
# has one (bpftrace's getppid tracepoint has none: 0 there).
rows='{ }	{ }
/pid == -1/ { }	/pid == -1/ { }
{ @ = count(); }	{ @ = count(); }
{ @[execname] = count(); }	{ @[comm] = count(); }
{ @[pid] = quantize(arg2); }	{ @[pid] = hist(ARG2); }
{ printf("%d\n", arg2); }	{ printf("%d\n", ARG2); }'

per_event() {	# title, trigger command, floor's hold arguments,
		# dtrace probe, bpftrace probe, bpftrace's ARG2
	local title=$1 trig=$2 hargs=$3 dprobe=$4 bprobe=$5 barg2=$6
	local base d b
	# shellcheck disable=SC2086
	base=$(per_call $trig)
	echo
	printf '%-56s %8s %8s\n' "$title" "ns/call" "+ns"
	printf '%-56s %8.1f\n' "untraced" "$base"
	# shellcheck disable=SC2086
	ev "floor: empty BPF program on the same hook" "$base" \
		"$hold" $hargs $trig
	while IFS='	' read -r d b; do
		ev "dtrace   $d" "$base" "$DTRACE" -qn "$dprobe $d" -c "$trig"
	done <<<"$rows"
	while IFS='	' read -r d b; do
		ev "bpftrace ${b//ARG2/$barg2}" "$base" bpftrace -e \
			"$bprobe ${b//ARG2/$barg2}" -c "$trig"
	done <<<"$rows"
}

per_event "per event: getppid(2) on syscall::getppid:entry, $n calls" \
	"$tg" "" 'syscall::getppid:entry' \
	'tracepoint:syscalls:sys_enter_getppid' 0
# shellcheck disable=SC2016
per_event "per event: uprobe on pid\$target:a.out:pidt_add3:entry, $un calls" \
	"$tu" "-u $ptrig $(file_off "$ptrig" pidt_add3)" \
	'pid$target:a.out:pidt_add3:entry' "uprobe:$ptrig:pidt_add3" arg2

# ---- BPF program time per event: the kernel's own measure (bpf_stats),
# far less noisy than the per-call times above; the median of $EVRUNS runs.
# On the syscall: progtime.sh, the traced command, runs the trigger and
# reads its parent's (the tracer's) programs' fdinfo; on the uprobe the
# trigger itself does (pidtrig bench with PT_PROGTIME).  (bpftrace's -c
# runs executables only, hence /bin/sh progtime.sh: its parent is still
# the tracer.)
prog_ns() {	# command... (run with progtime.sh as its traced command)
	for _ in $(seq "$evruns"); do
		PT_TRIGGER="$TRIGGERS/time-getppid" PT_N=$n "$@" 2>/dev/null |
			sed -n 's/^bpf-ns\/run //p' | sort -n | tail -1
	done | median
}
uprog_ns() {	# command... (pidtrig bench, the traced command)
	for _ in $(seq "$evruns"); do
		PT_PROGTIME=1 "$@" 2>&1 >/dev/null |
			sed -n 's/^bpf-ns\/run //p' | sort -n | tail -1
	done | median
}
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=1
echo
printf '%-56s %8s %8s\n' "BPF program time per run (bpf_stats)" "syscall" "uprobe"
# shellcheck disable=SC2086
printf '%-56s %8.1f %8.1f\n' "floor: empty BPF program on the same hook" \
	"$(prog_ns "$hold" "$here/progtime.sh")" \
	"$(uprog_ns "$hold" -u "$ptrig" "$(file_off "$ptrig" pidt_add3)" $tu)"
while IFS='	' read -r d b; do
	printf '%-56s %8.1f %8.1f\n' "dtrace   $d" \
		"$(prog_ns "$DTRACE" -qn "syscall::getppid:entry $d" \
			-c "$here/progtime.sh")" \
		"$(uprog_ns "$DTRACE" -qn "pid\$target:a.out:pidt_add3:entry $d" \
			-c "$tu")"
done <<<"$rows"
# count() again in a script that also has a probe that may fire inside
# another's program (tick-1s, in an interrupt): every program then marks
# its CPU busy while it runs, so that nested firings are dropped and
# counted (lower.c, lower_guard), at this cost
printf '%-56s %8.1f %8.1f\n' "dtrace   { @ = count(); }, guarded (+ tick-1s { })" \
	"$(prog_ns "$DTRACE" -qn "syscall::getppid:entry { @ = count(); }" \
		-n 'tick-1s { }' -c "$here/progtime.sh")" \
	"$(uprog_ns "$DTRACE" -qn "pid\$target:a.out:pidt_add3:entry { @ = count(); }" \
		-n 'tick-1s { }' -c "$tu")"
while IFS='	' read -r d b; do
	printf '%-56s %8.1f %8.1f\n' "bpftrace ${b//ARG2/arg2}" \
		"$(prog_ns bpftrace -e "tracepoint:syscalls:sys_enter_getppid ${b//ARG2/0}" \
			-c "/bin/sh $here/progtime.sh")" \
		"$(uprog_ns bpftrace -e "uprobe:$ptrig:pidt_add3 ${b//ARG2/arg2}" \
			-c "$tu")"
done <<<"$rows"
sysctl -q kernel.bpf_stats_enabled="$stats_was"

# ---- scale: compiling, loading and attaching many clauses and many probes.
# Each script also has a clause that exits at the trigger's first getppid,
# so exec to exit covers compile, load (verifier) and attach.  The cost per
# clause (per probe) is the slope between the smallest and the largest.
# SCALE=0 skips this section.
if [ "${SCALE:-1}" != 0 ]; then
sc=$(mktemp -d /tmp/scale.XXXXXX)
trap 'rm -f "$floor" "$hold"; rm -rf "$sc"' EXIT
clauses() {	# n -> a script of n clauses on getppid and the exit clause
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "syscall::getppid:entry /arg0 == %d/ " \
			    "{ @c[%d] = count(); }\n", i, i % 10
		print "syscall::getppid:entry /pid == $target/ { exit(0); }" }'
}
echo
printf '%-44s %9s %9s %13s\n' "scale: clauses on one probe" "-e (ms)" \
	"run (ms)" "peak RSS"
for n in 10 100 1000 3000 10000; do
	clauses "$n" >"$sc/c$n.d"
	e=$(median_ms "$DTRACE" -q -e -s "$sc/c$n.d" -p $$)	# $target
	"$DTRACE" -q -s "$sc/c$n.d" -c "$TRIGGERS/getppid 1" >/dev/null ||
		echo "dtrace $n clauses: failed"
	r=$(median_ms "$DTRACE" -q -s "$sc/c$n.d" -c "$TRIGGERS/getppid 1")
	printf '%-44s %9s %9s %9s KiB\n' "dtrace  $n clauses" "$e" "$r" \
		"$(median_rss "$DTRACE" -q -s "$sc/c$n.d" -c "$TRIGGERS/getppid 1")"
	eval "run_c$n=$r"
done
# shellcheck disable=SC2154
awk -v a="$run_c10" -v b="$run_c1000" 'BEGIN {
	printf "%-44s %9.1f us\n", "  cost per clause (10 -> 1000)", (b - a) * 1000 / 990 }'
# shellcheck disable=SC2154
awk -v a="$run_c1000" -v b="$run_c10000" 'BEGIN {
	printf "%-44s %9.1f us\n", "  cost per clause (1000 -> 10000)", (b - a) * 1000 / 9000 }'
# bpftrace: the same clauses (predicates on pid, which never match)
for n in 10 100 1000; do
	awk -v n="$n" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "tracepoint:syscalls:sys_enter_getppid " \
			    "/pid == %d/ { @c%d = count(); }\n", -i - 1, i % 10
		print "tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { exit(); }" }' \
		>"$sc/b$n.bt"
	# (it attaches one perf event program per clause: the kernel takes
	# 64 per tracepoint, bpftrace 512 probes in all)
	if ! why=$(bpftrace "$sc/b$n.bt" -c "$TRIGGERS/getppid 1" 2>&1); then
		printf '%-44s fails: %s\n' "bpftrace $n clauses" \
			"$(echo "$why" | grep -v RLIMIT_MEMLOCK |
				grep -m1 -E 'ERROR|ioctl' | cut -c1-60)"
		continue
	fi
	printf '%-44s %9s %9s %9s KiB\n' "bpftrace $n clauses" "-" \
		"$(RUNS=3 median_ms bpftrace "$sc/b$n.bt" -c "$TRIGGERS/getppid 1")" \
		"$(median_rss bpftrace "$sc/b$n.bt" -c "$TRIGGERS/getppid 1")"
done

echo
printf '%-44s %9s %9s %13s\n' "scale: probes" "probes" "run (ms)" \
	"peak RSS"
stop='syscall::getppid:return /pid == $target/ { exit(0); }'
for d in 'syscall::getppid:entry' 'syscall::read*:entry' \
	'syscall::*e*:entry' 'syscall:::entry' 'syscall:::'; do
	np=$("$DTRACE" -l -n "$d" 2>/dev/null | tail -n +2 | wc -l)
	r=$(median_ms "$DTRACE" -qn "$d /pid == \$target/ { @ = count(); } $stop" \
		-c "$TRIGGERS/getppid 1")
	printf '%-44s %9s %9s %9s KiB\n' "dtrace  $d" "$np" "$r" \
		"$(median_rss "$DTRACE" -qn "$d /pid == \$target/ { @ = count(); } $stop" \
			-c "$TRIGGERS/getppid 1")"
done
# the pid provider: entry probes on libc's functions, 1 to all of them
# (the kernel refuses pthread_spin_lock's: skipped, with a note).  Enabling
# a uprobe is the kernel's work on every process that maps libc; where the
# kernel has uprobe_multi links a program's uprobes in a file are one link.
# *per probe*: the run's time over the 1-probe run's, per probe added.
r1=
for g in 'atoi' 'str[a-n]*' '[b-d]*' '[a-q]*' '*'; do
	d="pid\$target:libc.so.6:$g:entry"
	np=$("$DTRACE" -l -n "$d" -c "$TRIGGERS/getppid 1" 2>/dev/null |
		tail -n +2 | wc -l)
	r=$(RUNS=5 median_ms "$DTRACE" -qn "$d { @ = count(); } $stop" \
		-c "$TRIGGERS/getppid 1")
	: "${r1:=$r}"
	printf '%-44s %9s %9s %9s KiB %9s us/probe\n' "dtrace  libc.so.6:$g:entry" \
		"$np" "$r" "$(median_rss "$DTRACE" -qn "$d { @ = count(); } $stop" \
			-c "$TRIGGERS/getppid 1")" \
		"$(awk -v r="$r" -v a="$r1" -v n="$np" \
			'BEGIN { if (n > 1) printf "%.1f", (r - a) * 1000 / (n - 1); else print "-" }')"
done
for d in 'tracepoint:syscalls:sys_enter_getppid' \
	'tracepoint:syscalls:sys_enter_read*' 'tracepoint:syscalls:sys_enter_*'; do
	prog="$d /pid == cpid/ { @ = count(); }
	      tracepoint:syscalls:sys_exit_getppid /pid == cpid/ { exit(); }"
	np=$(bpftrace -l "$d" 2>/dev/null | wc -l)
	printf '%-44s %9s %9s %9s KiB\n' "bpftrace ${d#tracepoint:syscalls:}" \
		"$np" "$(RUNS=3 median_ms bpftrace -e "$prog" -c "$TRIGGERS/getppid 1")" \
		"$(median_rss bpftrace -e "$prog" -c "$TRIGGERS/getppid 1")"
done
fi

# ---- output throughput: printf of $TPUT events (getppid in a loop) into a
# pipe read by grep -c; lines received, lost (not received), reported lost
# (dtrace's drops, bpftrace's "Lost N events"), and wall time per event.
# TPUT=0 skips this section.
tput=${TPUT:-20000000}
if [ "$tput" != 0 ]; then
echo
printf '%-36s %11s %11s %9s %9s\n' "throughput: printf of $tput events" \
	"received" "lost" "reported" "ns/event"
tp() {	# label, seconds the reader sleeps first, then the command
	local label=$1 pause=$2; shift 2
	local t0 t1 got err
	err=$(mktemp)
	t0=$(date +%s%N)
	# the other lines (bpftrace's "Lost N events" is on stdout) kept aside
	got=$("$@" 2>"$err" | tee >(grep -v '^0$' >>"$err") |
		{ sleep "$pause"; grep -c '^0$'; })
	t1=$(date +%s%N)
	sleep 0.5	# for tee's grep to finish
	# DTrace's "N drops on CPU M", bpftrace's "Lost N events"
	local rep
	rep=$(awk '/drops on CPU/ { s += $2 } /^Lost [0-9]+ events/ { s += $2 }
		END { print s + 0 }' "$err")
	printf '%-36s %11s %11s %9s %9.0f\n' "$label" "$got" \
		"$((tput - got))" "$rep" \
		"$(awk -v a="$t0" -v b="$t1" -v n="$tput" 'BEGIN { print (b - a) / n }')"
	rm -f "$err"
}
tp "dtrace (default options)" 0 "$DTRACE" -qn \
	'syscall::getppid:entry /pid == $target/ { printf("%d\n", arg0); }' \
	-c "$TRIGGERS/time-getppid $tput"
# a reader that does not keep up: what is lost is what is reported
tp "dtrace, the reader sleeps 1 s first" 1 "$DTRACE" -qn \
	'syscall::getppid:entry /pid == $target/ { printf("%d\n", arg0); }' \
	-c "$TRIGGERS/time-getppid $tput"
tp "dtrace -b 64k" 0 "$DTRACE" -b 64k -qn \
	'syscall::getppid:entry /pid == $target/ { printf("%d\n", arg0); }' \
	-c "$TRIGGERS/time-getppid $tput"
tp "bpftrace" 0 bpftrace -e \
	'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("%d\n", 0); }' \
	-c "$TRIGGERS/time-getppid $tput"
fi
