/*
 * attach.c - the kernel plumbing every provider attaches through: perf
 * events, BPF links with attach cookies, the list of online CPUs, and the
 * fast way to let go of all of it.
 *
 * Attaching.  A provider opens one perf event per probe (and per CPU where
 * the event is per CPU, as profile-N is) and ties the loaded program to it
 * with a BPF link whose cookie identifies the probe; the program reads it
 * back with bpf_get_attach_cookie().  Both fds go to the handle
 * (dt_keep_fd) the moment they exist, so an error half-way leaks nothing and
 * the kernel detaches everything when the fds close, even if dtrace is
 * killed.  Nothing is ever written to tracefs.  Kernels without perf links
 * get PERF_EVENT_IOC_SET_BPF instead, which carries no cookie (the compiler
 * then needs one program per probe; dtp->feat.cookie says which).
 *
 * Letting go (dt_close_fds).  Measured on the 6.18 kernel of our machines:
 * closing a tracepoint perf event costs ~45 ms, and closing the BPF link on
 * it another ~26 ms, both waiting for RCU grace periods.  Link closes
 * overlap when done from many threads (360 links: ~80 ms instead of 13 s);
 * perf-event closes do not (the kernel serializes them on a mutex: 360
 * events take 13 s from any number of threads).  So the links, which stop
 * the programs, are closed in parallel, and the perf events, which by then
 * only keep a now program-less tracepoint registered, are handed to a
 * detached reaper process that closes them while dtrace exits at once.
 * Software perf events (profile, tick) close in microseconds either way,
 * and the syscall provider avoids tracepoint perf events altogether (raw
 * tracepoints, whose links close in microseconds), so the reaper only runs
 * for the syscall provider's fallback path.
 *
 * Contract: every function that fails sets the handle's error (except
 * dt_perf_event_open, a bare syscall wrapper that leaves errno).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <bpf/bpf.h>

#include "libdtrace.h"

#define CLOSE_THREADS_MAX 512	/* threads closing links in parallel */

int dt_perf_event_open(struct perf_event_attr *attr, int pid, int cpu)
{
	attr->size = sizeof(*attr);
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

/* Tie prog_fd to perf_fd: a BPF link with the cookie, or the old ioctl. */
static int perf_link(dtrace_hdl_t *dtp, int perf_fd, int prog_fd,
		     uint64_t cookie)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .perf_event.bpf_cookie = cookie);
	int fd;

	if (!dtp->feat.perf_link)
		return ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, prog_fd);
	fd = bpf_link_create(prog_fd, perf_fd, BPF_PERF_EVENT, &opts);
	if (fd < 0)
		return -1;
	dt_keep_fd(dtp, fd);
	return 0;
}

int dt_perf_attach(dtrace_hdl_t *dtp, const dt_probe_t *prb,
		   struct perf_event_attr *attr, int cpu, int prog_fd,
		   uint64_t cookie)
{
	const char *what = "perf_event_open";
	int fd = dt_perf_event_open(attr, -1, cpu);

	if (fd >= 0) {
		dt_keep_fd(dtp, fd);
		what = dtp->feat.perf_link ? "bpf_link_create" :
					     "PERF_EVENT_IOC_SET_BPF";
		if (perf_link(dtp, fd, prog_fd, cookie) == 0)
			return 0;
	}
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
			    "failed to enable %s:%s:%s:%s: %s: %s", prb->prov,
			    prb->mod, prb->func, prb->name, what,
			    strerror(errno));
}

int dt_perf_attach_cpus(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			struct perf_event_attr *attr, int max, int prog_fd)
{
	int *cpus, ncpus = dt_online_cpus(dtp, &cpus), r = 0;

	if (ncpus < 0)
		return -1;
	if (max >= 0 && ncpus > max)
		ncpus = max;
	for (int i = 0; i < ncpus && r == 0; i++)
		r = dt_perf_attach(dtp, prb, attr, cpus[i], prog_fd, prb->id);
	free(cpus);
	return r;
}

/* ---- online CPUs -------------------------------------------------------- */

/* Parse a kernel CPU list ("0-3,5,7-8") into cpus[]; returns the count or
   -1 if malformed. */
int dt_parse_cpulist(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s != '\0' && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0)
			return -1;
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s || hi < lo)
				return -1;
		}
		for (long c = lo; c <= hi; c++) {
			if (n == max)
				return -1;
			cpus[n++] = (int)c;
		}
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0' && *end != '\n')
			return -1;
	}
	return n;
}

int dt_online_cpus(dtrace_hdl_t *dtp, int **cpusp)
{
	char buf[4096];
	int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	int max = 8192, n, *cpus;

	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "cannot read the list of online CPUs: %s",
				    strerror(errno));
	buf[len] = '\0';
	if ((cpus = malloc(max * sizeof(int))) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "Memory allocation failure");
	if ((n = dt_parse_cpulist(buf, cpus, max)) <= 0) {
		free(cpus);
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "cannot parse the list of online CPUs: "
				    "\"%s\"", buf);
	}
	*cpusp = cpus;
	return n;
}

/* ---- letting go ---------------------------------------------------------- */

typedef enum { FD_OTHER, FD_LINK, FD_PERF } fdkind_t;

static fdkind_t fd_kind(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return FD_OTHER;
	target[n] = '\0';
	if (strcmp(target, "anon_inode:bpf_link") == 0)
		return FD_LINK;
	if (strcmp(target, "anon_inode:[perf_event]") == 0)
		return FD_PERF;
	return FD_OTHER;
}

typedef struct closer {
	const int *fds;
	size_t n, first, step;
} closer_t;

static void *closer_run(void *arg)
{
	closer_t *c = arg;

	for (size_t i = c->first; i < c->n; i += c->step)
		close(c->fds[i]);
	return NULL;
}

/* Close fds from up to CLOSE_THREADS_MAX threads, each taking every nt-th
   fd; the shares no thread could be started for are closed here. */
static void close_parallel(const int *fds, size_t n)
{
	size_t nt = n < CLOSE_THREADS_MAX ? n : CLOSE_THREADS_MAX, started = 0;
	pthread_t th[CLOSE_THREADS_MAX];
	closer_t cs[CLOSE_THREADS_MAX];
	pthread_attr_t attr;

	for (size_t t = 0; t < nt; t++)
		cs[t] = (closer_t){ fds, n, t, nt };
	if (nt > 1 && pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, 64 * 1024);
		while (started < nt && pthread_create(&th[started], &attr,
						      closer_run,
						      &cs[started]) == 0)
			started++;
		pthread_attr_destroy(&attr);
	}
	for (size_t t = started; t < nt; t++)
		closer_run(&cs[t]);
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* In the reaper: close every fd but the part keep[] (async-signal-safe). */
static void close_all_but(const int *keep, size_t n)
{
	unsigned int from = 0;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

/*
 * Hand the perf events to a detached grandchild that closes them (each
 * close waits for the kernel).  Whoever drops the last reference pays, so
 * the grandchild waits on a pipe until we have dropped ours: we close the
 * returned write end after closing our copies (or by dying).  Returns that
 * fd, or -1 if there is no reaper and we must pay ourselves.
 */
static int reap_async(const int *fds, size_t n)
{
	int pfd[2], *keep = malloc((n + 1) * sizeof(int));
	pid_t pid = -1;
	char c;

	if (keep == NULL || pipe2(pfd, O_CLOEXEC) < 0) {
		free(keep);
		return -1;
	}
	memcpy(keep, fds, n * sizeof(int));
	keep[n] = pfd[0];
	qsort(keep, n + 1, sizeof(int), cmp_int);
	if ((pid = fork()) == 0) {
		if (fork() == 0) {
			close_all_but(keep, n + 1);
			setsid();
			prctl(PR_SET_NAME, "dtrace-detach");
			while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
				;
			for (size_t i = 0; i < n; i++)
				close(fds[i]);
		}
		_exit(0);
	}
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(keep);
	close(pfd[0]);
	if (pid < 0) {
		close(pfd[1]);
		return -1;
	}
	return pfd[1];
}

void dt_close_fds(dtrace_hdl_t *dtp)
{
	int *part = calloc(dtp->nfds + 1, sizeof(int));
	size_t nlink = 0, nperf = 0, nother = 0, n = dtp->nfds;
	int reaper;

	if (part == NULL) {		/* plain close, newest first */
		while (dtp->nfds > 0)
			close(dtp->fds[--dtp->nfds]);
		return;
	}
	/* links at the front, perf events at the back, the rest in dtp->fds */
	for (size_t i = n; i-- > 0;) {
		int fd = dtp->fds[i];

		switch (fd_kind(fd)) {
		case FD_LINK: part[nlink++] = fd; break;
		case FD_PERF: part[n - ++nperf] = fd; break;
		default: dtp->fds[nother++] = fd; break;
		}
	}
	close_parallel(part, nlink);
	reaper = nperf > 0 ? reap_async(part + n - nperf, nperf) : -1;
	for (size_t i = 0; i < nperf; i++)
		close(part[n - 1 - i]);
	if (reaper >= 0)
		close(reaper);
	for (size_t i = 0; i < nother; i++)
		close(dtp->fds[i]);
	dtp->nfds = 0;
	free(part);
}
