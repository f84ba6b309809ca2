# Scratch space: alloca() and copyin() share -x scratchsize bytes per
# clause (256 by default, DTrace's), given back when the clause ends;
# more is DTrace's out of scratch space fault, bcopy() or copyinto() to
# memory that is not scratch space the clause was given an invalid
# address, inet_ntop() of an unknown family an illegal operation, and a
# bad user address in copyin() an invalid address.  inet_ntoa6() formats
# an in6_addr.
# (fault messages' BPF pc changes with code generation)
{
$DTRACE -qn 'BEGIN { a = alloca(200); b = alloca(56); printf("%d\n", (long)b - (long)a); }
BEGIN { a = alloca(200); b = alloca(56); c = alloca(1); }
BEGIN { a = alloca(256); printf("fits again\n"); }
BEGIN { exit(0); }'
$DTRACE -xscratchsize=1024 -qn 'BEGIN { a = alloca(1000); printf("1000 fits\n"); }
BEGIN { a = alloca(1000); b = alloca(200); }
BEGIN { exit(0); }'
$DTRACE -qn 'BEGIN { a = alloca(8); bcopy(&curthread->comm[3], a + 4, 4); printf("%s\n", stringof(a + 4)); }
BEGIN { a = alloca(8); bcopy(&curthread->comm, a + 4, 5); }
BEGIN { bcopy(&curthread->comm, (void *)curthread, 4); }
BEGIN { trace(inet_ntop(3, alloca(16))); }
BEGIN { trace(*(int *)copyin(0, 4)); }
BEGIN { exit(0); }' 2>&1 | sed 's/(0x[0-9a-f]*)/(ADDR)/; s/ at BPF pc [0-9]*$/ at BPF pc N/'
$DTRACE -qn 'BEGIN { a = (uint8_t *)alloca(16); bcopy(&curthread->comm, a, 16); bcopy(&curthread->comm, a + 8, 8);
	printf("%s\n", inet_ntoa6((void *)a)); exit(0); }'
} 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'
