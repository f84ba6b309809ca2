# ERROR clauses run where a fault happens, in the faulting thread, as
# dtrace:::ERROR with DTrace's arguments (arg1 the enabled probe id, arg2
# the action, arg4 the fault, arg5 the address); the faulting clause is
# abandoned, the next ones run, and no error message is printed.  A fault
# inside an ERROR clause is reported as usual.
exec 2>&1
# the BPF pc depends on code generation (tst.fault-pc.sh checks it)
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
dt -qn '
BEGIN { x = *(int *)8; printf("not reached\n"); }
BEGIN { printf("still\n"); }
ERROR
{
	/* the clause part of the enabled probe id: the probe part depends
	   on the order probes were found in */
	printf("%s:%s:%s:%s epid %d/%d action %d fault %d addr %x mine %d\n",
	    probeprov, probemod, probefunc, probename, arg1 >> 16 > 0,
	    arg1 & 0xffff, arg2, arg4, arg5, pid == $pid);
}
syscall::getppid:entry /pid == $target/ { y = 1 / (arg0 - arg0); }
syscall::getppid:return /pid == $target/ { n++; }
END { printf("returns %d\n", n); }' -c "$TRIGGERS/getppid 2"
echo "status $?"
dt -qn 'BEGIN { trace(*(int *)8); } ERROR { trace(*(int *)16); }
    BEGIN { printf("after\n"); exit(0); }'
echo "status $?"
