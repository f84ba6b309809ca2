# SIGTERM and SIGINT stop tracing gracefully: END fires, pending output is
# printed (after the newline DTrace prints on an interrupt, even with -q),
# and dtrace exits 0.  The signal is sent once BEGIN has printed (a slow
# machine may take more than a moment to start tracing).
out=$(mktemp /tmp/signals.XXXXXX)
trap 'rm -f "$out"' EXIT
for sig in TERM INT; do
	: > "$out"
	# background jobs of a script ignore SIGINT; give dtrace the default back
	env --default-signal=INT $DTRACE -qn 'BEGIN { printf("begin\n"); } END { printf("end\n"); }' > "$out" &
	pid=$!
	for i in $(seq 600); do grep -q begin "$out" && break; sleep 0.05; done
	kill -$sig $pid
	wait $pid
	st=$?
	cat "$out"
	echo "status $st"
done
