/*
 * sigtrig.c - trigger: signal dispositions a test can read back from the
 * kernel (curthread->sighand).  Every catchable signal is reset to the
 * default, then SIGUSR1 is ignored with SA_RESTART and SIGINT and SIGQUIT
 * blocked while it runs, all with the raw rt_sigaction (no sa_restorer);
 * then getppid() once, the probe point, and exit 0.
 */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ksigaction {		/* the kernel's struct sigaction on x86-64 */
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
};

int main(void)
{
	struct ksigaction sa;

	memset(&sa, 0, sizeof(sa));		/* SIG_DFL */
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &sa, NULL, 8);
	sa.handler = 1;				/* SIG_IGN */
	sa.flags = SA_RESTART;
	sa.mask = 1UL << (SIGINT - 1) | 1UL << (SIGQUIT - 1);
	syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 8);
	syscall(SYS_getppid);
	return 0;
}
