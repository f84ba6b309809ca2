# libc's a* and p* functions, entry and return (some 270 probes each: few
# enough for the perf-event path's two fds a probe on kernels without
# uprobe_multi; every function is tst.pid-scale.sh's): the kernel refuses
# a uprobe on pthread_spin_lock's first instruction (lock-prefixed); that
# probe is skipped and counted in one line, as DTrace skips what it cannot
# instrument, and the others trace.  A description whose only probe is
# refused still fails, naming it.
exec 2>&1
T=$TRIGGERS/pidtrig
mask() { sed -E 's/pid ?[0-9]+/pidPID/g; s/matched [0-9]+ probes/matched N probes/'; }
$DTRACE -n 'pid$target:libc.so.6:[ap]*:entry /probefunc == "atoi"/ { @[probefunc] = count(); }' -c "$T 3" 2>&1 | mask
echo "status ${PIPESTATUS[0]}"
$DTRACE -qn 'pid$target:libc.so.6:[ap]*:return /probefunc == "atoi"/ { @[probefunc, arg1] = count(); }' -c "$T 2" 2>&1 | mask
echo "status ${PIPESTATUS[0]}"
$DTRACE -n 'pid$target:libc.so.6:pthread_spin_lock:entry' -c "$T 1" 2>&1 | mask
echo "status ${PIPESTATUS[0]}"
