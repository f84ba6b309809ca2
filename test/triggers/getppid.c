/*
 * getppid.c - trigger: calls getppid(2) N times (default 3), 10 ms apart,
 * and exits 0.  Used with -c so that $target is its pid.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < n; i++) {
		syscall(SYS_getppid);
		nanosleep(&ts, NULL);
	}
	return 0;
}
