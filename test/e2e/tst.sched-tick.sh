# sched:::tick fires in the thread the clock interrupts: on scheduler_tick
# or sched_tick (a kprobe) where the kernel has kprobes, else on
# timer:hrtimer_expire_entry for the tick's own timer (tick_nohz_handler,
# tick_sched_timer) where the tick is a high-resolution timer, as on this
# machine's kernel.  spin-sleep spins 50 ms on a CPU: the clock ticks in
# it at least twice at any HZ from 100.  args[0] and args[1] are the
# lwpsinfo_t and psinfo_t of the thread interrupted.
exec 2>&1
$DTRACE -qn '
sched:::tick
/pid == $target/
{
	n++;
}
sched:::tick
/pid == $target && n == 1/
{
	printf("tick %d %d\n", args[0]->pr_lwpid == tid,
	    args[1]->pr_pid == pid);
}
END
{
	printf("at least 2: %d\n", n >= 2);
}' -c "$TRIGGERS/spin-sleep"
echo "status $?"
