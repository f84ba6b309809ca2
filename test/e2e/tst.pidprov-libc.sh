# pid probes in a shared library of a -c command: dtrace runs the held
# command to its entry point so that libc is mapped, then enables them.
exec 2>&1
$DTRACE -qn 'pid$target:libc.so.6:atoi:entry { n++; }
pid$target::atoi:return { printf("%s %s %s %d\n", probemod, probefunc, probename, arg1); }
END { printf("%d calls\n", n); }' -c "$TRIGGERS/pidtrig 2"
echo "status $?"
# the acceptance line, with a global for the count: ls mallocs
$DTRACE -qn 'pid$target::malloc:entry { n++; } END { printf("mallocs %d\n", n > 10); }' -c 'ls /' | grep mallocs
