/*
 * schedtrig.c - trigger for the sched provider: sleeps 10 ms (sleep,
 * off-cpu); forks a child and pins both to CPU 0, where both spin for
 * 300 ms of wall time, so that each is preempted by the other (preempt);
 * the child waits until the parent sleeps in waitpid (its state in
 * /proc) and exits, waking it (wakeup, in the child).
 * Used with -c: $target is its pid.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Is process pid sleeping? */
static int sleeping(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'S';
}

static void spin(double secs)
{
	double end = now() + secs;

	while (now() < end)
		;
}

int main(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	cpu_set_t cpu0;
	pid_t child;
	int st;

	nanosleep(&ts, NULL);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	if ((child = fork()) == 0) {
		spin(0.3);
		while (!sleeping(getppid()))
			sched_yield();
		_exit(0);
	}
	spin(0.3);
	while (waitpid(child, &st, 0) < 0)
		;
	return 0;
}
