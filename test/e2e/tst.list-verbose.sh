# -lv: after each probe line, its stability report in Oracle's layout
# (description and argument attributes, argument types or None), for a
# probe of each provider, named on the command line or by a script.
$DTRACE -lv -n 'dtrace:::BEGIN'
$DTRACE -lv -n 'syscall::openat:entry'
$DTRACE -lv -n 'syscall::openat:return'
$DTRACE -lv -n 'profile:::tick-1s'
printf 'syscall::openat:return\n{\n\texit(0);\n}\n' > /tmp/list-verbose.$$.d
$DTRACE -lv -s /tmp/list-verbose.$$.d
echo "status $?"
rm -f /tmp/list-verbose.$$.d
