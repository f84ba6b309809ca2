# A division by zero at run time is a fault: the clause's record is
# discarded, DTrace's error line names the enabled probe, the probe and the
# action, and tracing goes on with the next clause.
exec 2>&1
# the BPF pc depends on code generation (tst.fault-pc.sh checks it)
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
dt -qn 'BEGIN { trace(epid); trace(id); trace(1 / (arg0 - arg0)); } BEGIN { printf("still %d %d\n", epid, 7 % (arg0 + 3)); exit(0); }'
echo "status $?"
