# Stacks and symbols as aggregation keys: one key per distinct stack, the
# frames one per line then the value; symbol keys reduced to their
# function (or module), so that addresses in one function count together,
# while uaddr() keys keep the address.
exec 2>&1
mask() { sed 's/+0x[0-9a-f]*/+OFF/'; }
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ @[ustack(4)] = count(); @s[usym(ucaller)] = count(); }' \
    -c "$TRIGGERS/stacktrig 3" | mask
echo "status $?"
# two stacks: inside stk_c, and at stk_b's return (in stk_a); neither
# shows a frame whose return a return probe has taken over
$DTRACE -qn 'pid$target:a.out:stk_c:4,pid$target:a.out:stk_b:return
{ @[ustack(2), probefunc] = count(); }' -c "$TRIGGERS/stacktrig 2" | mask
echo "status $?"
# two addresses in stk_b: one ufunc() key, one umod() key, two uaddr() keys
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{
	@f[ufunc(ucaller - 1)] = count(); @f[ufunc(ucaller - 2)] = count();
	@m[umod(ucaller - 1)] = count(); @m[umod(ucaller - 2)] = count();
	@a[uaddr(ucaller - 1)] = count(); @a[uaddr(ucaller - 2)] = count();
}' -c "$TRIGGERS/stacktrig 2" | mask
echo "status $?"
# a kernel stack as a key, with a user one: every firing, one key
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ @[stack(), ustack(1)] = count(); }' -c "$TRIGGERS/stacktrig 4" |
    grep -v '^              vmlinux`[A-Za-z_0-9.]*+0x[0-9a-f]*$' | mask
echo "status $?"
