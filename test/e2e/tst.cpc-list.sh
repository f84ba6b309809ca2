# cpc probes: a pattern lists the events this machine can count with
# Oracle's suggested count (the software ones at least); a name that
# parses is a probe, one that does not (unknown event or mode, a zero or
# non-numeric count, attributes, a module or function) matches nothing.
$DTRACE -l -n 'cpc:::cpu_clock*'
$DTRACE -l -n 'cpc:::*context_switches*'
$DTRACE -l -n 'cpc:::cs-kernel-1234'
for d in cpc:::nosuch-all-1000 cpc:::cs-any-1000 cpc:::cs-all-0 \
    cpc:::cs-all-1k cpc:::cs-all-umask_1-1000 cpc:vmlinux::cs-all-1000 \
    cpc::f:cs-all-1000; do
	echo "$d: $($DTRACE -l -n "$d" 2>&1 | grep -c 'No probe matches')"
done
