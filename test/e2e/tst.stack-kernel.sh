# stack() at a syscall probe: the kernel's syscall entry path, from where
# the tracepoint fired (the BPF program and the code that runs it are not
# shown), as vmlinux`function+0xoff frames.  Kernel stacks vary with the
# kernel: only known frames are checked, in order.
exec 2>&1
out=/tmp/stack-kernel.$$
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{
	stack();
	printf("depth %s\n", stackdepth > 2 ? "> 2" : "<= 2");
	printf("caller %s\n", caller != 0 ? "set" : "0");
}' -c "$TRIGGERS/stacktrig" > $out
echo "status $?"
grep -o 'vmlinux`\(do_syscall_64\|entry_SYSCALL_64\)' $out
grep -c '^              vmlinux`[A-Za-z_0-9.]*+0x[0-9a-f]*$' $out | awk '{ print ($1 >= 2) ? "frames ok" : "frames: " $1 }'
grep -c 'bpf' $out
grep '^depth\|^caller' $out
# stack(n) shows n frames at most; -x stackindent sets the indentation
$DTRACE -x stackindent=2 -qn 'syscall::getppid:entry /pid == $target/
{ stack(2); }' -c "$TRIGGERS/stacktrig" | sed 's/`.*/`/'
# mod() and sym() of a kernel address: the frame's module and function
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ @m[mod(caller)] = count(); }' -c "$TRIGGERS/stacktrig 3"
rm -f $out
