# cpc probes on perf software events, named as in Oracle's DTrace
# (<event>-<mode>-<count>): every context switch of the trigger, which
# sleeps five times, fires context_switches-all-1 in the kernel (arg0 the
# kernel PC, arg1 0); every page fault the trigger takes in user mode
# fires page_faults-user-1 with the user PC in arg1 and 0 in arg0;
# cpu_clock-all-1000000 samples the trigger's 50 ms on the CPU once a
# millisecond, each sample with one of the two PCs.
$DTRACE -qn '
cpc:::context_switches-all-1
/pid == $target/
{
	@sw = count();
	@swk = min(arg0 != 0 && arg1 == 0);
}
END
{
	printa("context switches >= 5: %@d\n", @sw);
	printa("all in the kernel: %@d\n", @swk);
}' -c "$TRIGGERS/getppid 5" | sed 's/switches >= 5: \([5-9]\|[1-9][0-9]\+\)$/switches >= 5: ok/'
echo "status ${PIPESTATUS[0]}"
$DTRACE -qn '
cpc:::page_faults-user-1
/pid == $target/
{
	@pf = count();
	@pfu = min(arg0 == 0 && arg1 != 0);
}
END
{
	printa("page faults > 0: %@d\n", @pf);
	printa("all in user mode: %@d\n", @pfu);
}' -c "$TRIGGERS/getppid 1" | sed 's/faults > 0: [1-9][0-9]*$/faults > 0: ok/'
$DTRACE -qn '
cpc:::cpu_clock-all-1000000
/pid == $target/
{
	@n = count();
	@one = min((arg0 != 0) + (arg1 != 0) == 1);
}
END
{
	printa("cpu_clock samples > 20: %@d\n", @n);
	printa("each in the kernel or in user mode: %@d\n", @one);
}' -c "$TRIGGERS/spin-sleep" | sed 's/samples > 20: \(2[1-9]\|[3-9][0-9]\|[1-9][0-9][0-9]\+\)$/samples > 20: ok/'
