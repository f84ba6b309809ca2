#!/bin/sh
# progtime.sh - run by a tracer as its traced command (dtrace -c, hold):
# runs the trigger "$PT_TRIGGER" "$PT_N", then prints, for each BPF program
# its parent (the tracer) holds, the kernel's own measure of the program's
# time per run (kernel.bpf_stats_enabled: run_time_ns / run_cnt, from the
# program fd's fdinfo), which counts the program alone, not the dispatch.
"$PT_TRIGGER" "$PT_N" >/dev/null 2>&1
for f in /proc/$PPID/fdinfo/*; do
	awk '/^run_time_ns:/ { t = $2 } /^run_cnt:/ { c = $2 }
	     END { if (c > 1000) printf "%.1f\n", t / c }' "$f"
done
