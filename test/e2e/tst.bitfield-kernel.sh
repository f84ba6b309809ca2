# Bit-fields of kernel structs from BTF: task_struct.sched_reset_on_fork
# (1 bit at a bit offset that is not a multiple of 8) read through
# curthread before and after the trigger sets SCHED_RESET_ON_FORK, other
# bits of the word unchanged (in_iowait, in_execve: 0 in a system call);
# a signed one (bpf_reg_state's iter.depth:30 next
# to the enum iter.state:2) written through a pointer into alloca()'d
# scratch, read back sign-extended, ++ and *= within its 30 bits, and the
# word holding both as the layout says.
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ {
	printf("%d %d %d\n", curthread->sched_reset_on_fork,
	    curthread->in_iowait, curthread->in_execve); }' \
	-c "$TRIGGERS/bitfields reset"
echo "status $?"
$DTRACE -qn 'BEGIN {
	this->p = (struct bpf_reg_state *)alloca(sizeof (struct bpf_reg_state));
	this->p->iter.btf_id = 0xffffffff;
	this->p->iter.depth = -5;
	this->p->iter.state = 2;
	this->w = (uint32_t *)((char *)&this->p->iter.btf_id + 4);
	printf("%d %d %x %x\n", this->p->iter.depth, this->p->iter.state,
	    *this->w, this->p->iter.btf_id);
	this->p->iter.depth++;
	this->p->iter.depth *= 0x1000000;
	printf("%d %d %x\n", this->p->iter.depth, this->p->iter.state,
	    *this->w);
	exit(0); }'
echo "status $?"
