/*
 * udyn.c - pid and usdt probes in libraries the target loads after
 * tracing began (dlopen).
 *
 * Watching.  ld.so calls _dl_debug_state() (the r_brk of the debugger
 * interface in <link.h>) each time it has changed the process's list of
 * objects, after mapping a library and after unmapping one.  When the -c
 * or -p target has pid or usdt probes, dtrace puts a uprobe there for the
 * target (its ld.so, found among its objects) with a small hand-written
 * BPF program: it counts the call in an array map and stops the process
 * with bpf_send_signal(SIGSTOP).  The stop comes before the code that
 * called dlopen() goes on, so nothing in the new library runs untraced.
 *
 * Rescanning.  dt_udyn_tick (from every dtrace_work) reads the count;
 * when it moved, every description of the programs' clauses that names a
 * pid (pid1234:..., python1234:...) is matched again: the providers
 * populate from the target's current objects, so the new library's
 * functions and SDT notes become probes.  A new probe joins the loaded
 * program of its provider and kind whose clause set is exactly the
 * clauses whose descriptions match it, and is attached to it (the probe
 * id travels in the cookie: programs of these providers never bake the id
 * in, ops->grows); when there is no such program (a description that
 * matched nothing at start, with -Z; a usdt argument string not seen
 * before) one is compiled and loaded then (dt_prog_grow: the maps it may
 * need were made at start for this, run.c).  Its names go to the probe
 * map, which has room for DT_UDYN_PROBES probes more than were known at
 * start.  The joining (dt_udyn_join) is shared with uexec.c, which
 * finds the probes of every process in programs started later.  Then the
 * process gets SIGCONT.  A stop we did not cause (stop(), ^Z) moves no count and
 * is left alone.  While a process is watched, dtrace_work waits at most
 * DT_UDYN_POLL_MS for records, so a stop lasts about that long (twice per
 * dlopen: ld.so calls r_brk before and after mapping).
 *
 * Limits.  Only the target ($target of -c/-p) is watched; a -p process's
 * parent sees it stop and continue (a shell may say so).  A probe whose
 * program cannot be made (it would need strings the loaded string table
 * lacks) is reported once and not enabled.  Libraries unloaded keep their
 * probes in the table (the kernel removed the uprobes with the mapping).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "libdtrace.h"
#include "provider.h"

struct dt_udyn {
	int pid;		/* the process watched */
	int mapfd;		/* the count of r_brk calls */
	uint64_t seen;		/* the count handled */
};

/* count++, then SIGSTOP to the process. */
static int stop_prog(int mapfd)
{
	struct bpf_insn insns[] = {
		{ BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0 },
		{ BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4 },
		{ BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0,
		  mapfd },
		{ 0, 0, 0, 0, 0 },
		{ BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem },
		{ BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1 },
		{ BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0,
		  BPF_ADD },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, SIGSTOP },
		{ BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_send_signal },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};

	return bpf_prog_load(BPF_PROG_TYPE_KPROBE, "dt_rbrk", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

/* The target's ld.so and the file offset of its _dl_debug_state. */
static int find_rbrk(dtrace_hdl_t *dtp, int pid, char **path, uint64_t *off)
{
	dt_uobj_t *objs;
	int nobj = dt_uproc_objs(dtp, pid, &objs), found = -1;

	for (int i = 0; found < 0 && i < nobj; i++) {
		dt_usyms_t syms;

		if (strncmp(objs[i].name, "ld-", 3) != 0 ||
		    dt_usyms_read(dtp, objs[i].path, &syms) < 0)
			continue;
		for (size_t k = 0; k < syms.n; k++) {
			if (strcmp(syms.v[k].name, "_dl_debug_state") != 0)
				continue;
			*off = syms.v[k].off;
			*path = strdup(objs[i].attach);
			found = *path != NULL ? 0 : -1;
			break;
		}
		dt_usyms_free(&syms);
	}
	if (nobj > 0)
		dt_uproc_objs_free(objs, (size_t)nobj);
	return found;
}

/* Is the provider name one of pid's (pid1234, python1234)? */
static bool prov_of(const char *prov, int pid)
{
	char name[64];

	return dt_pid_of(prov) == pid ||
	       dt_usdt_split(prov, name, sizeof(name)) == pid;
}

bool dt_udyn_wanted(dtrace_hdl_t *dtp, bool (*want)(const dt_pdesc_t *,
						    void *), void *arg)
{
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t c = 0; c < p->nclauses; c++)
			for (size_t i = 0; i < p->clauses[c]->ndescs; i++) {
				dt_pdesc_t pd;

				if (dt_pdesc_parse(p->clauses[c]->descs[i],
						   &pd) == 0 && want(&pd, arg))
					return true;
			}
	return false;
}

/* May probes of this description appear while tracing? */
static bool may_grow(const dt_pdesc_t *pd, void *arg)
{
	char name[64];

	(void)arg;
	return dt_pid_of(pd->prov) > 0 ||
	       dt_usdt_split(pd->prov, name, sizeof(name)) > 0 ||
	       dt_usdt_every(pd->prov);
}

bool dt_udyn_later(dtrace_hdl_t *dtp)
{
	return dt_udyn_wanted(dtp, may_grow, NULL);
}

/* Does a description name the watched process (pid1234, python1234)? */
static bool names_pid(const dt_pdesc_t *pd, void *arg)
{
	return prov_of(pd->prov, *(const int *)arg);
}

static void set_bit(bool **v, size_t *n, uint32_t id)
{
	if (id >= *n) {
		size_t k = id + 256;
		bool *a = realloc(*v, k * sizeof(*a));

		if (a == NULL)
			return;
		memset(a + *n, 0, (k - *n) * sizeof(*a));
		*v = a;
		*n = k;
	}
	(*v)[id] = true;
}

static bool get_bit(const bool *v, size_t n, uint32_t id)
{
	return id < n && v[id];
}

int dt_udyn_arm(dtrace_hdl_t *dtp)
{
	int pid = dtp->macros.target > 0 && dtp->macros.target <= INT32_MAX ?
		  (int)dtp->macros.target : -1;
	struct perf_event_attr attr = {
		.type = (uint32_t)dtp->feat.uprobe_type,
	};
	dt_udyn_t *u;
	char *path = NULL;
	uint64_t off;
	int prog, fd, link;

	if (pid <= 0 || !dt_udyn_wanted(dtp, names_pid, &pid) ||
	    dtp->feat.uprobe_type < 0 ||
	    find_rbrk(dtp, pid, &path, &off) < 0)
		return 0;		/* no ld.so: nothing is loaded later */
	if ((u = calloc(1, sizeof(*u))) == NULL)
		goto fail;
	dtp->udyn = u;
	u->pid = pid;
	u->mapfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dt_rbrk", 4, 8, 1,
				  NULL);
	if (u->mapfd < 0)
		goto fail;
	dt_keep_fd(dtp, u->mapfd);
	if ((prog = stop_prog(u->mapfd)) < 0)
		goto fail;
	dt_keep_fd(dtp, prog);
	attr.uprobe_path = (uintptr_t)path;
	attr.probe_offset = off;
	if ((fd = dt_perf_event_open(&attr, pid, -1)) < 0)
		goto fail;
	dt_keep_fd(dtp, fd);
	if ((link = bpf_link_create(prog, fd, BPF_PERF_EVENT, NULL)) < 0)
		goto fail;
	dt_keep_fd(dtp, link);
	free(path);
	return 0;
fail:
	free(path);
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to watch process "
			    "%d for libraries it loads: %s", pid,
			    strerror(errno));
}

/* ---- joining ------------------------------------------------------------- */

typedef struct found {
	dt_probe_t *prb;
	dl_clause_t **clauses;	/* whose descriptions match it */
	size_t n;
} found_t;

typedef struct rescan {
	dtrace_hdl_t *dtp;
	dtrace_prog_t *pgp;
	found_t *v;
	size_t n;
	dl_clause_t *clause;	/* the one being matched */
} rescan_t;

static int found_cb(dtrace_hdl_t *dtp, dt_probe_t *prb, void *arg)
{
	rescan_t *r = arg;
	found_t *f = NULL, *v;
	dl_clause_t **c;

	if (!prb->ops->grows || get_bit(dtp->ureported, dtp->nureported,
					prb->id))
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].prb == prb)
			f = &r->v[i];
	if (f == NULL) {
		if ((v = realloc(r->v, (r->n + 1) * sizeof(*v))) == NULL)
			return 0;
		r->v = v;
		f = &v[r->n++];
		memset(f, 0, sizeof(*f));
		f->prb = prb;
	}
	if (f->n > 0 && f->clauses[f->n - 1] == r->clause)
		return 0;
	if ((c = realloc(f->clauses, (f->n + 1) * sizeof(*c))) == NULL)
		return 0;
	f->clauses = c;
	f->clauses[f->n++] = r->clause;
	return 0;
}

/* The program of pgp prb is in, or NULL. */
static dt_bpfprog_t *program_of(dtrace_prog_t *pgp, const dt_probe_t *prb)
{
	for (size_t i = 0; i < pgp->nprogs; i++)
		for (size_t j = 0; j < pgp->progs[i].nprobes; j++)
			if (pgp->progs[i].probes[j] == prb)
				return &pgp->progs[i];
	return NULL;
}

/* The loaded program of pgp for prb's kind whose clauses are exactly
   f's. */
static dt_bpfprog_t *program_for(dtrace_prog_t *pgp, const found_t *f)
{
	int kind = f->prb->ops->kind(f->prb);

	for (size_t i = 0; i < pgp->nprogs; i++) {
		dt_bpfprog_t *bp = &pgp->progs[i];
		bool same = bp->ops == f->prb->ops && bp->kind == kind &&
			    bp->fd >= 0 && bp->nclauses == f->n;

		for (size_t k = 0; same && k < f->n; k++)
			same = bp->clauses[k] == f->clauses[k];
		if (same)
			return bp;
	}
	return NULL;
}

static void refuse(dtrace_hdl_t *dtp, const dt_probe_t *prb, const char *why)
{
	set_bit(&dtp->ureported, &dtp->nureported, prb->id);
	fprintf(stderr, "dtrace: %s:%s:%s:%s, found while tracing, cannot be "
		"enabled: %s\n", prb->prov, prb->mod, prb->func, prb->name,
		why);
}

static void join(dtrace_hdl_t *dtp, dtrace_prog_t *pgp, const found_t *f,
		 bool again)
{
	dt_probe_t *prb = f->prb;
	dt_bpfprog_t *bp = program_of(pgp, prb);
	dl_probeinfo_t pi;
	uint32_t id = prb->id;

	if (bp != NULL) {	/* new sites of a probe enabled already */
		if (again && bp->ops->attach(dtp, prb, bp->fd) < 0)
			refuse(dtp, prb, dtrace_errmsg(dtp));
		return;
	}
	if (id > dtp->probemap_max) {
		refuse(dtp, prb, "too many probes appeared (limit is "
		       "DT_UDYN_PROBES, 1024)");
		return;
	}
	if ((bp = program_for(pgp, f)) == NULL &&
	    (bp = dt_prog_grow(dtp, pgp, prb, f->clauses, f->n)) == NULL) {
		refuse(dtp, prb, dtrace_errmsg(dtp));
		return;
	}
	dt_probe_info(prb, &pi);
	if (bpf_map_update_elem(dtp->mapfds[DL_MAP_PROBES], &id, &pi, 0) < 0 ||
	    bp->ops->attach(dtp, prb, bp->fd) < 0) {
		refuse(dtp, prb, dtrace_errmsg(dtp));
		return;
	}
	dl_vec_grow(pgp->cx->arena, (void **)&bp->probes, &bp->probecap,
		    bp->nprobes + 1, sizeof(prb));
	bp->probes[bp->nprobes++] = prb;
	pgp->nprobes++;
}

static int raises(const dt_probe_t *prb)
{
	return prb->ops->raises != NULL && prb->ops->raises(prb);
}

void dt_udyn_join(dtrace_hdl_t *dtp, const dt_ujoin_t *j)
{
	static const dt_provops_t *const none[] = { NULL };

	for (dtrace_prog_t *pgp = dtp->progs; pgp != NULL; pgp = pgp->next) {
		rescan_t r = { .dtp = dtp, .pgp = pgp };

		for (size_t c = 0; c < pgp->nclauses; c++) {
			dl_clause_t *cl = pgp->clauses[c];

			r.clause = cl;
			for (size_t i = 0; i < cl->ndescs; i++) {
				dt_pdesc_t pd;

				if (dt_pdesc_parse(cl->descs[i], &pd) < 0 ||
				    !j->want(&pd, j->arg))
					continue;
				if ((j->populate != NULL &&
				     j->populate(dtp, &pd, j->arg) < 0) ||
				    dt_probe_iter_provs(dtp, &pd, j->populate ?
							none : dt_providers,
							found_cb, &r) < 0)
					fprintf(stderr, "dtrace: %s\n",
						dtrace_errmsg(dtp));
			}
		}
		/* those that raise a semaphore last (dt_provops_t.raises) */
		for (int last = 0; last < 2; last++)
			for (size_t i = 0; i < r.n; i++)
				if (raises(r.v[i].prb) == last)
					join(dtp, pgp, &r.v[i], j->again);
		for (size_t i = 0; i < r.n; i++)
			free(r.v[i].clauses);
		free(r.v);
	}
}

/* ---- the target's libraries ------------------------------------------------ */

void dt_udyn_tick(dtrace_hdl_t *dtp)
{
	dt_udyn_t *u = dtp->udyn;
	uint32_t key = 0;
	uint64_t count;

	if (u == NULL || bpf_map_lookup_elem(u->mapfd, &key, &count) < 0 ||
	    count == u->seen)
		return;
	dt_udyn_join(dtp, &(dt_ujoin_t){ .want = names_pid, .arg = &u->pid });
	u->seen = count;
	kill(u->pid, SIGCONT);
}

void dt_udyn_free(dtrace_hdl_t *dtp)
{
	if (dtp->udyn == NULL)
		return;
	free(dtp->udyn);
	dtp->udyn = NULL;
}
