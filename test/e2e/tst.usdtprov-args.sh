# usdt probes from a trigger's own SDT notes: -l, arguments in registers
# (64, 32 and 8 bits), in memory, immediate, signed and unsigned; trig:round
# fires only while its semaphore is raised, which the kernel does while the
# probe is enabled.
exec 2>&1
T=$TRIGGERS/usdttrig
$DTRACE -l -n 'trig$target:::' -c "$T 1" | sed -E 's/^( *[0-9]+) +trig[0-9]+ /\1 trigPID /'
$DTRACE -qn 'trig$target:::round {
	printf("%s:%s:%s %d %d %d %d %d %d\n", probemod, probefunc, probename,
	       arg0, arg1, arg2, arg3, arg4, arg5);
}
trig$target:::always { printf("%s %d\n", probename, arg0); }' -c "$T 3"
echo "status $?"
# only trig:always enabled: trig:round's semaphore stays 0, nothing else
$DTRACE -qn 'trig$target::trig_fire:always { printf("%s %d\n", probename, arg0); }' -c "$T 2"
echo "status $?"
