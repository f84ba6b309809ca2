/*
 * sigwaittrig.c - trigger for proc:::signal-clear: blocks SIGUSR2 and
 * SIGUSR1, sends itself SIGUSR2 and takes it with sigwait(), polls with
 * sigtimedwait() when nothing is pending (EAGAIN: no signal taken), then
 * sends itself SIGUSR1 and takes it with sigwaitinfo().  Exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR2);
	if (sigwait(&set, &sig) != 0 || sig != SIGUSR2)
		return 1;
	if (sigtimedwait(&set, NULL, &zero) != -1)
		return 1;
	kill(getpid(), SIGUSR1);
	if (sigwaitinfo(&set, NULL) != SIGUSR1)
		return 1;
	return 0;
}
