# A fault message ends with DTrace's "at BPF pc N": N numbers the
# instructions as -S shows them, and names the branch that found the fault
# (here right after the probe_read_kernel call that failed).  An ERROR
# clause sees the same pc in arg3.
exec 2>&1
show() {	# the instruction at pc $1 of the disassembly in $out
	echo "$out" | grep -E "^ +$1: " | sed 's/^ *[0-9]*: //; s/pc[+-][0-9]*/pc+X/'
}
out=$($DTRACE -S -qn 'BEGIN { x = *(int *)8; } BEGIN { exit(0); }' 2>&1)
pc=$(echo "$out" | sed -n 's/.* at BPF pc \([0-9]*\)$/\1/p')
echo "$out" | grep "at BPF pc" | sed 's/pc [0-9]*$/pc N/'
show $((pc - 1))
show $pc
out=$($DTRACE -S -qn 'BEGIN { x = 1 / (arg0 - arg0); } BEGIN { exit(0); }
    ERROR { printf("arg3 %d\n", arg3); }' 2>&1)
pc=$(echo "$out" | sed -n 's/^arg3 \([0-9]*\)$/\1/p')
show $pc
