# SIGTERM and SIGINT stop tracing gracefully: END fires, pending output is
# printed (after the newline DTrace prints on an interrupt, even with -q),
# and dtrace exits 0.
for sig in TERM INT; do
	# background jobs of a script ignore SIGINT; give dtrace the default back
	env --default-signal=INT $DTRACE -qn 'BEGIN { printf("begin\n"); } END { printf("end\n"); }' &
	pid=$!
	sleep 0.5
	kill -$sig $pid
	wait $pid
	echo "status $?"
done
