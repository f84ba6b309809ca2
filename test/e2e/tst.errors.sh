# DTrace's compile-error messages, locations and exit statuses.
exec 2>&1
$DTRACE -n 'BEGIN { x = ; }'; echo "status $?"
$DTRACE -n 'syscall::nosuchcall:entry { exit(0); }'; echo "status $?"
$DTRACE -qn 'BEGIN { printf("%d\n"); }'; echo "status $?"
$DTRACE -qn 'BEGIN { printf("%d %s\n", 1, 2); }'; echo "status $?"
$DTRACE -qn 'BEGIN { printf("%d\n", 1, 2); }'; echo "status $?"
printf 'BEGIN\n{\n\ttrace(1 +);\n}\n' > /tmp/err.$$.d
$DTRACE -s /tmp/err.$$.d 2>&1 | sed "s|/tmp/err.$$.d|F|"; echo "status ${PIPESTATUS[0]}"
rm -f /tmp/err.$$.d
$DTRACE -xerrtags -n 'BEGIN { @a = count(); @a = sum(1); }'; echo "status $?"
$DTRACE -n 'BEGIN { exit(0); }' -x nosuchoption; echo "status $?"
$DTRACE -qn 'ERROR { printf("never runs\n"); }' -c true; echo "status $?"
$DTRACE -lv -n 'syscall::getppid:entry' >/dev/null; echo "status $?"
