/*
 * run.c - from compiled programs to tracing: maps, loading, attaching,
 * BEGIN and END, the work loop.
 *
 * Order matters and is DTrace's: every program is loaded first (so a
 * verifier rejection stops us before anything fires), then BEGIN fires and
 * its output is consumed, and only then are the other probes attached, so
 * no probe fires before BEGIN has run.  If BEGIN called exit(), nothing else
 * is attached at all.  END fires from dtrace_stop, after the other probes
 * produced what they will, and its records are drained before we return.
 *
 * All programs share four maps (dlang.h DL_MAP_*): the output ring buffer,
 * the read-only string table (frozen, so bpf_strncmp may use it), the probe
 * names by id, and per-CPU drop counters; a program may have one of its
 * own (DL_MAP_PROG), made by its provider's prepare().  Only when a clause
 * reads vtimestamp: the per-thread CPU clocks (DL_MAP_VTIME) and the
 * compiler's sched_switch program that keeps them (dlang/vtime.c), loaded
 * and attached with the others, before BEGIN.  Only when a program has D
 * globals: their one shared value (DL_MAP_GLOBALS), sized once every
 * program is compiled.  Only when a program has self-> variables: their
 * hash map (DL_MAP_SELF) of -x dynvarsize / 16 entries, at least 1024.
 * Aggregations: one map each (agg.c), and two they share made here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "libdtrace.h"
#include "provider.h"

/* A new map, its fd kept by the handle: the fd, or -1 with the error set. */
static int map_new(dtrace_hdl_t *dtp, enum bpf_map_type type, const char *name,
		   uint32_t ksize, uint32_t vsize, uint32_t n, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(type, name, ksize, vsize, n, &o);

	if (fd < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "failed to create BPF map %s: %s", name,
				    strerror(errno));
	dt_keep_fd(dtp, fd);
	return fd;
}

/* The handle's map idx. */
static int map_create(dtrace_hdl_t *dtp, int idx, enum bpf_map_type type,
		      const char *name, uint32_t vsize, uint32_t n,
		      uint32_t flags)
{
	uint32_t ksize = type == BPF_MAP_TYPE_RINGBUF ? 0 :
			 idx == DL_MAP_SELF || idx == DL_MAP_SELFSTR ?
			 sizeof(dl_selfkey_t) : type == BPF_MAP_TYPE_QUEUE ? 0 :
			 4;
	int fd = map_new(dtp, type, name, ksize, vsize, n, flags);

	if (fd < 0)
		return -1;
	dtp->mapfds[idx] = fd;
	return 0;
}

/*
 * The output buffer.  Under switch, -x bufsize; under fill, bufsize for
 * every CPU, so that what the CPUs may record before one fills always
 * fits; under ring, the same but at least DT_RING_MINRING (the records
 * are kept by the consumer: a small bufsize must not make the ring drop
 * bursts).  Rounded up to a power of two as the ring buffer requires.
 */
#define DT_RING_MINRING (1u << 20)
#define DT_RINGBUF_MAX (1ull << 31)	/* its size is a power of two in a
					   u32 (max_entries) */

uint64_t dt_ringbuf_want(const dtrace_hdl_t *dtp)
{
	uint64_t want = (uint64_t)dt_opt(dtp, DT_OPT_bufsize), sz;
	int64_t policy = dt_opt(dtp, DT_OPT_bufpolicy);
	int ncpus = libbpf_num_possible_cpus();

	if (policy != DT_BUFPOLICY_SWITCH)
		want *= ncpus > 0 ? (uint64_t)ncpus : 1;
	if (policy == DT_BUFPOLICY_RING && want < DT_RING_MINRING)
		want = DT_RING_MINRING;
	for (sz = (uint64_t)sysconf(_SC_PAGESIZE); sz < want; sz <<= 1)
		;
	return sz;
}

/*
 * When only dtrace-provider probes (BEGIN, END, ERROR) write to it, each
 * fires once and is read at once, so it need only hold one record of
 * every clause: a BEGIN one-liner maps a page, not 2 x 4 MiB (the ring's
 * pages are mapped twice, and count in our RSS).
 */
static uint32_t ringbuf_size(dtrace_hdl_t *dtp)
{
	uint32_t sz = (uint32_t)sysconf(_SC_PAGESIZE);
	uint64_t want = dt_ringbuf_want(dtp);
	bool only_dtrace = !dt_udyn_later(dtp);	/* none may come later */
	uint64_t once = 0;

	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++)
			only_dtrace &= p->progs[i].ops == &dt_prov_dtrace;
	for (size_t i = 0; i < dtp->nclauses; i++)
		once += dtp->clauses[i]->recsize + 8;	/* + ring header */
	if (only_dtrace && once * 2 < want)
		want = once * 2;
	while (sz < want && sz < DT_RINGBUF_MAX)
		sz <<= 1;
	return sz;
}

/*
 * The output ring buffer, with DTrace's -x bufresize: when the kernel
 * cannot make a buffer of bufsize (too large for a ring buffer, or not
 * enough memory), auto halves bufsize until it can (dtrace(1) then says
 * "buffer size lowered to ..."), manual fails as DTrace does.
 */
static int create_ringbuf(dtrace_hdl_t *dtp)
{
	bool manual = dt_opt(dtp, DT_OPT_bufresize) == DT_BUFRESIZE_MANUAL;

	for (;;) {
		int64_t bufsize = dt_opt(dtp, DT_OPT_bufsize);
		int fd = -1, err = ENOMEM;
		if (dt_ringbuf_want(dtp) <= DT_RINGBUF_MAX) {
			fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "dt_output",
					    0, 0, ringbuf_size(dtp), NULL);
			err = errno;
		}
		if (fd >= 0) {
			dt_keep_fd(dtp, fd);
			dtp->mapfds[DL_MAP_RINGBUF] = fd;
			return 0;
		}
		if (err != ENOMEM && err != E2BIG)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to "
					    "create BPF map dt_output: %s",
					    strerror(err));
		if (manual || bufsize / 2 < 8)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "%s",
					    strerror(ENOMEM));
		dtp->opts[DT_OPT_bufsize].i = bufsize / 2 & ~(int64_t)7;
		dtp->opts[DT_OPT_bufsize].set = true;
	}
}

static bool map_needed(dtrace_hdl_t *dtp, int idx);

/*
 * -x bufpolicy=fill: what each CPU's buffer has left, bufsize less the
 * room END's records need (END is not counted, so it always fits), as
 * DTrace keeps; END needing more than bufsize is DTrace's error.
 */
static int create_bufleft(dtrace_hdl_t *dtp)
{
	uint64_t end = 0, size = (uint64_t)dt_opt(dtp, DT_OPT_bufsize);
	uint32_t key = 0;

	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++) {
			dt_bpfprog_t *bp = &p->progs[i];
			bool is_end = false;
			for (size_t j = 0; j < bp->nprobes; j++)
				is_end |= bp->probes[j]->id == DT_PROBE_END;
			for (size_t j = 0; is_end && j < bp->nclauses; j++)
				end += dt_hold_recsize(bp->clauses[j]->recsize);
		}
	if (end > size)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "END enablings "
				    "exceed size of principal buffer");
	if (!map_needed(dtp, DL_MAP_BUFLEFT))
		return 0;
	if (map_create(dtp, DL_MAP_BUFLEFT, BPF_MAP_TYPE_PERCPU_ARRAY,
		       "dt_bufleft", 8, 1, 0) < 0)
		return -1;
	uint64_t *left = calloc((size_t)dtp->ncpus, sizeof(uint64_t));
	for (int i = 0; left != NULL && i < dtp->ncpus; i++)
		left[i] = size - end;
	int rc = left == NULL || bpf_map_update_elem(
			dtp->mapfds[DL_MAP_BUFLEFT], &key, left, 0) < 0 ?
		 dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to size the "
			      "fill buffers: %s", strerror(errno)) : 0;
	free(left);
	return rc;
}

/* The names of every probe a program with several probes may read, in one
   batch update (programs with one probe have them as constants). */
/* Does the program read its probe's names from the probe map? */
static bool named_by_map(const dt_bpfprog_t *bp)
{
	return bp->nprobes > 1 || (bp->nprobes == 1 && bp->ops->grows);
}

/* Room in the probe map for probes that appear while tracing. */
static uint32_t probes_later(dtrace_hdl_t *dtp)
{
	return dt_udyn_later(dtp) ? DT_UDYN_PROBES : 0;
}

static int fill_probes(dtrace_hdl_t *dtp)
{
	size_t n = 0, cap = 0;
	uint32_t *keys = NULL;
	dl_probeinfo_t *vals = NULL;
	int rc = 0;

	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++)
			cap += named_by_map(&p->progs[i]) ?
			       p->progs[i].nprobes : 0;
	keys = calloc(cap + 1, sizeof(*keys));
	vals = calloc(cap + 1, sizeof(*vals));
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++)
			for (size_t j = 0; named_by_map(&p->progs[i]) &&
			     j < p->progs[i].nprobes; j++, n++) {
				keys[n] = p->progs[i].probes[j]->id;
				dt_probe_info(p->progs[i].probes[j], &vals[n]);
			}
	uint32_t count = (uint32_t)n;
	if (n > 0 && bpf_map_update_batch(dtp->mapfds[DL_MAP_PROBES], keys,
					  vals, &count, NULL) < 0)
		rc = dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				  "failed to fill the probe map: %s",
				  strerror(errno));
	free(keys);
	free(vals);
	return rc;
}

static bool uses_vtime(const dtrace_hdl_t *dtp)
{
	for (size_t i = 0; i < dtp->nclauses; i++)
		if (dtp->clauses[i]->uses_vtime)
			return true;
	return false;
}

/* DL_MAP_SELF's entries: -x dynvarsize / DL_SELF_ENTRYSIZE, at least
   DL_SELF_MINENTRIES (dlang.h). */
static uint32_t self_entries(const dtrace_hdl_t *dtp)
{
	int64_t n = dt_opt(dtp, DT_OPT_dynvarsize) / DL_SELF_ENTRYSIZE;

	if (n < DL_SELF_MINENTRIES)
		return DL_SELF_MINENTRIES;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Does any program refer to map idx? */
static bool map_used(const dtrace_hdl_t *dtp, int idx)
{
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++)
			for (size_t r = 0; r < p->progs[i].code.nrelocs; r++)
				if (p->progs[i].code.relocs[r].mapidx ==
				    (uint32_t)idx)
					return true;
	return false;
}

/* Is map idx made?  If any program uses it, or if probes may appear while
   tracing: a program made then (dt_prog_grow) may need it. */
static bool map_needed(dtrace_hdl_t *dtp, int idx)
{
	return map_used(dtp, idx) || dt_udyn_later(dtp);
}

/* One hash map per associative array: -x dynvarsize bytes' worth of
   entries, at least DL_SELF_MINENTRIES. */
static int create_assocs(dtrace_hdl_t *dtp)
{
	dtp->assocfds = calloc(dtp->assocs.n + 1, sizeof(int));
	for (size_t i = 0; i < dtp->assocs.n; i++) {
		const dl_assoc_t *a = dtp->assocs.v[i];
		int64_t n = dt_opt(dtp, DT_OPT_dynvarsize) /
			    (a->tup.keysize + a->valsize);
		char name[32];

		if (n < DL_SELF_MINENTRIES)
			n = DL_SELF_MINENTRIES;
		snprintf(name, sizeof(name), "dt_assoc%zu", i);
		dtp->assocfds[i] = bpf_map_create(BPF_MAP_TYPE_HASH, name,
						  a->tup.keysize, a->valsize,
						  (uint32_t)n, NULL);
		if (dtp->assocfds[i] < 0)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to "
					    "create the map of array %s: %s",
					    a->name, strerror(errno));
		dt_keep_fd(dtp, dtp->assocfds[i]);
	}
	return 0;
}

/* A map holding the string table as it is now, read-only for programs
   and frozen (the verifier may then treat its strings as constants): its
   fd (kept by the handle), or -1 with the error set. */
int dt_strtab_map(dtrace_hdl_t *dtp)
{
	uint32_t key = 0, stlen = (uint32_t)dtp->strtab.len + 1;
	int fd = map_new(dtp, BPF_MAP_TYPE_ARRAY, "dt_strtab", 4, stlen, 1,
			 BPF_F_RDONLY_PROG);
	char *st;

	if (fd < 0)
		return -1;
	if ((st = calloc(1, stlen)) == NULL)
		abort();
	if (dtp->strtab.len)
		memcpy(st, dtp->strtab.data, dtp->strtab.len);
	int rc = bpf_map_update_elem(fd, &key, st, BPF_ANY) ?:
		 bpf_map_freeze(fd);
	free(st);
	if (rc < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to fill "
				    "the string table: %s", strerror(errno));
	return fd;
}

static int create_maps(dtrace_hdl_t *dtp)
{
	dtp->ncpus = libbpf_num_possible_cpus();
	int rc = create_ringbuf(dtp);
	if (rc == 0 && (dtp->mapfds[DL_MAP_STRTAB] = dt_strtab_map(dtp)) < 0)
		rc = -1;
	dtp->probemap_max = (uint32_t)dtp->nprobes + probes_later(dtp);
	rc = rc ?: map_create(dtp, DL_MAP_PROBES, BPF_MAP_TYPE_ARRAY,
			      "dt_probes", sizeof(dl_probeinfo_t),
			      dtp->probemap_max + 1, 0);
	rc = rc ?: map_create(dtp, DL_MAP_DROPS, BPF_MAP_TYPE_PERCPU_ARRAY,
			      "dt_drops", 8, DL_DROP_NKINDS + 1, 0);
	if (dt_opt(dtp, DT_OPT_bufpolicy) == DT_BUFPOLICY_FILL)
		rc = rc ?: create_bufleft(dtp);
	if (uses_vtime(dtp))
		rc = rc ?: map_create(dtp, DL_MAP_VTIME, BPF_MAP_TYPE_LRU_HASH,
				      "dt_vtime", sizeof(dl_vtime_t),
				      DL_VTIME_MAXTHREADS, 0);
	if (dl_globals_size(&dtp->globals) > 0)	/* zero-filled */
		rc = rc ?: map_create(dtp, DL_MAP_GLOBALS, BPF_MAP_TYPE_ARRAY,
				      "dt_globals",
				      dl_globals_size(&dtp->globals), 1, 0);
	if (dtp->selfvars.n > 0)
		rc = rc ?: map_create(dtp, DL_MAP_SELF, BPF_MAP_TYPE_HASH,
				      "dt_self", 8, self_entries(dtp), 0);
	uint32_t selfstr = dl_vars_strsize(&dtp->selfvars);
	if (selfstr > 0)
		rc = rc ?: map_create(dtp, DL_MAP_SELFSTR, BPF_MAP_TYPE_HASH,
				      "dt_selfstr", selfstr,
				      self_entries(dtp), 0);
	uint32_t zero = dt_agg_maxval(dtp) > selfstr ? dt_agg_maxval(dtp) :
							selfstr;
	for (size_t i = 0; i < dtp->assocs.n; i++)
		if (dtp->assocs.v[i]->valsize > zero)
			zero = dtp->assocs.v[i]->valsize;
	if (zero > 0 && map_needed(dtp, DL_MAP_ZERO))
		rc = rc ?: map_create(dtp, DL_MAP_ZERO, BPF_MAP_TYPE_ARRAY,
				      "dt_zero", zero, 1, 0);
	/* a clear()ed aggregation's */
	if (dtp->aggs.n > 0 && map_needed(dtp, DL_MAP_AGGGEN))
		rc = rc ?: map_create(dtp, DL_MAP_AGGGEN, BPF_MAP_TYPE_ARRAY,
				      "dt_agggen", (uint32_t)dtp->aggs.n * 8,
				      1, 0);
	if (map_needed(dtp, DL_MAP_SPECQ)) {	/* ids 1 .. nspec, free */
		uint32_t nspec = (uint32_t)dt_opt(dtp, DT_OPT_nspec);
		rc = rc ?: map_create(dtp, DL_MAP_SPECQ, BPF_MAP_TYPE_QUEUE,
				      "dt_specq", 4, nspec ? nspec : 1, 0);
		for (uint32_t id = 1; rc == 0 && id <= nspec; id++)
			if (bpf_map_update_elem(dtp->mapfds[DL_MAP_SPECQ],
						NULL, &id, 0) < 0)
				rc = dt_set_error(dtp, DTRACE_ERR_SYSTEM,
						  "failed to fill the "
						  "speculation queue: %s",
						  strerror(errno));
	}
	if (map_needed(dtp, DL_MAP_SCRATCH))
		rc = rc ?: map_create(dtp, DL_MAP_SCRATCH,
				      BPF_MAP_TYPE_PERCPU_ARRAY, "dt_scratch",
				      DL_SCRATCH_SIZE, 1, 0);
	if (map_needed(dtp, DL_MAP_CHILL))
		rc = rc ?: map_create(dtp, DL_MAP_CHILL,
				      BPF_MAP_TYPE_PERCPU_ARRAY, "dt_chill",
				      sizeof(dl_chill_t), 1, 0);
	if (map_needed(dtp, DL_MAP_STRTOK))	/* { u64 position; string } */
		rc = rc ?: map_create(dtp, DL_MAP_STRTOK,
				      BPF_MAP_TYPE_PERCPU_ARRAY, "dt_strtok",
				      8 + (uint32_t)dt_opt(dtp, DT_OPT_strsize),
				      1, 0);
	return rc ?: dt_agg_create_maps(dtp) ?: create_assocs(dtp) ?:
	       fill_probes(dtp);
}

/* The last lines of a verifier log: where it gave up and why. */
static const char *log_tail(const char *log, int lines)
{
	const char *p = log + strlen(log);

	while (p > log && (p[-1] == '\n' || p[-1] == ' '))
		p--;
	while (p > log && lines > 0)
		if (*--p == '\n')
			lines--;
	return p == log ? p : p + 1;
}

/*
 * The instruction the verifier gave up on: the last "N: (op) ..." line of
 * its log (state lines are "N: R1=..."), or -1 if it rejected the program
 * before walking it (a bad jump, a too large program).
 */
int dt_verifier_insn(const char *log)
{
	int insn = -1;

	for (const char *p = log; p != NULL && *p != '\0';) {
		char *end;
		long n = strtol(p, &end, 10);

		if (end != p && *p >= '0' && *p <= '9' &&
		    strncmp(end, ": (", 3) == 0 && n <= INT32_MAX)
			insn = (int)n;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return insn;
}

/*
 * Where a rejected program came from, for its message: the probe, the
 * clause the instruction insn belongs to (emit.c tags each one) and its D
 * line: "clause 2 (syscall::read:entry) at line 7 of x.d, instruction 41
 * of 96".  Instructions of no clause (the prologue, the exit) are the
 * program's own.
 */
void dt_verifier_where(const dt_bpfprog_t *bp, int insn, char *buf,
		       size_t size)
{
	const dt_probe_t *p = bp->nprobes > 0 ? bp->probes[0] : NULL;
	int n = p == NULL ? -1 : snprintf(buf, size, "for probe %s:%s:%s:%s",
					  p->prov, p->mod, p->func, p->name);
	size_t len = n < 0 ? 0 : (size_t)n;
	int32_t cl = insn >= 0 && (size_t)insn < bp->code.ninsns &&
		     bp->code.clause != NULL ? bp->code.clause[insn] : 0;

	if (len < size && bp->nprobes > 1)
		len += (size_t)snprintf(buf + len, size - len, " (and %zu more)",
					bp->nprobes - 1);
	if (len < size && cl > 0 && (size_t)cl <= bp->nclauses) {
		const dl_clause_t *c = bp->clauses[cl - 1];
		len += (size_t)snprintf(buf + len, size - len,
					": clause %d (%s) at line %d of %s",
					(int)c->id + 1, c->descs[0],
					c->node->loc.line,
					c->node->loc.file ? c->node->loc.file
							  : "the -n program");
	} else if (len < size && bp->nclauses > 0) {
		len += (size_t)snprintf(buf + len, size - len,
					": outside its %zu clause%s (the "
					"first at line %d)", bp->nclauses,
					bp->nclauses == 1 ? "" : "s",
					bp->clauses[0]->node->loc.line);
	}
	if (len < size && insn >= 0)
		snprintf(buf + len, size - len, ", instruction %d of %zu",
			 insn, bp->code.ninsns);
}

/*
 * A program with a callback (chill()'s, for bpf_loop: emit.c) is two
 * functions, which the kernel wants described: a BTF of two FUNCs (the
 * program, global; the callback, static, long (u64, void *)) and their
 * func_info.  Returns the BTF's fd (kept by the handle), or -1 with the
 * error set.
 */
static int func_btf(dtrace_hdl_t *dtp, const bpf_code_t *code,
		    struct bpf_func_info fi[2])
{
	struct btf *btf = btf__new_empty();
	int fd = -1;

	if (btf != NULL) {
		int u64 = btf__add_int(btf, "u64", 8, 0);
		int lng = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
		int ptr = btf__add_ptr(btf, 0);
		int mainp = btf__add_func_proto(btf, lng);
		btf__add_func_param(btf, "ctx", ptr);
		int cbp = btf__add_func_proto(btf, lng);
		btf__add_func_param(btf, "index", u64);
		btf__add_func_param(btf, "ctx", ptr);
		int mainf = btf__add_func(btf, "dt_prog", BTF_FUNC_GLOBAL,
					  mainp);
		int cbf = btf__add_func(btf, "dt_spin", BTF_FUNC_STATIC, cbp);
		uint32_t size;
		const void *raw = cbf > 0 && mainf > 0 ?
				  btf__raw_data(btf, &size) : NULL;
		fd = raw == NULL ? -1 : bpf_btf_load(raw, size, NULL);
		fi[0] = (struct bpf_func_info){ 0, (uint32_t)mainf };
		fi[1] = (struct bpf_func_info){ (uint32_t)code->cbstart,
						(uint32_t)cbf };
		btf__free(btf);
	}
	if (fd < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to load "
				    "the BTF of chill()'s callback: %s",
				    strerror(errno));
	dt_keep_fd(dtp, fd);
	return fd;
}

int dt_run_load_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	struct bpf_insn *insns = bp->code.insns;
	size_t logsz = 1 << 22;
	int type = bp->ops->prog_type_of != NULL ?
		   bp->ops->prog_type_of(bp->kind) : bp->ops->prog_type;

	if (bp->ops->prepare != NULL && bp->ops->prepare(dtp, bp) < 0)
		return -1;
	for (size_t i = 0; i < bp->code.ninsns; i++)	/* copyout() */
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg == 0 &&
		    insns[i].imm == BPF_FUNC_probe_write_user &&
		    dt_features_write_user(dtp) < 0)
			return -1;
	for (size_t i = 0; i < bp->code.nrelocs; i++) {
		bpf_reloc_t *r = &bp->code.relocs[i];
		insns[r->insn].src_reg = BPF_PSEUDO_MAP_FD;
		insns[r->insn].imm = r->mapidx == DL_MAP_PROG ?
			bp->progmap_fd : r->mapidx >= DL_MAP_ASSOC0 ?
			dtp->assocfds[r->mapidx - DL_MAP_ASSOC0] :
			r->mapidx >= DL_MAP_AGG0 ?
			dt_agg_fd(dtp, r->mapidx - DL_MAP_AGG0) :
			r->mapidx == DL_MAP_STRTAB && bp->own_strtab ?
			bp->strtab_fd : dtp->mapfds[r->mapidx];
	}
	struct bpf_func_info fi[2];
	int btf_fd = bp->code.cbstart == 0 ? 0 : func_btf(dtp, &bp->code, fi);
	if (btf_fd < 0)
		return -1;
	LIBBPF_OPTS(bpf_prog_load_opts, lo,
		    .expected_attach_type = bp->attach_type,
		    .attach_btf_id = bp->attach_btf_id);
	if (btf_fd > 0) {
		lo.prog_btf_fd = (uint32_t)btf_fd;
		lo.func_info = fi;
		lo.func_info_cnt = 2;
		lo.func_info_rec_size = sizeof(fi[0]);
	}
	bp->fd = bpf_prog_load(type, bp->name, "GPL", insns,
			       bp->code.ninsns, &lo);
	if (bp->fd >= 0) {
		dt_keep_fd(dtp, bp->fd);
		return 0;
	}
	/* load again, for the verifier's reasons */
	char *log = calloc(1, logsz);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log,
		    .log_size = (uint32_t)logsz, .log_level = 1,
		    .expected_attach_type = bp->attach_type,
		    .attach_btf_id = bp->attach_btf_id,
		    .prog_btf_fd = lo.prog_btf_fd, .func_info = lo.func_info,
		    .func_info_cnt = lo.func_info_cnt,
		    .func_info_rec_size = lo.func_info_rec_size);
	int err = errno;
	int fd = bpf_prog_load(type, bp->name, "GPL", insns,
			       bp->code.ninsns, &o);
	if (fd >= 0)
		close(fd);
	char where[512];
	dt_verifier_where(bp, dt_verifier_insn(log), where, sizeof(where));
	dt_set_error(dtp, DTRACE_ERR_SYSTEM,
		     "the kernel's verifier rejected %s %s: %s [this is a "
		     "dtrace bug: please report it]\n%s", bp->name, where,
		     strerror(err), log_tail(log, 12));
	free(log);
	return -1;
}

static int attach_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp, bool dtrace_prov)
{
	if ((bp->ops == &dt_prov_dtrace) != dtrace_prov)
		return 0;
	if (bp->ops->attach_prog != NULL)
		return bp->ops->attach_prog(dtp, bp);
	for (size_t i = 0; i < bp->nprobes; i++)
		if (bp->ops->attach(dtp, bp->probes[i], bp->fd) < 0)
			return -1;
	return 0;
}

static int for_each_prog(dtrace_hdl_t *dtp,
			 int (*fn)(dtrace_hdl_t *, dt_bpfprog_t *, bool),
			 bool arg)
{
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++)
			if (fn(dtp, &p->progs[i], arg) < 0)
				return -1;
	return 0;
}

/* The sched_switch program behind vtimestamp, compiled with its map fd in
   place: 0, or -1 with the error set. */
static int vtime_code(dtrace_hdl_t *dtp, dl_ctx_t *cx, bpf_code_t *code)
{
	if (dl_compile_vtime(cx, dt_opt(dtp, DT_OPT_irchk) != 0, code) < 0)
		return dt_set_error(dtp, DTRACE_ERR_COMPILE, "vtimestamp: %s",
				    cx->err.msg);
	for (size_t i = 0; i < code->nrelocs; i++) {
		struct bpf_insn *in = &code->insns[code->relocs[i].insn];
		in->src_reg = BPF_PSEUDO_MAP_FD;
		in->imm = dtp->mapfds[code->relocs[i].mapidx];
	}
	return 0;
}

/* ... loaded (a tiny program: always with the verifier's log) and, unless
   attach is false (-x loadonly), attached to the raw tracepoint; the fds
   are kept by the handle. */
static int load_vtime(dtrace_hdl_t *dtp, bool attach)
{
	dl_ctx_t *cx = dl_ctx_create(&dtp->macros);
	bpf_code_t code;
	char *log = calloc(1, 1 << 16);
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log,
		    .log_size = 1 << 16, .log_level = 1);
	int rc = vtime_code(dtp, cx, &code);
	int fd = rc < 0 ? -1 : bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT,
					     "dt_vtime", "GPL", code.insns,
					     code.ninsns, &o);

	if (rc == 0 && fd < 0)
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to load the "
			     "vtimestamp program: %s [this is a dtrace bug: "
			     "please report it]\n%s", strerror(errno),
			     log_tail(log, 12));
	int link = fd < 0 || !attach ? -1 :
		   bpf_raw_tracepoint_open("sched_switch", fd);
	if (fd >= 0 && attach && link < 0)
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			     "sched_switch for vtimestamp: %s",
			     strerror(errno));
	if (fd >= 0)
		dt_keep_fd(dtp, fd);
	if (link >= 0)
		dt_keep_fd(dtp, link);
	free(log);
	dl_ctx_destroy(cx);
	return fd < 0 || (attach && link < 0) ? -1 : 0;
}

static int load_cb(dtrace_hdl_t *dtp, dt_bpfprog_t *bp, bool unused)
{
	return dt_run_load_prog(dtp, bp);
}

int dt_run_load(dtrace_hdl_t *dtp)
{
	/* a script's first programs were compiled before its later ones
	   showed whether its probes may nest */
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		if (dt_prog_guard(dtp, p) < 0)
			return -1;
	if (create_maps(dtp) < 0 || for_each_prog(dtp, load_cb, false) < 0 ||
	    (uses_vtime(dtp) && load_vtime(dtp, true) < 0))
		return -1;
	dtp->rb = ring_buffer__new(dtp->mapfds[DL_MAP_RINGBUF],
				   dt_ring_record, dtp, NULL);
	if (dtp->rb == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "failed to set up the output buffer: %s",
				    strerror(errno));
	dtp->drops = calloc((size_t)dtp->ncpus * DL_DROP_NKINDS,
			    sizeof(uint64_t));
	dtp->flow_indent = calloc((size_t)dtp->ncpus, sizeof(int));
	return for_each_prog(dtp, attach_prog, true);
}

/*
 * -x loadonly: every program through the verifier, nothing attached, BEGIN
 * not fired.  The handle is then good only for dtrace_close().
 */
int dtrace_load(dtrace_hdl_t *dtp)
{
	return create_maps(dtp) < 0 || for_each_prog(dtp, load_cb, false) < 0 ||
	       (uses_vtime(dtp) && load_vtime(dtp, false) < 0) ? -1 : 0;
}

/* Fire a dtrace-provider probe: every program that has it, in order. */
int dt_run_fire(dtrace_hdl_t *dtp, uint32_t probe_id)
{
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++) {
			dt_bpfprog_t *bp = &p->progs[i];
			for (size_t j = 0; j < bp->nprobes; j++)
				if (bp->probes[j]->id == probe_id &&
				    dt_dtrace_fire(dtp, probe_id, bp->fd) < 0)
					return -1;
		}
	return 0;
}

int dtrace_go(dtrace_hdl_t *dtp)
{
	if (dt_run_load(dtp) < 0 || dt_run_fire(dtp, DT_PROBE_BEGIN) < 0)
		return -1;
	ring_buffer__consume(dtp->rb);
	if (dtp->done)
		return 0;
	dt_ucache_tick(dtp);	/* the target's mappings, for ustack() */
	if (for_each_prog(dtp, attach_prog, false) < 0)
		return -1;
	/* libraries loaded later, programs started later */
	return dt_udyn_arm(dtp) ?: dt_uexec_arm(dtp);
}

dtrace_workstatus_t dtrace_work(dtrace_hdl_t *dtp, int timeout_ms)
{
	if (dtp->done)
		return DTRACE_WORK_DONE;
	dt_ucache_tick(dtp);	/* the target's mappings, for ustack() */
	dt_udyn_tick(dtp);	/* and the libraries it loaded */
	if (dtp->udyn != NULL && timeout_ms > DT_UDYN_POLL_MS)
		timeout_ms = DT_UDYN_POLL_MS;	/* it may be stopped */
	int n = ring_buffer__poll(dtp->rb, timeout_ms);
	/* records come without wakeups unless the buffer fills (lower.c):
	   read what is there whether or not we were woken */
	if (n >= 0 || n == -EINTR) {
		int c = ring_buffer__consume(dtp->rb);
		n = c < 0 ? c : n;
	}
	dt_uexec_tick(dtp);	/* the execs that woke us, at once */
	if (n < 0 && n != -EINTR) {
		dt_set_error(dtp, DTRACE_ERR_SYSTEM,
			     "failed to read the output buffer: %s",
			     strerror(-n));
		return DTRACE_WORK_ERROR;
	}
	dt_report_drops(dtp);
	if (dt_opt(dtp, DT_OPT_bufpolicy) == DT_BUFPOLICY_FILL &&
	    dt_fill_full(dtp))
		dtp->done = true;	/* a CPU's buffer filled */
	return dtp->done ? DTRACE_WORK_DONE : DTRACE_WORK_OKAY;
}

int dtrace_stop(dtrace_hdl_t *dtp)
{
	if (dtp->stopped || dtp->rb == NULL)
		return 0;
	dtp->stopped = true;
	/* what the probes produced before END (under fill and ring, all
	   they recorded: hold.c), then END itself */
	ring_buffer__consume(dtp->rb);
	dtp->done = false;
	if (dt_opt(dtp, DT_OPT_bufpolicy) != DT_BUFPOLICY_SWITCH) {
		dt_report_drops(dtp);
		dt_hold_flush(dtp);
		dtp->done = false;
	}
	if (dt_run_fire(dtp, DT_PROBE_END) < 0)
		return -1;
	ring_buffer__consume(dtp->rb);
	dtp->done = true;
	dt_report_drops(dtp);
	fflush(dtp->out);
	return 0;
}
