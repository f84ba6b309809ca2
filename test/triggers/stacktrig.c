/*
 * stacktrig.c - trigger for stack(), ustack() and the symbol actions: a
 * known chain of calls, main -> stk_a -> stk_b -> stk_c, whose innermost
 * function makes the getppid system call itself (no libc wrapper between,
 * whose missing frame pointer would hide stk_c's caller).  Every function
 * keeps a frame pointer (the kernel walks user stacks by it) and none is
 * inlined.
 *
 *   stacktrig [N [MS]]   N rounds (default 1), MS ms apart (default 0),
 *                        then sleep 200 ms (so that a tracer can read the
 *                        mappings of a process that would be gone)
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define FRAMED __attribute__((noipa, used, optimize("no-omit-frame-pointer")))

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

FRAMED long stk_c(long x)
{
	long r;
	void *volatile fp = __builtin_frame_address(0);	/* a frame: leaf */

	(void)fp;
	__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getppid)
			 : "rcx", "r11", "memory");
	return r + x;
}

FRAMED long stk_b(long x)
{
	return stk_c(x + 1) + 1;
}

FRAMED long stk_a(long x)
{
	return stk_b(x + 1) + 1;
}

FRAMED int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long ms = argc > 2 ? atol(argv[2]) : 0;
	long sum = 0;

	for (int i = 0; i < n; i++) {
		sum += stk_a(i);
		if (ms > 0)
			sleep_ms(ms);
	}
	sleep_ms(200);
	return sum == 0 ? 1 : 0;
}
