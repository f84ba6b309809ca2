/*
 * proc.c - the processes dtrace runs (-c) and watches (-p).
 *
 * -c cmd: the string is split on white space and run with execvp(3)
 * semantics, as DTrace does (no shell).  $target must be known when the D
 * program is compiled, and the command must not run any of its own code
 * before its probes are enabled, so the child is held:
 *
 *   - normally with ptrace: the child asks to be traced and execs; the
 *     kernel stops it with SIGTRAP right after the exec, with its new image
 *     mapped (what DTrace calls evaltime=exec), so /proc/PID/exe and maps
 *     already describe the command, not us.  An exec failure shows up
 *     before tracing starts, as it does in DTrace.
 *   - where ptrace is refused (Yama, containers, or we are being traced),
 *     the child blocks before it execs until we tell it to go ("the pipe
 *     case"), and an exec failure is only known once it is released.
 *
 * One socket pair links us to the child (its end is close-on-exec): the
 * child sends one byte saying which way it is held, in the pipe case waits
 * for our byte, and sends an errno if its exec fails; end of file means
 * the exec happened.  (A socket, not a pipe: send(MSG_NOSIGNAL) to a child
 * that died early must not kill us with SIGPIPE.)  The child dies with us
 * (PR_SET_PDEATHSIG, PTRACE_O_EXITKILL): DTrace, too, kills the commands
 * it created when it exits.  Children are reaped with waitpid(WNOHANG)
 * from the main loop, which a SIGCHLD wakes.
 *
 * -p pid: checked with pidfd_open(2) ("failed to grab pid N: No such
 * process"), then watched by polling the pidfd, which becomes readable
 * when the process exits.  Nothing is stopped or traced.
 *
 * Exit reports are DTrace's notices ("pid N has exited", "pid N exited
 * with status S", "pid N terminated by SIGNAME"), silenced by quiet.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

/* What the child sends first: how it is held. */
static const char hold_tags[] = {
	[CMD_HOLD_PTRACE] = 'T',
	[CMD_HOLD_PIPE] = 'P',
};

static cmd_proc_t *proc_add(cmd_procs_t *ps)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 4;
		cmd_proc_t *v = realloc(ps->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		ps->v = v;
		ps->cap = cap;
	}
	cmd_proc_t *p = &ps->v[ps->n++];

	memset(p, 0, sizeof(*p));
	p->fd = p->pidfd = -1;
	p->live = true;
	ps->live++;
	return p;
}

static void proc_gone(cmd_procs_t *ps, cmd_proc_t *p)
{
	if (!p->live)
		return;
	p->live = false;
	ps->live--;
}

/* Split on white space, as DTrace does; an all-blank string stays whole. */
static char **split_argv(char *s)
{
	static const char ws[] = " \f\n\r\t\v";
	char **argv = calloc(strlen(s) / 2 + 2, sizeof(char *));
	size_t argc = 0;
	char *save = NULL;

	if (argv == NULL)
		return NULL;
	for (char *w = strtok_r(s, ws, &save); w; w = strtok_r(NULL, ws, &save))
		argv[argc++] = w;
	if (argc == 0)
		argv[argc++] = s;
	argv[argc] = NULL;
	return argv;
}

static void send_all(int fd, const void *buf, size_t len)
{
	while (send(fd, buf, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
		continue;
}

static ssize_t recv_all(int fd, void *buf, size_t len)
{
	ssize_t n;

	while ((n = recv(fd, buf, len, MSG_WAITALL)) < 0 && errno == EINTR)
		continue;
	return n;
}

/* In the child: get held, then exec.  Never returns. */
static void child_run(char **argv, pid_t parent, int fd)
{
	cmd_hold_t hold = CMD_HOLD_PTRACE;
	char go;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		hold = CMD_HOLD_PIPE;
	send_all(fd, &hold_tags[hold], 1);
	if (hold == CMD_HOLD_PIPE && recv_all(fd, &go, 1) != 1)
		_exit(127);	/* dtrace gave up before releasing us */
	execvp(argv[0], argv);
	err = errno;
	send_all(fd, &err, sizeof(err));
	_exit(127);
}

/* The errno a child reports if its exec failed; 0 once it has exec'd. */
static int recv_exec_errno(int fd)
{
	int err = 0;

	return recv_all(fd, &err, sizeof(err)) == (ssize_t)sizeof(err) ? err
								      : 0;
}

static int recv_hold(int fd, cmd_hold_t *hold)
{
	char tag;

	if (recv_all(fd, &tag, 1) != 1)
		return -1;
	*hold = tag == hold_tags[CMD_HOLD_PTRACE] ? CMD_HOLD_PTRACE
						  : CMD_HOLD_PIPE;
	return 0;
}

/*
 * A traced child stops with SIGTRAP after its exec.  Signals it receives
 * before that also stop it: pass them on.  Returns 0 once it is stopped
 * after the exec, or the errno of a failed exec.
 */
static int wait_exec_stop(cmd_procs_t *ps, cmd_proc_t *p)
{
	int st;

	for (;;) {
		if (waitpid(p->pid, &st, 0) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP)
			break;
		if (WIFSTOPPED(st)) {
			ptrace(PTRACE_CONT, p->pid, NULL,
			       (void *)(intptr_t)WSTOPSIG(st));
			continue;
		}
		proc_gone(ps, p);	/* reaped: it never ran the command */
		int err = recv_exec_errno(p->fd);

		return err ? err : ECHILD;
	}
	ptrace(PTRACE_SETOPTIONS, p->pid, NULL, (void *)PTRACE_O_EXITKILL);
	return 0;
}

static int fork_held(cmd_proc_t *p, char **argv)
{
	int sv[2];
	pid_t parent = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return errno;
	p->pid = fork();
	if (p->pid == 0) {
		close(sv[0]);
		child_run(argv, parent, sv[1]);
	}
	int err = p->pid < 0 ? errno : 0;

	close(sv[1]);
	p->fd = sv[0];
	return err;
}

int cmd_proc_create(cmd_procs_t *ps, char *cmd, char *err, size_t errlen)
{
	char **argv = split_argv(cmd);
	cmd_proc_t *p = argv ? proc_add(ps) : NULL;
	int e;

	if (p == NULL) {
		free(argv);
		snprintf(err, errlen, "failed to allocate memory");
		return -1;
	}
	p->created = true;
	p->file = argv[0];
	if ((e = fork_held(p, argv)) != 0) {
		proc_gone(ps, p);
		snprintf(err, errlen, "failed to execute %s: %s", argv[0],
			 strerror(e));
		free(argv);
		return -1;
	}
	free(argv);		/* the strings live in cmd; the child has its copy */
	if (recv_hold(p->fd, &p->hold) < 0) {
		e = recv_exec_errno(p->fd);
		snprintf(err, errlen, "failed to execute %s: %s", p->file,
			 strerror(e ? e : ECHILD));
		return -1;
	}
	if (p->hold == CMD_HOLD_PTRACE && (e = wait_exec_stop(ps, p)) != 0) {
		snprintf(err, errlen, "failed to execute %s: %s", p->file,
			 strerror(e));
		return -1;
	}
	return 0;
}

int cmd_proc_grab(cmd_procs_t *ps, const char *arg, char *err, size_t errlen)
{
	char *end;
	long pid;
	cmd_proc_t *p;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || pid != (pid_t)pid) {
		snprintf(err, errlen, "invalid pid: %s", arg);
		return -1;
	}
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);

	if (fd < 0 && errno != ENOSYS) {
		snprintf(err, errlen, "failed to grab pid %ld: %s", pid,
			 strerror(errno));
		return -1;
	}
	if (fd < 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
		snprintf(err, errlen, "failed to grab pid %ld: %s", pid,
			 strerror(errno));
		return -1;
	}
	if ((p = proc_add(ps)) == NULL) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "failed to allocate memory");
		return -1;
	}
	p->pid = (pid_t)pid;
	p->pidfd = fd;		/* pidfd_open sets close-on-exec */
	return 0;
}

void cmd_proc_release(cmd_procs_t *ps, const char *pname)
{
	for (size_t i = 0; i < ps->n; i++) {
		cmd_proc_t *p = &ps->v[i];
		int err;

		if (!p->live || p->hold == CMD_HOLD_NONE)
			continue;
		if (p->hold == CMD_HOLD_PTRACE)
			ptrace(PTRACE_DETACH, p->pid, NULL, NULL);
		else
			send_all(p->fd, "", 1);
		p->hold = CMD_HOLD_NONE;
		if ((err = recv_exec_errno(p->fd)) == 0)
			continue;
		fprintf(stderr, "%s: failed to execute %s: %s\n", pname,
			p->file, strerror(err));
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			continue;	/* it exits at once: no more news of it */
		proc_gone(ps, p);
	}
}

/* Signal names for reports, SIGKILL style. */
static void signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "SIG%d", sig);
}

static void report_exit(const cmd_proc_t *p, int st, bool have_status,
			const char *pname)
{
	char sig[32];

	if (have_status && WIFSIGNALED(st)) {
		signal_name(WTERMSIG(st), sig, sizeof(sig));
		fprintf(stderr, "%s: pid %d terminated by %s\n", pname,
			(int)p->pid, sig);
	} else if (have_status && WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: pid %d exited with status %d\n", pname,
			(int)p->pid, WEXITSTATUS(st));
	} else {
		fprintf(stderr, "%s: pid %d has exited\n", pname, (int)p->pid);
	}
}

/* Has p exited?  Fills *st when the status is ours to know (-c). */
static bool proc_exited(cmd_proc_t *p, int *st, bool *have_status)
{
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

	*have_status = false;
	if (p->created) {
		pid_t r = waitpid(p->pid, st, WNOHANG);

		*have_status = r == p->pid;
		return r == p->pid || (r < 0 && errno == ECHILD);
	}
	if (p->pidfd >= 0)
		return poll(&pfd, 1, 0) > 0;
	return kill(p->pid, 0) < 0 && errno == ESRCH;
}

size_t cmd_proc_poll(cmd_procs_t *ps, const char *pname, bool quiet)
{
	for (size_t i = 0; i < ps->n; i++) {
		cmd_proc_t *p = &ps->v[i];
		bool have_status;
		int st = 0;

		if (!p->live || !proc_exited(p, &st, &have_status))
			continue;
		proc_gone(ps, p);
		if (!quiet)
			report_exit(p, st, have_status, pname);
	}
	return ps->live;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void cmd_proc_cleanup(cmd_procs_t *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		cmd_proc_t *p = &ps->v[i];

		if (p->created && p->live && p->pid > 0) {
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
				continue;
		}
		close_fd(&p->fd);
		close_fd(&p->pidfd);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
