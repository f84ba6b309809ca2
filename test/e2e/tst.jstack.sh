# jstack(), jstack(n), jstack(n, strsize): ustack()'s frames (there is no
# Java stack helper on Linux to name Java frames), with a note saying so
# on stderr once per program, however many jstack() calls it has; as an
# aggregation key too.  Offsets depend on the compiler: +OFF.
mask() { sed 's/+0x[0-9a-f]*/+OFF/'; }
err=$(mktemp)
trap 'rm -f "$err"' EXIT
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{
	jstack(3); jstack(2, 100); @[jstack(1)] = count();
}' -c "$TRIGGERS/stacktrig" 2>"$err" | mask
echo "status $?"
cat "$err"
# the default depth is -x jstackframes (DTrace's 50), not ustackframes
$DTRACE -x jstackframes=2 -qn 'syscall::getppid:entry /pid == $target/ {
	jstack(); }' -c "$TRIGGERS/stacktrig" 2>/dev/null | mask
