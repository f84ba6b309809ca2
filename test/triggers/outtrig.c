/*
 * outtrig.c - user memory for copyout() and copyoutstr() to change: a
 * 16-byte buffer "abcdefgh12345678" written to fd -1 (the write fails;
 * syscall::write:entry sees arg1, the buffer), then, 50 ms later (time
 * for dtrace to see it), printed as it now is, one line.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	char buf[17] = "abcdefgh12345678";
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	if (write(-1, buf, 16) != -1)
		return 1;
	nanosleep(&ts, NULL);
	printf("%s\n", buf);
	return 0;
}
