#!/bin/sh
# progtime.sh - run by a tracer as its traced command (dtrace -c, hold):
# runs the trigger "$PT_TRIGGER" "$PT_N" (or with the arguments $PT_ARGS
# instead of "$PT_N"), then prints ("bpf-ns/run 56.7"), for each BPF program
# its parent (the tracer) holds, the kernel's own measure of the program's
# time per run (kernel.bpf_stats_enabled: run_time_ns / run_cnt, from the
# program fd's fdinfo), which counts the program alone, not the dispatch.
# shellcheck disable=SC2086
"$PT_TRIGGER" ${PT_ARGS:-"$PT_N"} >/dev/null 2>&1
for f in /proc/$PPID/fdinfo/*; do
	awk '/^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 }
	     END { if (c > 1000) printf "bpf-ns/run %.1f\n", t / c }' "$f"
done
