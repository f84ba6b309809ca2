# Reading kernel memory at an address that cannot be read is DTrace's
# invalid address fault (with the address): the clause is abandoned, its
# data discarded, and the other clauses run.
exec 2>&1
# the BPF pc depends on code generation (tst.fault-pc.sh checks it)
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
dt -qn 'BEGIN { x = *(int *)8; } BEGIN { printf("still\n"); exit(0); }'
echo "status $?"
dt -qn 'BEGIN { trace(1); trace(*(long *)0x1008); }
    BEGIN { printf("next %d\n", 2); exit(0); }'
echo "status $?"
# a member of a struct at a bad address (where is the kernel's business)
dt -qn 'BEGIN { trace(((struct task_struct *)16)->pid); }
    BEGIN { exit(0); }' 2>&1 | sed 's/(0x[0-9a-f]*)/(ADDR)/'
