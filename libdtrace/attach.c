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
 * then needs one program per probe; dtp->feat.cookie says which).  Two fds
 * a probe run out of the usual soft limit of 1024 open files near 500
 * probes (`fbt::tcp_*:` has 736): the first EMFILE raises it to the hard
 * limit, and the call is tried again.
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
 * tracepoints, whose links close in microseconds), so on 6.18 the reaper
 * only runs for the syscall provider's fallback path.
 *
 * Debian 12's 6.1 (check-kernel's VM, under qemu: `make bench-kernel`) has
 * no kprobe.multi, so fbt is a kprobe perf event and a link per probe, and
 * there link closes do not overlap either: each waits ~45 ms (qemu) in
 * perf_event_detach_bpf_prog, one after the other, so `fbt::tcp_*:entry`
 * (368 probes) spent 19 of its 25 s closing links.  So when there are perf
 * events, their links go to the reaper as well, closed there (in
 * parallel, as above) before the perf events, and dtrace exits at once:
 * its programs may run on for a while after it, recording into buffers no
 * one reads.  Not when destructive actions are allowed (-w): a raise(),
 * copyout() or chill() must not happen after dtrace has exited, so then
 * dtrace closes the links itself, as before.
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
#include <sys/resource.h>
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

/* EMFILE: raise the soft limit on open files to the hard one (a probe
   holds a perf event and a link: the usual 1024 ends near 500 probes).
   True if there is more room now. */
static bool more_fds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return false;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0;
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
	if (fd < 0 && errno == EMFILE && more_fds())
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

	if (fd < 0 && errno == EMFILE && more_fds())
		fd = dt_perf_event_open(attr, -1, cpu);

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

int dt_tracing_attach(dtrace_hdl_t *dtp, const dt_probe_t *prb, int prog_fd,
		      const char *what)
{
	int fd = bpf_raw_tracepoint_open(NULL, prog_fd);

	if (fd >= 0) {
		dt_keep_fd(dtp, fd);
		return 0;
	}
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: %s: %s", prb->prov, prb->mod,
			    prb->func, prb->name, what, strerror(errno));
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
 * Hand fds to a detached grandchild that closes them (each close waits for
 * the kernel): the first nlink (links) in parallel, then the rest in
 * order.  Whoever drops the last reference pays, so the grandchild waits
 * on a pipe until we have dropped ours: we close the returned write end
 * after closing our copies (or by dying).  Returns that fd, or -1 if there
 * is no reaper and we must pay ourselves.
 */
static int reap_async(const int *fds, size_t nlink, size_t n)
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
			close_parallel(fds, nlink);
			for (size_t i = nlink; i < n; i++)
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
	/* the links on perf events detach one grace period at a time on
	   some kernels: unless the programs may have destructive effects,
	   they go to the reaper too, ahead of the perf events */
	if (nperf > 0 && nlink > 0 && dt_opt(dtp, DT_OPT_destructive) == 0) {
		memmove(part + nlink, part + n - nperf, nperf * sizeof(int));
		reaper = reap_async(part, nlink, nlink + nperf);
		if (reaper < 0)
			close_parallel(part, nlink);
		for (size_t i = reaper < 0 ? nlink : 0; i < nlink + nperf; i++)
			close(part[i]);
	} else {
		close_parallel(part, nlink);
		reaper = nperf > 0 ? reap_async(part + n - nperf, 0, nperf) :
				     -1;
		for (size_t i = 0; i < nperf; i++)
			close(part[n - 1 - i]);
	}
	if (reaper >= 0)
		close(reaper);
	for (size_t i = 0; i < nother; i++)
		close(dtp->fds[i]);
	dtp->nfds = 0;
	free(part);
}

/* ---- uprobes -------------------------------------------------------------- */

#define ENOTSUPP_KERNEL 524	/* uprobes refuse the instruction */

/* union bpf_attr's link_create for BPF_TRACE_UPROBE_MULTI, as 6.6+ lay it
   out (our 6.1 headers and libbpf 1.1 predate it). */
struct uprobe_multi_attr {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, uflags, pid, pad;
};

int dt_uprobe_multi_link(dtrace_hdl_t *dtp, int prog_fd, const char *path,
			 const uint64_t *offs, const uint64_t *ref_offs,
			 const uint64_t *cookies, uint32_t cnt, uint32_t flags,
			 int pid)
{
	struct uprobe_multi_attr a = {
		.prog_fd = (uint32_t)prog_fd,
		.attach_type = DT_TRACE_UPROBE_MULTI,
		.path = (uintptr_t)path,
		.offsets = (uintptr_t)offs,
		.ref_ctr_offsets = (uintptr_t)ref_offs,
		.cookies = (uintptr_t)cookies,
		.cnt = cnt,
		.uflags = flags,
		.pid = (uint32_t)pid,
	};
	int fd = (int)syscall(SYS_bpf, BPF_LINK_CREATE, &a, sizeof(a));

	if (fd >= 0 && dtp != NULL)
		dt_keep_fd(dtp, fd);
	return fd;
}

int dt_uprobe_attach_type(dtrace_hdl_t *dtp)
{
	return dt_features_uprobe_multi(dtp) ? DT_TRACE_UPROBE_MULTI : 0;
}

/* "failed to enable P (and N more): what: why" */
static int uprobe_fail(dtrace_hdl_t *dtp, const dt_uprobe_t *u, size_t more,
		       const char *what, int err)
{
	const dt_probe_t *p = u->prb;
	char and[48] = "";

	if (more > 0)
		snprintf(and, sizeof(and), " (and %zu more)", more);
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s%s: %s: %s", p->prov, p->mod, p->func,
			    p->name, and, what, err == ENOTSUPP_KERNEL ?
			    "the kernel cannot place a uprobe on the "
			    "instruction there" : strerror(err));
}

/* One uprobe PMU perf event and its link: 1, 0 if the kernel refused the
   instruction, -1. */
static int uprobe_perf(dtrace_hdl_t *dtp, dt_uprobe_t *u, int prog_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .perf_event.bpf_cookie = u->prb->id);
	struct perf_event_attr attr = {
		.type = (uint32_t)dtp->feat.uprobe_type,
		.config = u->ret ? 1ull << dtp->feat.uprobe_retbit : 0,
		.uprobe_path = (uintptr_t)u->path,
		.probe_offset = u->off,
	};
	int fd, link;

	if (u->ref_off != 0)
		attr.config |= u->ref_off << dtp->feat.uprobe_refshift;
	/* every process: no pid, and a CPU (any: the program runs wherever
	   the uprobe is hit) */
	fd = dt_perf_event_open(&attr, u->pid, u->pid > 0 ? -1 : 0);
	if (fd < 0 && errno == ENOTSUPP_KERNEL) {
		u->refused = true;
		return 0;
	}
	if (fd < 0)
		return uprobe_fail(dtp, u, 0, "perf_event_open", errno);
	dt_keep_fd(dtp, fd);
	if ((link = bpf_link_create(prog_fd, fd, BPF_PERF_EVENT, &opts)) < 0)
		return uprobe_fail(dtp, u, 0, "bpf_link_create", errno);
	dt_keep_fd(dtp, link);
	return 1;
}

/* One uprobe_multi link for g[0..n), which share file, process and
   direction: how many were attached, or -1.  If the kernel refuses an
   instruction the whole link fails, so the halves are tried on their own
   until the refused ones are alone (the provider tries the instructions
   its decoder suspects alone first, so this is rare). */
static int uprobe_multi(dtrace_hdl_t *dtp, dt_uprobe_t **g, size_t n,
			int prog_fd)
{
	uint64_t *offs = malloc(n * sizeof(uint64_t));
	uint64_t *refs = calloc(n, sizeof(uint64_t));
	uint64_t *cookies = malloc(n * sizeof(uint64_t));
	bool anyref = false;
	int fd = -1, err = ENOMEM, a, b;

	if (offs != NULL && refs != NULL && cookies != NULL) {
		for (size_t i = 0; i < n; i++) {
			offs[i] = g[i]->off;
			refs[i] = g[i]->ref_off;
			anyref |= refs[i] != 0;
			cookies[i] = g[i]->prb->id;
		}
		fd = dt_uprobe_multi_link(dtp, prog_fd, g[0]->path, offs,
					  anyref ? refs : NULL, cookies,
					  (uint32_t)n, g[0]->ret ?
					  DT_F_UPROBE_MULTI_RETURN : 0,
					  g[0]->pid > 0 ? g[0]->pid : 0);
		err = errno;
	}
	free(offs);
	free(refs);
	free(cookies);
	if (fd >= 0)
		return (int)n;
	if (err != ENOTSUPP_KERNEL)
		return uprobe_fail(dtp, g[0], n - 1, "uprobe_multi link", err);
	if (n == 1) {
		g[0]->refused = true;
		return 0;
	}
	if ((a = uprobe_multi(dtp, g, n / 2, prog_fd)) < 0 ||
	    (b = uprobe_multi(dtp, g + n / 2, n - n / 2, prog_fd)) < 0)
		return -1;
	return a + b;
}

/* Uprobes that can share a uprobe_multi link sort next to each other. */
static int cmp_uprobe(const void *pa, const void *pb)
{
	const dt_uprobe_t *a = *(dt_uprobe_t *const *)pa;
	const dt_uprobe_t *b = *(dt_uprobe_t *const *)pb;
	int c = strcmp(a->path, b->path);

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (c != 0)
		return c;
	return (int)a->ret - (int)b->ret;
}

static int uprobe_attach_multi(dtrace_hdl_t *dtp, dt_uprobe_t *u, size_t n,
			       int prog_fd)
{
	dt_uprobe_t **g = malloc((n + 1) * sizeof(*g));
	size_t m = 0, i, j;
	int total = 0, r = 0;

	if (g == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "Memory allocation failure");
	for (i = 0; i < n && r >= 0; i++) {
		dt_uprobe_t *p = &u[i];

		if (u[i].suspect)
			total += r = uprobe_multi(dtp, &p, 1, prog_fd);
		else
			g[m++] = &u[i];
	}
	qsort(g, m, sizeof(*g), cmp_uprobe);
	for (i = 0; i < m && r >= 0; i = j) {
		for (j = i + 1; j < m && cmp_uprobe(&g[i], &g[j]) == 0; j++)
			;
		total += r = uprobe_multi(dtp, g + i, j - i, prog_fd);
	}
	free(g);
	return r < 0 ? -1 : total;
}

/* "failed to enable P: why", for what the kernel lacks. */
static int uprobe_lacks(dtrace_hdl_t *dtp, const dt_uprobe_t *u,
			const char *why)
{
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: %s", u->prb->prov, u->prb->mod,
			    u->prb->func, u->prb->name, why);
}

int dt_uprobe_attach(dtrace_hdl_t *dtp, dt_uprobe_t *u, size_t n,
		     int prog_fd, bool multi)
{
	int total = 0, r = 0;

	if (n == 0)
		return 0;
	if (multi)
		return uprobe_attach_multi(dtp, u, n, prog_fd);
	if (dtp->feat.uprobe_type < 0)
		return uprobe_lacks(dtp, u, "the kernel has no uprobe PMU");
	if (!dtp->feat.perf_link || !dtp->feat.cookie)
		return uprobe_lacks(dtp, u, "the kernel has no BPF perf links "
				    "with attach cookies");
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (u[i].ref_off != 0 && dtp->feat.uprobe_refshift < 0)
			return uprobe_lacks(dtp, &u[i], "the kernel's uprobes "
					    "have no reference counter for "
					    "semaphores");
		total += r = uprobe_perf(dtp, &u[i], prog_fd);
	}
	return r < 0 ? -1 : total;
}

int dtrace_probes_skipped(dtrace_hdl_t *dtp, char *first, size_t size)
{
	if (size > 0)
		snprintf(first, size, "%s", dtp->uskipped1);
	return dtp->uskipped;
}
