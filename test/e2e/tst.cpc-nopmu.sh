# A hardware event on a machine without a CPU PMU (most virtual machines,
# this one too) is a probe that cannot be enabled, and dtrace says why.
[ -e /sys/bus/event_source/devices/cpu ] &&
	{ echo "needs a machine without a CPU PMU (tst.cpc-hw.sh tests the PMU)"; exit 77; }
$DTRACE -l -n 'cpc:::cycles*' 2>&1
$DTRACE -qn 'cpc:::cycles-all-100000 { @ = count(); }' 2>&1
echo "status $?"
