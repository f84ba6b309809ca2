# Nothing is lost silently: with a tiny buffer and a burst of 100000
# firings, every firing is either printed or counted in DTrace's
# "dtrace: N drops on CPU M" messages, and the two add up exactly.
# The reader of dtrace's output sleeps first: dtrace blocks writing into
# a full pipe while the burst overflows the buffer, so drops are certain.
taskset -c 0 $DTRACE -x bufsize=4k -qn 'syscall::getppid:entry /pid == $target/ { printf("x\n"); }' \
	-c "$TRIGGERS/spin-getppid 100000" 2>/tmp/drops.$$.err |
	{ sleep 2; cat; } >/tmp/drops.$$.out
echo "status ${PIPESTATUS[0]}"
printed=$(grep -c '^x$' /tmp/drops.$$.out)
dropped=$(sed -n 's/^dtrace: \([0-9]*\) drops\{0,1\} on CPU 0$/\1/p' /tmp/drops.$$.err | awk '{ s += $1 } END { print s + 0 }')
echo "printed + dropped = $((printed + dropped))"
[ "$dropped" -gt 0 ] && echo "some were dropped"
grep -v '^dtrace: [0-9]* drops\{0,1\} on CPU 0$\|^$' /tmp/drops.$$.err
rm -f /tmp/drops.$$.out /tmp/drops.$$.err
