# chill(ns) with -w: the probe spins for ns nanoseconds (timestamp moves
# on during it, as in DTrace).  Each CPU may chill at most 500 ms in a
# second (DTrace's dtrace_chill_max in dtrace_chill_interval): a chill()
# that would go past it, or a negative one, is DTrace's illegal operation
# fault, and the clause is abandoned without spinning.  The ERROR probe
# sees it (arg4 3, DTRACEFLT_ILLOP).
exec 2>&1
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
dt -wqn 'BEGIN { t = timestamp; chill(200000000); d = timestamp - t;
	printf("%d %d\n", d >= 200000000, d < 450000000); exit(0); }'
echo "status $?"
dt -wqn 'BEGIN { chill(600000000); printf("not printed\n"); }
BEGIN { chill(-1); }
BEGIN { t = timestamp; chill(300000000); chill(300000000); }
BEGIN { printf("%d\n", timestamp - t < 450000000); exit(0); }'
echo "status $?"
dt -wqn 'BEGIN { chill(500000001); }
ERROR { printf("ERROR %d %d\n", arg2, arg4); }
BEGIN { exit(0); }'
echo "status $?"
# a probe of the kernel chills too: each getppid() of the target spins
dt -wqn 'syscall::getppid:entry /pid == $target/ { self->t = timestamp; chill(50000000); }
syscall::getppid:return /self->t && timestamp - self->t >= 50000000/ { @ = count(); }
END { printa("%@d\n", @); }' -c "$TRIGGERS/getppid 2"
echo "status $?"
