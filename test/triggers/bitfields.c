/*
 * bitfields - what gcc makes of the structs tst.bitfield-layout.sh
 * declares in D: their sizes, the words that hold them after the same
 * stores, and the members read back, printed in the D script's format.
 * The test checks that the two agree (and both against a golden file).
 *
 * `bitfields reset` instead calls getppid(), turns on its thread's
 * SCHED_RESET_ON_FORK (the kernel's task_struct.sched_reset_on_fork
 * bit-field) and calls getppid() again, for tst.bitfield-kernel.sh.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct s1 { int a:3; unsigned b:5; char c; int d:7; unsigned long e:40;
	    short f:9; };
struct s2 { unsigned a:30; unsigned b:5; signed char c:4; };
struct s3 { char c; long x:3; };
struct s4 { unsigned char a:1, b:2, c:3; unsigned short d:12; _Bool e:1; };
union u5 { unsigned a:4; int b:12; unsigned long c; };

union w1 { struct s1 s; uint64_t w[2]; };
union w2 { struct s2 s; uint64_t w[2]; };
union w3 { struct s3 s; uint64_t w[2]; };
union w4 { struct s4 s; uint64_t w[2]; };

static int reset_on_fork(void)
{
	struct sched_param p = { 0 };

	getppid();
	if (sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &p) != 0)
		perror("sched_setscheduler");
	getppid();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "reset") == 0)
		return reset_on_fork();
	union w1 x1;
	union w2 x2;
	union w3 x3;
	union w4 x4;
	union u5 x5;

	memset(&x1, 0, sizeof(x1));
	memset(&x2, 0, sizeof(x2));
	memset(&x3, 0, sizeof(x3));
	memset(&x4, 0, sizeof(x4));
	memset(&x5, 0, sizeof(x5));
	printf("sizes %zu %zu %zu %zu %zu\n", sizeof(struct s1),
	       sizeof(struct s2), sizeof(struct s3), sizeof(struct s4),
	       sizeof(union u5));
	x1.s.a = -3; x1.s.b = 17; x1.s.c = 'x'; x1.s.d = 50;
	x1.s.e = 0x12345678abUL; x1.s.f = -200;
	printf("s1 %d %u %c %d %lx %d %016lx %016lx\n", x1.s.a, x1.s.b,
	       x1.s.c, x1.s.d, (unsigned long)x1.s.e, x1.s.f, x1.w[0], x1.w[1]);
	x2.s.a = 0x3fffffff; x2.s.b = 21; x2.s.c = -5;
	printf("s2 %u %u %d %016lx %016lx\n", x2.s.a, x2.s.b, x2.s.c,
	       x2.w[0], x2.w[1]);
	x3.s.c = 1; x3.s.x = -1;
	printf("s3 %d %ld %016lx %016lx\n", x3.s.c, (long)x3.s.x, x3.w[0],
	       x3.w[1]);
	x4.s.a = 1; x4.s.b = 2; x4.s.c = 5; x4.s.d = 0xabc; x4.s.e = 1;
	printf("s4 %u %u %u %x %u %016lx %016lx\n", x4.s.a, x4.s.b, x4.s.c,
	       x4.s.d, x4.s.e, x4.w[0], x4.w[1]);
	x5.c = 0; x5.b = -2;
	printf("u5 %u %d %lx\n", x5.a, x5.b, x5.c);
	/* stores keep the field's bits; ++ wraps within them */
	volatile unsigned forty = 40, five = 5;
	x2.s.b = forty;
	x1.s.a = five;
	x4.s.c++; x4.s.c++; x4.s.c++;
	x1.s.f -= 400;
	printf("trunc %u %d %u %d\n", x2.s.b, x1.s.a, x4.s.c, x1.s.f);
	return 0;
}
