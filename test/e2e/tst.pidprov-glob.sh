# Globs in the module and function fields, a.out for the executable, -l
# with -c, and one program per kind of probe however many probes match.
exec 2>&1
T=$TRIGGERS/pidtrig
prov() { sed -E 's/^( *[0-9]+) +pid[0-9]+ /\1 pidPID /'; }
$DTRACE -l -n 'pid$target:a.out:pidt_*:' -c "$T 1" | prov
$DTRACE -l -n 'pid$target:libc.so.6:atoi:entry' -c "$T 1" | prov
$DTRACE -l -n 'pid$target:pidt*:pidt_[an]*:entry' -c "$T 1" | prov
$DTRACE -qn 'pid$target:a.out:pidt_*:entry { printf("%s %s\n", probemod, probefunc); }' -c "$T 2"
echo "status $?"
$DTRACE -e -S -n 'pid$target:a.out:pidt_*:entry, pid$target:a.out:pidt_*:return {}' -c "$T 1" 2>&1 | grep '^/\* program'
