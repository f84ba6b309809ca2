# -l lists exactly the syscall tracepoints the description matches, in
# Oracle's layout, one line each, sorted by id.
out=$($DTRACE -l -n 'syscall::read*:entry')
echo "$out" | head -1
want=$(ls /sys/kernel/tracing/events/syscalls | sed -n 's/^sys_enter_\(read.*\)/syscall vmlinux \1 entry/p' | sort)
got=$(echo "$out" | awk 'NR > 1 { print $2, $3, $4, $5 }' | sort)
[ "$want" = "$got" ] && echo "the read* entry probes: ok" || { echo "want:"; echo "$want"; echo "got:"; echo "$got"; }
echo "$out" | awk 'NR > 1 { print $1 }' | sort -c -n && echo "sorted by id"
printf '%s\n' "$out" | sed -n 2p | awk '{ printf "%d %d %d %d\n", index($0, "syscall") + 6, index($0, "vmlinux") + 6, length($0) - length($5) - 1, length($1) }'
