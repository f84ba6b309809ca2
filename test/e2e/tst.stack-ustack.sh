# ustack() of a known chain of calls (main -> stk_a -> stk_b -> stk_c, with
# frame pointers; stk_c makes the getppid system call itself): at the
# syscall probe, at a pid probe inside stk_c and at its return, as DTrace
# prints them (a newline, then one frame per line indented by 14), with
# ucaller and the user symbol actions.  Offsets depend on the compiler:
# they are masked (+OFF); a frame without an offset is a function's start.
# The frames below main (libc's, unwound without frame pointers) are not
# checked.
exec 2>&1
mask() { sed 's/+0x[0-9a-f]*/+OFF/'; }
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{
	ustack(4);
	printf("\n");
	usym(ucaller); ufunc(ucaller); uaddr(ucaller); umod(ucaller);
	printf("\nucaller %s\n", ucaller != 0 ? "set" : "0");
	printf("ustackdepth %s\n", ustackdepth >= 4 ? ">= 4" : "< 4");
}' -c "$TRIGGERS/stacktrig" | mask
echo "status $?"
# at stk_c's entry (the function's start: no offset; the kernel finds the
# caller's frame although stk_c has not pushed its frame pointer yet), at
# an instruction after its frame is set up, and at its return
# (in two runs: a pending return probe replaces a return address on the
# stack with its trampoline's, which kernels before 6.11 or so show)
$DTRACE -qn 'pid$target:a.out:stk_c:entry { ustack(3); }' -c "$TRIGGERS/stacktrig" | mask
$DTRACE -qn 'pid$target:a.out:stk_c:4 { ustack(3); }' -c "$TRIGGERS/stacktrig" | mask
$DTRACE -qn 'pid$target:a.out:stk_c:return { ustack(3); }' -c "$TRIGGERS/stacktrig" | mask
echo "status $?"
# the default depth: every frame of the chain, whatever is below main
$DTRACE -qn 'pid$target:a.out:stk_c:return { ustack(); }' \
    -c "$TRIGGERS/stacktrig" | grep -c 'stacktrig`'
# -x ustackframes sets ustack()'s default depth; without -q a stack
# follows the probe line, and the record's newline ends it
$DTRACE -x ustackframes=2 -n 'pid$target:a.out:stk_c:return { ustack(); }' \
    -c "$TRIGGERS/stacktrig" 2>/dev/null | mask | sed '/:return/s/^ *[0-9]* *[0-9]* /CPU ID /'
echo "status $?"
