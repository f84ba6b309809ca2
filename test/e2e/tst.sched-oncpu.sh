# sched:::on-cpu describes the thread switched to: pid, tid, execname,
# uid, gid, ppid, curthread, curpsinfo, curlwpsinfo, progenyof() and the
# self-> variables are that thread's, although the probe fires on
# sched_switch, in the thread leaving.  For the trigger and its child, a
# thread's on-cpu and off-cpu alternate (after its first event: the
# trigger may be on a CPU when tracing starts) and pair up: the child,
# born and dead while traced, has as many of one as of the other.
# vtimestamp at on-cpu is the thread's, where its last off-cpu left it
# (not counting the time off the CPU: the trigger sleeps 10 ms, then
# 300 ms in waitpid; 5 ms of slack for check-kernel's emulated CPU).
$DTRACE -qn '
self int on, seen;
self uint64_t v;
BEGIN
{
	seen = 0;
	badt = badc = ont = offt = onc = offc = vfart = vfarc = 0;
}
sched:::on-cpu
/pid == $target && !seen/
{
	seen = 1;
	printf("on-cpu %s tid==pid %d uid %d gid %d ppid==dtrace %d\n",
	    execname, tid == pid, uid == $uid, gid == $gid, ppid == $pid);
	printf("curthread %d curpsinfo %d %s curlwpsinfo %d\n",
	    curthread->pid == tid, curpsinfo->pr_pid == pid,
	    curpsinfo->pr_fname, curlwpsinfo->pr_lwpid == tid);
	printf("progenyof %d\n", progenyof($target));
}
sched:::on-cpu
/progenyof($target)/
{
	this->bad = self->seen && self->on;
	self->on = self->seen = 1;
	this->d = (int64_t)(vtimestamp - self->v);
	this->far = self->v != 0 && (this->d > 5000000 || this->d < -5000000);
}
/* each counter is written by the events of one thread: no lost updates */
sched:::on-cpu
/pid == $target/
{
	badt += this->bad;
	vfart += this->far;
	ont++;
}
sched:::on-cpu
/progenyof($target) && pid != $target/
{
	badc += this->bad;
	vfarc += this->far;
	onc++;
}
sched:::off-cpu
/progenyof($target)/
{
	this->bad = self->seen && !self->on;
	self->on = 0;
	self->seen = 1;
	self->v = vtimestamp;
}
sched:::off-cpu
/pid == $target/
{
	badt += this->bad;
	offt++;
}
sched:::off-cpu
/progenyof($target) && pid != $target/
{
	badc += this->bad;
	offc++;
}
END
{
	printf("trigger: %d on-cpu, off-cpu - on-cpu %s\n", ont > 0,
	    offt - ont == 0 || offt - ont == 1 ? "0 or 1" : "wrong");
	printf("child: %d on-cpu, off-cpu - on-cpu %d\n", onc > 0, offc - onc);
	printf("out of turn: %d, vtimestamp off by 5 ms or more: %d\n",
	    badt + badc, vfart + vfarc);
}' -c "$TRIGGERS/schedtrig"
echo "status $?"
