# print() of a kernel struct read through a typed pointer, as Oracle DTrace
# prints it: the address, then members indented 44 columns plus one per
# level, zero members left out (the trigger resets every disposition but
# SIGUSR1's, so one k_sigaction is shown).  Kernel addresses vary: ADDR.
# Then -x printsize cutting the dump with "...", print() of a pointer to
# an integer, and a bad address, DTrace's invalid address fault.
exec 2>&1
dt() { "$DTRACE" "$@" 2>&1 | sed -e 's/0xffff[0-9a-f]*/ADDR/g' \
	-e 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
dt -qn 'syscall::getppid:entry /pid == $target/ { print(curthread->sighand); }' \
	-c "$TRIGGERS/sigtrig"
echo "status $?"
dt -x printsize=8 -qn 'syscall::getppid:entry /pid == $target/ {
	print(curthread->sighand); }' -c "$TRIGGERS/sigtrig"
echo "status $?"
dt -qn 'BEGIN { print((uint32_t *)((uint64_t)curthread->sighand + 4)); exit(0); }'
dt -qn 'BEGIN { print((struct sighand_struct *)8); }
	BEGIN { printf("still\n"); exit(0); }'
echo "status $?"
