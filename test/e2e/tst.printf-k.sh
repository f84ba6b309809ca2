# printf's %k: a stack() or ustack() argument printed as the stack()
# action prints it (a newline, then one frame a line, indented), between
# the format's other text; a stack goes with %k only, and %k with a stack
# only (DTrace's message).
exec 2>&1
mask() { sed 's/+0x[0-9a-f]*/+OFF/'; }
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ printf("<%k>%d\n", ustack(3), 7); ustack(3); }' -c "$TRIGGERS/stacktrig 1" | mask
echo "status $?"
# the kernel's frames are the kernel's business: the same as stack()'s
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ printf("A%kB\n", stack(4)); printf("A"); stack(4); printf("B\n"); }' \
    -c "$TRIGGERS/stacktrig 1" > /tmp/pk.$$
echo "status $?"
a=$(sed -n '1,/^B$/p' /tmp/pk.$$); b=$(sed -n '/^B$/,$p' /tmp/pk.$$ | sed 1d)
[ "$a" = "$b" ] && echo "the same"
grep -v '^              vmlinux`[A-Za-z_0-9.]*+0x[0-9a-f]*$' /tmp/pk.$$
rm -f /tmp/pk.$$
$DTRACE -qn 'BEGIN { printf("%d\n", stack()); }'
echo "status $?"
$DTRACE -qn 'BEGIN { printf("%k\n", 1); }'
echo "status $?"
