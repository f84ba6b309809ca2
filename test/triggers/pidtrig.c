/*
 * pidtrig.c - trigger for the pid provider: functions with known arguments
 * and return values, called a known number of times.
 *
 *   pidtrig [N [MS]]   N rounds (default 3; 0: forever), MS ms apart
 *                      (default 10).  Round i (from 1) calls
 *                        pidt_add3(i, 20, 300)          returns i + 320
 *                        pidt_many(1, 2, ..., 8)        returns 36
 *                        pidt_neg(i)                    returns -i
 *                        atoi("42") through a pointer   (libc)
 *   pidtrig watch      calls pidt_add3 every ms and prints "armed" when
 *                      its first byte becomes an int3 (a uprobe is set),
 *                      then "disarmed" when it is restored, and exits 0
 *                      (1 after about 50 s without both).
 *   pidtrig bench N    calls pidt_add3 N times and prints the mean time
 *                      per call on stderr, "ns/call 123.4", as
 *                      time-getppid does (per-event cost of a uprobe);
 *                      with PT_PROGTIME set in the environment, then
 *                      also "bpf-ns/run 56.7" for each BPF program its
 *                      parent (the tracer) holds that ran more than 1000
 *                      times: the kernel's run_time_ns / run_cnt
 *                      (kernel.bpf_stats_enabled), as bench/progtime.sh
 *                      prints for a syscall.
 *
 * noipa keeps the compiler from inlining, cloning or folding the calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOIPA __attribute__((noipa, used))

NOIPA long pidt_add3(long a, long b, long c)
{
	return a + b + c;
}

NOIPA long pidt_many(long a1, long a2, long a3, long a4, long a5, long a6,
		     long a7, long a8)
{
	return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8;
}

NOIPA int pidt_neg(int i)
{
	return -i;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int watch(void)
{
	volatile unsigned char *code = (volatile unsigned char *)pidt_add3;
	int armed = 0;

	for (long i = 0; i < 50000; i++) {
		pidt_add3(i, 0, 0);
		if (!armed && *code == 0xcc) {
			armed = 1;
			printf("armed\n");
			fflush(stdout);
		} else if (armed && *code != 0xcc) {
			printf("disarmed\n");
			return 0;
		}
		sleep_ms(1);
	}
	return 1;
}

/* The parent's BPF programs' time per run, from their fds' fdinfo. */
static void progtime(void)
{
	char path[64], line[128];

	for (int fd = 0; fd < 4096; fd++) {
		unsigned long long t = 0, c = 0;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d",
			 (int)getppid(), fd);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			sscanf(line, "run_time_ns: %llu", &t);
			sscanf(line, "run_cnt: %llu", &c);
		}
		fclose(f);
		if (c > 1000)
			fprintf(stderr, "bpf-ns/run %.1f\n", (double)t / c);
	}
}

static int bench(long n)
{
	struct timespec t0, t1;
	long sum = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		sum += pidt_add3(i, 1, 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "ns/call %.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 +
					   (t1.tv_nsec - t0.tv_nsec)) / n);
	if (getenv("PT_PROGTIME") != NULL)
		progtime();
	return sum == 0;
}

int main(int argc, char **argv)
{
	int (*volatile to_int)(const char *) = atoi;
	long n = argc > 1 ? atol(argv[1]) : 3;
	long ms = argc > 2 ? atol(argv[2]) : 10;
	long sum = 0;

	if (argc > 1 && strcmp(argv[1], "watch") == 0)
		return watch();
	if (argc > 2 && strcmp(argv[1], "bench") == 0)
		return bench(atol(argv[2]));
	for (long i = 1; n == 0 || i <= n; i++) {
		sum += pidt_add3(i, 20, 300);
		sum += pidt_many(1, 2, 3, 4, 5, 6, 7, 8);
		sum += pidt_neg((int)i);
		sum += to_int("42");
		sleep_ms(ms);
	}
	return sum == 0;	/* 0: the sums are never 0 */
}
