/*
 * spin-sleep.c - trigger: getppid(2), then 50 ms on a CPU (measured with
 * the thread's own CPU clock, so a busy machine stretches it in wall time
 * but not in CPU time), then 50 ms asleep, then getppid(2) again.  Between
 * the two calls the thread ran at least 50 ms and was off the CPU at
 * least 50 ms: what vtimestamp must and must not count.
 */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	struct timespec nap = { 0, 50 * 1000000L };

	syscall(SYS_getppid);
	long long until = cpu_ns() + 50 * 1000000LL;
	while (cpu_ns() < until)
		;
	nanosleep(&nap, NULL);
	syscall(SYS_getppid);
	return 0;
}
