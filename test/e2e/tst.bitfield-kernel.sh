# Bit-fields of kernel structs from BTF: task_struct.sched_reset_on_fork
# (1 bit at a bit offset that is not a multiple of 8) read through
# curthread before and after the trigger sets SCHED_RESET_ON_FORK, other
# bits of the word unchanged (in_iowait, in_execve: 0 in a system call).
# tst.bitfield-kernel-signed.sh has a signed one.
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ {
	printf("%d %d %d\n", curthread->sched_reset_on_fork,
	    curthread->in_iowait, curthread->in_execve); }' \
	-c "$TRIGGERS/bitfields reset"
echo "status $?"
