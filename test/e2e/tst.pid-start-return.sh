# _start has no return probe (it never returns; a uretprobe at its entry
# would take argc for the return address and corrupt it): a.out's return
# probes leave the target's arguments intact, and naming _start's return
# matches nothing.
T=$TRIGGERS/pidtrig
$DTRACE -qn 'pid$target:a.out::return { @[probefunc] = count(); }' -c "$T 4 1"
echo "status $?"
$DTRACE -qn 'pid$target:a.out:_start:return { trace(1); }' -c "$T" 2>&1 |
	sed -E 's/pid[0-9]+/pidPID/'
echo "status ${PIPESTATUS[0]}"
