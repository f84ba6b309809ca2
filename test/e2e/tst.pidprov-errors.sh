# pid descriptions that match nothing, and a process that does not exist.
exec 2>&1
T=$TRIGGERS/pidtrig
pidn() { sed -E 's/pid[0-9]+/pidPID/g'; }
$DTRACE -n 'pid$target:a.out:no_such_function:entry' -c "$T 1" 2>&1 | pidn
$DTRACE -n 'pid$target:no_such_object.so::entry' -c "$T 1" 2>&1 | pidn
$DTRACE -n 'pid$target:a.out:pidt_add3:ffffff' -c "$T 1" 2>&1 | pidn
$DTRACE -n 'pid$target:a.out:pidt_add3:0x1' -c "$T 1" 2>&1 | pidn
$DTRACE -n 'pid2147483646::pidt_add3:entry'
echo "status $?"
