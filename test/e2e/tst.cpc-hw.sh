# A hardware event where the machine has a CPU PMU: instructions retired
# in user mode by a trigger that spins 50 ms are sampled every million.
[ -e /sys/bus/event_source/devices/cpu ] ||
	{ echo "needs a CPU PMU (hardware performance counters; tst.cpc-nopmu.sh tests their absence)"; exit 77; }
$DTRACE -l -n 'cpc:::instructions*'
$DTRACE -qn '
cpc:::instructions-user-1000000
/pid == $target/
{
	@n = count();
	@u = min(arg1 != 0);
}
END
{
	printa("samples > 10: %@d", @n);
	printa(", all in user mode: %@d\n", @u);
}' -c "$TRIGGERS/spin-sleep" | sed 's/> 10: \(1[1-9]\|[2-9][0-9]\|[1-9][0-9][0-9]\+\),/> 10: ok,/'
