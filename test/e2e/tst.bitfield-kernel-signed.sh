# A signed bit-field of a kernel struct from BTF (bpf_reg_state's
# iter.depth:30, next to the enum iter.state:2; kernels from 6.4 have it)
# written through a pointer into alloca()'d scratch, read back
# sign-extended, ++ and *= within its 30 bits, and the word holding both
# as the layout says.
if ! $DTRACE -qn 'BEGIN { this->p = (struct bpf_reg_state *)0; trace(this->p->iter.depth); }' \
	-e >/dev/null 2>&1; then
	echo "needs struct bpf_reg_state with iter.depth (kernels from 6.4)"
	exit 77
fi
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
