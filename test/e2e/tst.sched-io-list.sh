# The sched and io providers' probes, as sched:vmlinux::<name> and
# io:vmlinux::<name>, with DTrace's argument types (lwpsinfo_t,
# psinfo_t, bufinfo_t, devinfo_t, translated from the struct task_struct
# and struct bio pointers that arg0... are).
# remain-cpu and surrender, on bare tracepoints of recent kernels, come
# last where they exist (tst.sched-remain-surrender.sh), and those on
# kernel functions where the kernel has kprobes or fentry
# (tst.sched-queue-tick.sh, tst.sched-change-pri.sh, tst.io-wait-list.sh):
# cut.
# One listing per provider, so that neither's ids depend on the other's.
$DTRACE -l -n 'io:::' | grep -v 'wait-'
$DTRACE -l -n 'sched:::' | tail -n +2 |
	grep -v 'remain-cpu\|surrender\|enqueue\|dequeue\|tick\|change-pri'
$DTRACE -lv -n 'sched:::off-cpu' | sed -n '/Argument Types/,$p'
$DTRACE -lv -n 'io:::done' | sed -n '/Argument Types/,$p'
echo "status $?"
