# vtimestamp counts the time the thread runs, not the time it sleeps: the
# trigger spins 50 ms of CPU time and then sleeps 50 ms between two
# getppid calls.  D cannot keep values across probes yet, so awk takes the
# deltas; only booleans reach the output (awk skips the empty line dtrace
# ends with).
$DTRACE -qn '
syscall::getppid:entry
/pid == $target/
{
	printf("%d %d\n", vtimestamp, timestamp);
}' -c "$TRIGGERS/spin-sleep" | awk '
NF != 2 { next }
{ n++ }
n == 1 { v0 = $1; t0 = $2 }
n == 2 {
	v = $1 - v0; t = $2 - t0
	printf("vtimestamp delta >= 40ms: %d\n", v >= 40000000)
	printf("sleep not counted: %d\n", t - v >= 40000000)
}
END { printf("probes: %d\n", n) }'
echo "status ${PIPESTATUS[0]}"
