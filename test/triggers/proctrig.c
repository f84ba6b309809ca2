/*
 * proctrig.c - trigger for the sdt and proc providers: renames itself to
 * "renamed" (task_rename); forks a child that execs /bin/true; forks a
 * child that it kills with SIGUSR1; raises SIGUSR2 while ignoring it (a
 * signal sent with tgkill: si_code SI_TKILL, -6); raises SIGHUP, which a
 * handler catches; starts a thread and joins it; forks a child that exits
 * with status 3; each child waited for in turn; then exits 0.  Used with
 * -c so that $target is its pid and ppid == $target selects its children.
 * With an argument "exec" it only forks the child that execs /bin/true
 * (the acceptance test); with "execfail" it forks a child that
 * tries to exec /nonexistent/true (ENOENT) and then execs /bin/true, and
 * runs a thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_hup(int sig)
{
	(void)sig;
}

static void *thread_main(void *arg)
{
	return arg;
}

static void reap(pid_t child)
{
	int st;

	while (waitpid(child, &st, 0) < 0)
		;
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	bool exec_only = argc > 1 && strcmp(argv[1], "exec") == 0;
	bool execfail = argc > 1 && strcmp(argv[1], "execfail") == 0;
	pid_t child;
	pthread_t t;

	if (execfail) {
		if ((child = fork()) == 0) {
			execl("/nonexistent/true", "true", (char *)NULL);
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		reap(child);
		pthread_create(&t, NULL, thread_main, NULL);
		pthread_join(t, NULL);
		return 0;
	}
	if (!exec_only)
		prctl(PR_SET_NAME, "renamed", 0, 0, 0);
	if ((child = fork()) == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	reap(child);
	if (exec_only)
		return 0;
	if ((child = fork()) == 0) {
		for (;;)
			pause();
	}
	nanosleep(&ts, NULL);	/* let it reach pause() */
	kill(child, SIGUSR1);
	reap(child);
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	signal(SIGHUP, on_hup);
	raise(SIGHUP);
	pthread_create(&t, NULL, thread_main, NULL);
	pthread_join(t, NULL);
	if ((child = fork()) == 0)
		_exit(3);
	reap(child);
	return 0;
}
