/*
 * time-getppid.c - trigger for benchmarks: calls getppid(2) N times
 * (default 1000000) as fast as it can and prints the mean time per call
 * in ns on stderr ("ns/call 123.4"), measured inside the process, so a
 * tracer's start-up and exit do not count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		    (double)(t1.tv_nsec - t0.tv_nsec);
	fprintf(stderr, "ns/call %.1f\n", n > 0 ? ns / (double)n : 0.0);
	return 0;
}
