# Uprobe programs preempted half-way.  On a kernel that preempts kernel
# code (preempt=full or lazy, PREEMPT_RT), a uprobe_multi program runs
# with only migration disabled, so the scheduler may switch tasks in the
# middle of it, and the next task's firing on that CPU would share the
# CPU's scratch space with the preempted one: its this-> strings, which
# live there, changed under it (without the guard: 311 of 157k firings on
# 6.12 with preempt=full under qemu).  dtrace guards every program of such
# a script with an atomic test-and-set of the CPU's busy mark: a firing
# that finds it set is dropped and counted, and no firing ever sees
# another's string.  Three threads on one CPU call preempt_mark(i), each
# with its own i, as fast as they can for 5 s.
# (make check-kernel-preempt runs this in 6.12 booted with preempt=full.)
sched=$(cat /sys/kernel/debug/sched/preempt 2>/dev/null)
case $sched in
*"(full)"* | *"(lazy)"*) ;;
*)	uname -v | grep -qw PREEMPT_RT || {
		echo "needs a kernel that preempts kernel code (preempt=full)"
		exit 77
	} ;;
esac
cat >/tmp/preempt.$$.d <<'D'
pid$target::preempt_mark:entry
{
	this->s = lltostr(arg0);
	this->a = strjoin(this->s, "-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	this->b = strjoin(this->a, "-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	this->c = strjoin(this->b, "-ccccccccccccccccccccccccccccccccccccccccccc");
	this->d = strjoin(this->c, "-ddddddddddddddddddddddddddddddddddddddddddd");
	@[this->s == lltostr(arg0) ? "same" : "clobbered"] = count();
}
END { printa("%s %@d\n", @); }
D
$DTRACE -q -s /tmp/preempt.$$.d -c "$TRIGGERS/preempttrig 3 5" \
	>/tmp/preempt.$$.out 2>/tmp/preempt.$$.err
echo "status $?"
grep -v '^same [0-9]*$\|^$' /tmp/preempt.$$.out
grep -q '^same [1-9]' /tmp/preempt.$$.out && echo "firings ran"
# the firings that found another preempted: counted, not lost unsaid
grep -q '^dtrace: [0-9]* nested probe drops\{0,1\} ' /tmp/preempt.$$.err &&
	echo "nested drops reported"
grep -v 'nested probe drop' /tmp/preempt.$$.err
rm -f /tmp/preempt.$$.*
