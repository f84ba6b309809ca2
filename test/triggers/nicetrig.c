/*
 * nicetrig.c - trigger: changes of its own nice value, for sched:::change-pri.
 *
 * In order: nice(5) (0 -> 5), setpriority(PRIO_PROCESS, 0, 7) (-> 7), the
 * same again (no change), setpriority to 40 (clamped: -> 19), then
 * SCHED_FIFO at priority 10 (the kernel's prio 89; not a nice change), a
 * nice value of -3 while real-time (the nice value changes, the priority
 * does not), back to SCHED_OTHER (prio 117, not a nice change) and a nice
 * value of 0 (-> 120).  Needs root (lowering a nice value, SCHED_FIFO).
 * Exits 0, or 1 naming the call that failed.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 1;
}

static int set_policy(int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return sched_setscheduler(0, policy, &sp);
}

int main(void)
{
	errno = 0;
	if (nice(5) == -1 && errno != 0)
		return fail("nice");
	if (setpriority(PRIO_PROCESS, 0, 7) < 0 ||
	    setpriority(PRIO_PROCESS, 0, 7) < 0 ||
	    setpriority(PRIO_PROCESS, 0, 40) < 0)
		return fail("setpriority");
	if (set_policy(SCHED_FIFO, 10) < 0)
		return fail("sched_setscheduler SCHED_FIFO");
	if (setpriority(PRIO_PROCESS, 0, -3) < 0)
		return fail("setpriority -3");
	if (set_policy(SCHED_OTHER, 0) < 0)
		return fail("sched_setscheduler SCHED_OTHER");
	if (setpriority(PRIO_PROCESS, 0, 0) < 0)
		return fail("setpriority 0");
	return 0;
}
