# pid probes in a shared library of a -c command: dtrace runs the held
# command to its entry point so that libc is mapped, then enables them.
exec 2>&1
$DTRACE -qn 'pid$target:libc.so.6:atoi:entry { n++; }
pid$target::atoi:return { printf("%s %s %s %d\n", probemod, probefunc, probename, arg1); }
END { printf("%d calls\n", n); }' -c "$TRIGGERS/pidtrig 2"
echo "status $?"
# the acceptance line: count ls's mallocs (more than 10)
$DTRACE -qn 'pid$target::malloc:entry { @ = count(); }' -c 'ls /' >"$0.tmp"
awk 'NF == 1 && $1 ~ /^[0-9]+$/ { print "mallocs counted:", ($1 > 10) }' "$0.tmp"
rm -f "$0.tmp"
