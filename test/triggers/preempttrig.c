/*
 * preempttrig.c - trigger for preemptible uprobe programs: threads that
 * share one CPU and call a probed function as fast as they can, so that on
 * a kernel that preempts kernel code (preempt=full) one thread's probe
 * firing is preempted by the other's.
 *
 *   preempttrig [T [S]]   T threads (default 2), all on the CPU this one
 *                         starts on, each calling preempt_mark(i) (i its
 *                         number, from 1) for S seconds (default 3), then
 *                         prints "done" and exits 0.
 *
 * noipa keeps the compiler from inlining, cloning or folding the call.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOIPA __attribute__((noipa, used))

static int seconds = 3;

NOIPA long preempt_mark(long i)
{
	return i;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *spin(void *arg)
{
	long i = (long)arg;
	double end = now() + seconds;

	while (now() < end)
		for (int k = 0; k < 100; k++)
			preempt_mark(i);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2;
	pthread_t t[64];
	cpu_set_t set;

	if (argc > 2)
		seconds = atoi(argv[2]);
	if (n < 1 || n > 64) {
		fprintf(stderr, "preempttrig: 1 to 64 threads\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("preempttrig: sched_setaffinity");
		return 2;
	}
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, spin, (void *)(i + 1)) != 0) {
			fprintf(stderr, "preempttrig: pthread_create failed\n");
			return 2;
		}
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("done\n");
	return 0;
}
