/*
 * uexec.c - the usdt probes of every process (python*:::, app:::) in
 * programs and libraries that no process mapped when tracing began.
 *
 * At start the usdt provider attaches per file the probes of the files
 * running processes map (and of a module named exactly, found in $PATH):
 * a uprobe without a pid, which the kernel plants in every process that
 * maps the file then or later.  A file nobody mapped yet is unknown; this
 * file finds such files as processes start and load libraries.
 *
 * Watching.  When a clause has such a description, two tiny hand-written
 * BPF programs report the pid of the current process into a ring buffer
 * of their own (read through the output buffer's epoll, so a report wakes
 * dtrace at once): one on the sched_process_exec raw tracepoint (every
 * exec: the new executable and its ld.so are mapped), one on a uprobe
 * without a pid at _dl_debug_state of every ld.so found (the r_brk of
 * <link.h>'s debugger interface: ld.so calls it in every process after
 * mapping the libraries a program needs, before their initialisers and
 * main run, and around every dlopen and dlclose).
 *
 * Looking.  dt_uexec_tick (dtrace_work, right after the poll) reads each
 * reported process's mappings; every file (device and inode) is looked at
 * once per run: a new ld.so gets the r_brk uprobe too, and a file with a
 * .note.stapsdt section has its notes matched against the descriptions of
 * every process whose module field it matches (usdt.c's
 * dt_usdt_populate_obj): the probes it has join the programs of their
 * clauses (udyn.c's dt_udyn_join, which compiles and loads a program
 * when none of its clause set and kind exists yet, as when -Z let a
 * description match nothing at start); a probe that exists already (the
 * same names in a file of the same name) gets the new file as a site.
 *
 * The window.  A process is never stopped for this (a SIGSTOP would be
 * seen by its parent: a shell would report the job stopped and take the
 * terminal back), so the first process to map a file dtrace has not seen
 * runs on while dtrace reads the file and attaches, and its probes that
 * fire before the uprobes are in place are missed: for the executable,
 * from its exec; for a library, from ld.so's r_brk call.  Measured on our
 * 6.18 machines: dtrace is woken at once, reads a small file's notes in
 * about 0.1 ms, and then the kernel takes
 * 4-15 ms to register the file's first uprobe (perf_event_open waits for
 * an RCU grace period before it may plant breakpoints in running
 * processes), so the first 5-15 ms of the first process of a new file go
 * untraced: a program that fires its probes in main() at once loses
 * them, one that waits for its is-enabled semaphore does not (the
 * probes that raise semaphores are attached after the others).  Once
 * a file is attached, every later process that maps it is traced from its
 * first instruction (the kernel plants the uprobes when it maps the file).
 * A process that has exited by the time dtrace looks is not seen; a file
 * first mapped by a process without ld.so (static) after its exec is not
 * seen either.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "libdtrace.h"
#include "provider.h"

#define UEXEC_RINGBUF (256 * 1024)	/* ~16000 reports not yet read */

typedef struct dt_uexec dt_uexec_t;

typedef struct ufile {
	uint64_t dev, ino;
} ufile_t;

struct dt_uexec {
	int rbfd;		/* the pids reported */
	int tpprog, upprog;	/* the raw tracepoint's, the uprobes' */
	int *pids;		/* reported, not yet looked at */
	size_t npids, pidcap;
	ufile_t *seen;		/* the files looked at */
	size_t nseen, seencap;
	bool nomem;
};

/* The pid (tgid) of the current task into the ring buffer rbfd. */
static int pid_prog(int rbfd, enum bpf_prog_type type)
{
	struct bpf_insn insns[] = {
		{ BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_pid_tgid },
		{ BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 32 },
		{ BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_0, -4, 0 },
		{ BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0,
		  rbfd },
		{ 0, 0, 0, 0, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0 },
		{ BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 4 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0 },
		{ BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};

	return bpf_prog_load(type, "dt_uexec", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

static int pid_cb(void *ctx, void *data, size_t size)
{
	dt_uexec_t *u = ((dtrace_hdl_t *)ctx)->uexec;
	int pid, *v;

	if (size < sizeof(pid))
		return 0;
	memcpy(&pid, data, sizeof(pid));
	if (u->npids > 0 && u->pids[u->npids - 1] == pid)
		return 0;		/* ld.so's calls come in pairs */
	if (u->npids == u->pidcap) {
		size_t c = u->pidcap ? u->pidcap * 2 : 64;

		if ((v = realloc(u->pids, c * sizeof(*v))) == NULL) {
			u->nomem = true;
			return 0;
		}
		u->pids = v;
		u->pidcap = c;
	}
	u->pids[u->npids++] = pid;
	return 0;
}

/* Mark a file seen; false if it was already. */
static bool see(dt_uexec_t *u, const dt_uobj_t *o)
{
	ufile_t *v;

	for (size_t i = 0; i < u->nseen; i++)
		if (u->seen[i].dev == o->dev && u->seen[i].ino == o->ino)
			return false;
	if (u->nseen == u->seencap) {
		size_t c = u->seencap ? u->seencap * 2 : 256;

		if ((v = realloc(u->seen, c * sizeof(*v))) == NULL)
			return false;
		u->seen = v;
		u->seencap = c;
	}
	u->seen[u->nseen++] = (ufile_t){ o->dev, o->ino };
	return true;
}

/* The r_brk uprobe, for every process, in the ld.so o. */
static int watch_ldso(dtrace_hdl_t *dtp, const dt_uobj_t *o)
{
	struct perf_event_attr attr = {
		.type = (uint32_t)dtp->feat.uprobe_type,
		.uprobe_path = (uintptr_t)o->attach,
	};
	dt_usyms_t syms;
	int fd, link, found = -1;

	if (dt_usyms_read(dtp, o->attach, &syms) < 0)
		return -1;
	for (size_t k = 0; found < 0 && k < syms.n; k++)
		if (strcmp(syms.v[k].name, "_dl_debug_state") == 0) {
			attr.probe_offset = syms.v[k].off;
			found = 0;
		}
	dt_usyms_free(&syms);
	if (found < 0)
		return 0;		/* not glibc's ld.so */
	if ((fd = dt_perf_event_open(&attr, -1, 0)) < 0)
		return -1;
	dt_keep_fd(dtp, fd);
	if ((link = bpf_link_create(dtp->uexec->upprog, fd, BPF_PERF_EVENT,
				    NULL)) < 0)
		return -1;
	dt_keep_fd(dtp, link);
	return 0;
}

/* ---- a new file ------------------------------------------------------------ */

static bool every_of(const dt_pdesc_t *pd, void *arg)
{
	const dt_uobj_t *o = arg;

	return dt_usdt_every(pd->prov) && dt_gmatch(o->name, pd->mod);
}

static int populate_file(dtrace_hdl_t *dtp, const dt_pdesc_t *pd, void *arg)
{
	return dt_usdt_populate_obj(dtp, pd, arg) < 0 ? -1 : 0;
}

/* Look at the files pid maps that no one has looked at yet. */
static void look(dtrace_hdl_t *dtp, int pid)
{
	dt_uobj_t *objs;
	int n = dt_uproc_objs(dtp, pid, &objs);

	for (int i = 0; i < n; i++) {
		dt_uobj_t *o = &objs[i];

		if (!see(dtp->uexec, o))
			continue;
		if (strncmp(o->name, "ld-", 3) == 0 && watch_ldso(dtp, o) < 0)
			fprintf(stderr, "dtrace: failed to watch %s for "
				"libraries loaded later: %s\n", o->path,
				strerror(errno));
		if (dt_uelf_has_sdt(o->attach))
			dt_udyn_join(dtp, &(dt_ujoin_t){
				.want = every_of, .populate = populate_file,
				.arg = o, .again = true });
	}
	if (n > 0)
		dt_uproc_objs_free(objs, (size_t)n);
}

void dt_uexec_tick(dtrace_hdl_t *dtp)
{
	dt_uexec_t *u = dtp->uexec;

	if (u == NULL)
		return;
	for (size_t i = 0; i < u->npids; i++)
		if (u->pids[i] != getpid())
			look(dtp, u->pids[i]);
	u->npids = 0;
	if (u->nomem) {
		fprintf(stderr, "dtrace: processes started while tracing were "
			"not looked at: Memory allocation failure\n");
		u->nomem = false;
	}
}

/* ---- arming ------------------------------------------------------------------ */

static bool every(const dt_pdesc_t *pd, void *arg)
{
	(void)arg;
	return dt_usdt_every(pd->prov);
}

int dt_uexec_arm(dtrace_hdl_t *dtp)
{
	dt_uexec_t *u;
	int link;

	if (!dt_udyn_wanted(dtp, every, NULL) || dtp->feat.uprobe_type < 0)
		return 0;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "Memory allocation "
				    "failure");
	dtp->uexec = u;
	u->rbfd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "dt_uexec", 0, 0,
				 UEXEC_RINGBUF, NULL);
	if (u->rbfd < 0)
		goto fail;
	dt_keep_fd(dtp, u->rbfd);
	if ((u->tpprog = pid_prog(u->rbfd, BPF_PROG_TYPE_RAW_TRACEPOINT)) < 0)
		goto fail;
	dt_keep_fd(dtp, u->tpprog);
	if ((u->upprog = pid_prog(u->rbfd, BPF_PROG_TYPE_KPROBE)) < 0)
		goto fail;
	dt_keep_fd(dtp, u->upprog);
	if (ring_buffer__add(dtp->rb, u->rbfd, pid_cb, dtp) < 0)
		goto fail;
	if ((link = bpf_raw_tracepoint_open("sched_process_exec",
					    u->tpprog)) < 0)
		goto fail;
	dt_keep_fd(dtp, link);
	look(dtp, getpid());	/* our own ld.so, the one most use */
	return 0;
fail:
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to watch for "
			    "programs started while tracing: %s",
			    strerror(errno));
}

void dt_uexec_free(dtrace_hdl_t *dtp)
{
	if (dtp->uexec == NULL)
		return;
	free(dtp->uexec->pids);
	free(dtp->uexec->seen);
	free(dtp->uexec);
	dtp->uexec = NULL;
}
