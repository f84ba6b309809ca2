# printa()'s %k prints a stack() or ustack() key as stack() prints it (a
# new line, then one frame a line), the rest of the format around it.
exec 2>&1
mask() { sed 's/+0x[0-9a-f]*/+OFF/'; }
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ @[ustack(3), pid == $target] = count(); }
END { printa("[%k] %d %@u\n", @); }' -c "$TRIGGERS/stacktrig 3" | mask
echo "status $?"
