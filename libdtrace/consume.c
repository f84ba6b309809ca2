/*
 * consume.c - records from the ring buffer, printed the way DTrace prints.
 *
 * One record per clause firing (dl_rechdr_t, then the clause's fields at
 * the offsets sema laid out).  Without -q each record starts with the probe
 * line ("CPU ID FUNCTION:NAME" heading once, then "%3d %6d %32s ") and
 * ends with a newline, as dtrace(1) does; the actions print in between.
 * exit() ends processing: later records are ignored, except END's.
 * Fault records (DL_REC_FAULT) become DTrace's error message on stderr.
 * Drops are counted per CPU in BPF and reported once per change.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "libdtrace.h"
#include "provider.h"

static const char *const fault_names[] = {
	[DL_FLT_BADADDR] = "invalid address",
	[DL_FLT_BADALIGN] = "invalid alignment",
	[DL_FLT_ILLOP] = "illegal operation",
	[DL_FLT_DIVZERO] = "divide-by-zero",
	[DL_FLT_NOSCRATCH] = "out of scratch space",
	[DL_FLT_BADINDEX] = "index out of bounds",
};

static void print_fault(dtrace_hdl_t *dtp, const dl_rechdr_t *h,
			const uint32_t *data)
{
	dt_probe_t *p = dt_probe_by_id(dtp, h->probe);
	uint32_t kind = h->spec < sizeof(fault_names) / sizeof(fault_names[0]) ?
			h->spec : 0;
	uint32_t clause = h->clause & ~DL_REC_FAULT;

	fflush(dtp->out);
	uint64_t addr;
	char detail[32] = "";

	memcpy(&addr, data + 2, sizeof(addr));
	if (kind == DL_FLT_BADADDR || kind == DL_FLT_BADALIGN)
		snprintf(detail, sizeof(detail), " (0x%llx)",
			 (unsigned long long)addr);
	else if (kind == DL_FLT_BADINDEX)
		snprintf(detail, sizeof(detail), " (%lld)", (long long)addr);
	fprintf(stderr, "dtrace: error on enabled probe ID %u (ID %u: "
		"%s:%s:%s:%s): %s%s in action #%u at BPF pc %u\n",
		DL_EPID(h->probe, clause), h->probe,
		p ? p->prov : "?", p ? p->mod : "?", p ? p->func : "?",
		p ? p->name : "?",
		fault_names[kind] ? fault_names[kind] : "unknown fault",
		detail, data[0], data[1]);
}

/*
 * -F: entry probes print "-> func" and indent what follows on that CPU by
 * two, return probes undo it and print "<- func", others "| func:name".
 */
static void print_flow_line(dtrace_hdl_t *dtp, const dl_rechdr_t *h,
			    const char *func, const char *name)
{
	int *indent = &dtp->flow_indent[h->cpu % (unsigned)dtp->ncpus];

	if (strcmp(name, "entry") == 0) {
		dt_print_flow_line(dtp->out, h->cpu, *indent, "-> ", func, NULL);
		*indent += 2;
	} else if (strcmp(name, "return") == 0) {
		*indent = *indent >= 2 ? *indent - 2 : 0;
		dt_print_flow_line(dtp->out, h->cpu, *indent, "<- ", func, NULL);
	} else {
		dt_print_flow_line(dtp->out, h->cpu, *indent, "| ", func, name);
	}
}

static void print_probe_line(dtrace_hdl_t *dtp, const dl_rechdr_t *h)
{
	dt_probe_t *p = dt_probe_by_id(dtp, h->probe);
	bool flow = dt_opt(dtp, DT_OPT_flowindent) != 0;
	const char *func = p ? p->func : "", *name = p ? p->name : "";

	if (!dtp->header_printed) {
		dt_print_header(dtp->out, flow);
		dtp->header_printed = true;
	}
	if (flow)
		print_flow_line(dtp, h, func, name);
	else
		dt_print_probe_line(dtp->out, h->cpu, h->probe, func, name);
}

/*
 * Speculations: records whose header carries DL_REC_SPEC | id are held
 * here, in order, until a commit(id) record prints them (as if they had
 * just arrived) or a discard(id) record drops them; either way the id
 * goes back into DL_MAP_SPECQ for speculation() to hand out again.  A
 * speculation holds at most -x specsize bytes: records beyond are counted
 * as speculative drops.  Records of id 0 (a failed speculation()) are
 * dropped silently, as in DTrace.
 */
typedef struct dt_specbuf {
	void **recs;
	size_t *sizes;
	size_t n, cap, bytes;
} dt_specbuf_t;

static dt_specbuf_t *spec_buf(dtrace_hdl_t *dtp, uint32_t id)
{
	if (dtp->specs == NULL) {
		dtp->nspecs = (size_t)dt_opt(dtp, DT_OPT_nspec);
		dtp->specs = calloc(dtp->nspecs + 1, sizeof(*dtp->specs));
		if (dtp->specs == NULL)
			abort();
	}
	return id >= 1 && id <= dtp->nspecs ? &dtp->specs[id] : NULL;
}

void dt_spec_hold(dtrace_hdl_t *dtp, const void *data, size_t size)
{
	const dl_rechdr_t *h = data;
	dt_specbuf_t *b = spec_buf(dtp, h->spec & ~DL_REC_SPEC);

	if (b == NULL)
		return;
	if (b->bytes + size > (uint64_t)dt_opt(dtp, DT_OPT_specsize)) {
		dtp->specdrops++;
		return;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->recs = realloc(b->recs, b->cap * sizeof(*b->recs));
		b->sizes = realloc(b->sizes, b->cap * sizeof(*b->sizes));
		if (b->recs == NULL || b->sizes == NULL)
			abort();
	}
	if ((b->recs[b->n] = malloc(size)) == NULL)
		abort();
	memcpy(b->recs[b->n], data, size);
	((dl_rechdr_t *)b->recs[b->n])->spec = 0;
	b->sizes[b->n++] = size;
	b->bytes += size;
}

/* commit (print, or under fill and ring hold) or discard what
   speculation id holds; free the id. */
void dt_spec_end(dtrace_hdl_t *dtp, uint32_t id, bool commit)
{
	dt_specbuf_t *b = spec_buf(dtp, id);

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++) {
		if (commit && dt_holding(dtp))
			dt_hold(dtp, b->recs[i], b->sizes[i]);
		else if (commit)
			dt_consume_record(dtp, b->recs[i], b->sizes[i]);
		free(b->recs[i]);
	}
	b->n = 0;
	b->bytes = 0;
	if (dtp->mapfds[DL_MAP_SPECQ] > 0)
		bpf_map_update_elem(dtp->mapfds[DL_MAP_SPECQ], NULL, &id, 0);
}

void dt_spec_free(dtrace_hdl_t *dtp)
{
	for (size_t i = 0; dtp->specs != NULL && i <= dtp->nspecs; i++) {
		for (size_t j = 0; j < dtp->specs[i].n; j++)
			free(dtp->specs[i].recs[j]);
		free(dtp->specs[i].recs);
		free(dtp->specs[i].sizes);
	}
	free(dtp->specs);
	dtp->specs = NULL;
}

/* system(fmt, ...): the formatted command, run with /bin/sh once our own
   output so far is out; it writes where we write. */
static void run_system(dtrace_hdl_t *dtp, const dl_action_t *a,
		       const void *rec, size_t size)
{
	char *cmd = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&cmd, &len);

	if (f == NULL)
		return;
	dt_printf(dtp, f, a->pfmt, a->fields, a->nfields, rec, size);
	fclose(f);
	fflush(dtp->out);
	if (system(cmd) == -1) {
		fflush(dtp->out);
		fprintf(stderr, "dtrace: failed to run system(\"%s\")\n", cmd);
	}
	free(cmd);
}

/* A recorded integer argument of an action (trunc's n, normalize's). */
static int64_t rec_int(const dl_action_t *a, const void *rec)
{
	int64_t v;

	memcpy(&v, (const char *)rec + a->fields[0].off, sizeof(v));
	return v;
}

/*
 * printa(@a) whose next action naming @a is clear(@a) (the report loop
 * `printa(@a); clear(@a);`): the clear is done first and printa prints the
 * generation it ended, frozen, so no update can fall between the two and
 * be lost; the clear action itself then has nothing left to do.
 */
static bool cleared_next(const dl_clause_t *c, size_t i, uint32_t id,
			 bool *skip)
{
	for (size_t j = i + 1; j < c->nacts; j++) {
		const dl_action_t *b = &c->acts[j];
		for (size_t k = 0; k < b->naggs; k++) {
			if (b->aggs[k] != id)
				continue;
			if (b->kind != DL_ACT_CLEAR)
				return false;
			skip[j] = true;
			return true;
		}
	}
	return false;
}

static void print_printa(dtrace_hdl_t *dtp, const dl_clause_t *c, size_t i,
			 bool *skip)
{
	const dl_action_t *a = &c->acts[i];
	bool freeze[64] = { false };

	for (size_t k = 0; k < a->naggs && k < 64; k++)
		freeze[k] = cleared_next(c, i, a->aggs[k], skip);
	dt_agg_printa(dtp, dtp->out, a, freeze);
}

static void print_action(dtrace_hdl_t *dtp, const dl_action_t *a,
			 const void *rec, size_t size)
{
	switch (a->kind) {
	case DL_ACT_PRINTA:	/* print_printa() */
		return;
	case DL_ACT_CLEAR:
		dt_agg_clear(dtp, a->aggs[0]);
		return;
	case DL_ACT_TRUNC:
		dt_agg_trunc(dtp, a->aggs[0], a->nfields == 0,
			     a->nfields ? rec_int(a, rec) : 0);
		return;
	case DL_ACT_NORMALIZE:
		dt_agg_normalize(dtp, a->aggs[0], (uint64_t)rec_int(a, rec));
		return;
	case DL_ACT_DENORMALIZE:
		dt_agg_normalize(dtp, a->aggs[0], 1);
		return;
	case DL_ACT_SPECULATE: case DL_ACT_RAISE: case DL_ACT_CHILL:
	case DL_ACT_COPYOUT:
		return;
	case DL_ACT_SYSTEM:
		run_system(dtp, a, rec, size);
		return;
	case DL_ACT_FREOPEN:
		dt_freopen(dtp, a, rec, size);
		return;
	case DL_ACT_FTRUNCATE:
		dt_ftruncate(dtp);
		return;
	case DL_ACT_SETOPT:
		if (dtrace_setopt(dtp, a->fmt, a->optval) != 0) {
			fflush(dtp->out);
			fprintf(stderr, "dtrace: couldn't set option \"%s\" to "
				"\"%s\": %s\n", a->fmt,
				a->optval ? a->optval : "", dtrace_errmsg(dtp));
		}
		return;
	case DL_ACT_COMMIT: case DL_ACT_DISCARD: {
		uint32_t id;
		memcpy(&id, (const char *)rec + a->fields[0].off, sizeof(id));
		dt_spec_end(dtp, id, a->kind == DL_ACT_COMMIT);
		return;
	}
	case DL_ACT_TRACE:
		dt_print_trace(dtp, dtp->out, &a->fields[0], rec);
		return;
	case DL_ACT_PRINTF:
		dt_printf(dtp, dtp->out, a->pfmt, a->fields, a->nfields, rec,
			  size);
		return;
	case DL_ACT_STACK:
		dt_print_stacksym(dtp, dtp->out, a->fields[0].kind,
				  a->fields[0].symfmt, a->fields[0].size,
				  (const char *)rec + a->fields[0].off);
		return;
	case DL_ACT_TRACEMEM: {
		size_t n = a->fields[0].size;
		if (a->nfields > 1) {	/* dsize: at most size, at least 0 */
			int64_t d;
			memcpy(&d, (const char *)rec + a->fields[1].off, 8);
			n = d < 0 ? 0 : (uint64_t)d < n ? (size_t)d : n;
		}
		dt_print_memdump(dtp->out, (const char *)rec + a->fields[0].off,
				 n);
		return;
	}
	case DL_ACT_PRINT: {
		uint64_t addr;
		if (a->nfields == 1) {	/* a struct, union or array value */
			dt_print_value(dtp, dtp->out, a->fields[0].type,
				       (const char *)rec + a->fields[0].off,
				       a->fields[0].size);
			return;
		}
		memcpy(&addr, (const char *)rec + a->fields[0].off, 8);
		dt_print_typed(dtp, dtp->out, a->fields[1].type, addr,
			       (const char *)rec + a->fields[1].off,
			       a->fields[1].size);
		return;
	}
	case DL_ACT_EXIT:
		if (!dtp->done) {
			memcpy(&dtp->exit_status,
			       (const char *)rec + a->fields[0].off, 4);
			dtp->done = true;
		}
		return;
	}
}

/* The output ring buffer's callback: print, or under fill and ring hold
   (hold.c). */
int dt_ring_record(void *arg, void *data, size_t size)
{
	dtrace_hdl_t *dtp = arg;

	return dt_holding(dtp) ? dt_hold_record(dtp, data, size) :
				 dt_consume_record(dtp, data, size);
}

int dt_consume_record(void *arg, void *data, size_t size)
{
	dtrace_hdl_t *dtp = arg;
	const dl_rechdr_t *h = data;
	bool quiet = dt_opt(dtp, DT_OPT_quiet) != 0;

	if (size < sizeof(*h))
		return 0;
	if (h->clause & DL_REC_FAULT) {
		print_fault(dtp, h, (const uint32_t *)(h + 1));
		return 0;
	}
	if (h->clause >= dtp->nclauses)
		return 0;
	if (h->spec & DL_REC_SPEC) {
		dt_spec_hold(dtp, data, size);
		return 0;
	}
	if (dtp->done && h->probe != DT_PROBE_END)
		return 0;
	const dl_clause_t *c = dtp->clauses[h->clause];
	if (!quiet || dt_opt(dtp, DT_OPT_flowindent))
		print_probe_line(dtp, h);
	bool skip[c->nacts + 1];
	memset(skip, 0, sizeof(skip));
	for (size_t i = 0; i < c->nacts; i++) {
		if (skip[i])
			continue;
		if (c->acts[i].kind == DL_ACT_PRINTA)
			print_printa(dtp, c, i, skip);
		else
			print_action(dtp, &c->acts[i], data, size);
	}
	if (!quiet)
		fputc('\n', dtp->out);
	return 0;
}

/*
 * Drops, DTrace's way: output drops per CPU ("dtrace: N drops on CPU M"),
 * dynamic variable drops summed over CPUs ("dtrace: N dynamic variable
 * drops").  Indexed by DL_DROP_*.
 */
static const struct {
	const char *what;	/* "N <what>s<why>" */
	bool per_cpu;		/* reported per CPU, or summed */
	const char *why;
} drop_kinds[DL_DROP_NKINDS] = {
	[DL_DROP_RINGBUF] = { "drop", true, "" },
	[DL_DROP_DYNVAR] = { "dynamic variable drop", false, "" },
	[DL_DROP_AGG] = { "aggregation drop", true, "" },
	[DL_DROP_SPECUNAVAIL] = { "failed speculation", false,
				  " (no speculative buffer available)" },
	[DL_DROP_NESTED] = { "nested probe drop", false, " (a probe fired "
			     "while another was running on its CPU)" },
};

static void report_drop(dtrace_hdl_t *dtp, int kind, uint64_t n, int cpu)
{
	fflush(dtp->out);
	fprintf(stderr, "dtrace: %llu %s%s%s", (unsigned long long)n,
		drop_kinds[kind].what, n == 1 ? "" : "s",
		drop_kinds[kind].why);
	if (drop_kinds[kind].per_cpu)
		fprintf(stderr, " on CPU %d", cpu);
	fputc('\n', stderr);
}

/*
 * Firings the kernel itself kept from running because the same program
 * was running on the CPU (each program's recursion_misses, 5.12+: raw
 * tracepoints and fentry always, kprobes and tracepoints since 6.7): the
 * nested probe drops our programs cannot see.  Their sum since the last
 * report.
 */
static uint64_t kernel_misses(dtrace_hdl_t *dtp)
{
	uint64_t sum = 0;

	if (!dtp->nests)	/* no program of the script can nest at all:
				   no syscall per program per poll */
		return 0;
	for (dtrace_prog_t *p = dtp->progs; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nprogs; i++) {
			struct bpf_prog_info info;
			uint32_t len = sizeof(info);

			memset(&info, 0, sizeof(info));
			if (p->progs[i].fd >= 0 &&
			    bpf_obj_get_info_by_fd(p->progs[i].fd, &info,
						   &len) == 0)
				sum += info.recursion_misses;
		}
	if (sum <= dtp->kmisses)
		return 0;
	uint64_t n = sum - dtp->kmisses;
	dtp->kmisses = sum;
	return n;
}

/* Report one kind's drops since the last report (plus more, counted
   elsewhere, for a kind summed over CPUs); seen: [ncpus]. */
static void report_kind(dtrace_hdl_t *dtp, int kind, const uint64_t *vals,
			uint64_t *seen, uint64_t more)
{
	uint64_t sum = more;

	for (int cpu = 0; cpu < dtp->ncpus; cpu++) {
		uint64_t n = vals[cpu] - seen[cpu];
		if (vals[cpu] <= seen[cpu])
			continue;
		if (drop_kinds[kind].per_cpu)
			report_drop(dtp, kind, n, cpu);
		sum += n;
		seen[cpu] = vals[cpu];
	}
	if (!drop_kinds[kind].per_cpu && sum > 0)
		report_drop(dtp, kind, sum, -1);
}

/* Report what was dropped since the last report, kind by kind. */
void dt_report_drops(dtrace_hdl_t *dtp)
{
	uint64_t *vals = calloc((size_t)dtp->ncpus, sizeof(uint64_t));

	if (dtp->specdrops > 0) {
		fflush(dtp->out);
		fprintf(stderr, "dtrace: %llu speculative drop%s\n",
			(unsigned long long)dtp->specdrops,
			dtp->specdrops == 1 ? "" : "s");
		dtp->specdrops = 0;
	}

	for (uint32_t k = 0; k < DL_DROP_NKINDS; k++) {
		if (dtp->drops == NULL || vals == NULL ||
		    bpf_map_lookup_elem(dtp->mapfds[DL_MAP_DROPS], &k,
					vals) < 0)
			break;
		report_kind(dtp, (int)k, vals, &dtp->drops[k * dtp->ncpus],
			    k == DL_DROP_NESTED ? kernel_misses(dtp) : 0);
	}
	free(vals);
}

/* Under fill: has a CPU's buffer filled (a drop of an output record)? */
bool dt_fill_full(const dtrace_hdl_t *dtp)
{
	for (int cpu = 0; dtp->drops != NULL && cpu < dtp->ncpus; cpu++)
		if (dtp->drops[DL_DROP_RINGBUF * dtp->ncpus + cpu] > 0)
			return true;
	return false;
}
