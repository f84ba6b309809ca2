# Probes that no tracepoint can give are not listed, and a description
# naming one fails at once, saying what it needs (the end of the message,
# what this kernel lacks, differs between kernels: cut).
for p in sched:::enqueue sched:::dequeue sched:::change-pri sched:::tick \
    io:::wait-start io:::wait-done; do
	$DTRACE -qn "$p { exit(0); }" 2>&1 | sed 's/; this .*//'
	echo "status ${PIPESTATUS[0]}"
done
$DTRACE -l -n 'io:::w*' 2>&1
echo "status $?"
