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
# dtrace -l -p lists the process's USDT probes with everything else
$T 100000 10 & tp=$!
for i in $(seq 100); do [ "$(readlink /proc/$tp/exe)" = "$(readlink -f "$T")" ] && break; sleep 0.02; done
[ "$($DTRACE -l -p $tp | grep -c '^ *[0-9]* *syscall ')" -gt 100 ] && echo "and the syscall probes"
$DTRACE -l -p $tp | grep ' trig[0-9]' | sed -E 's/^ *[0-9]+ +trig[0-9]+ /ID trigPID /'
kill $tp
