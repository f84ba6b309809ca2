/*
 * agg.c - aggregations, the consumer's side: maps, snapshots, the actions
 * that act on them (printa, clear, trunc, normalize, denormalize).
 *
 * Each aggregation has its own per-CPU map (dlang/dlang.h explains the
 * value layout): an array of one entry without keys, else a hash without
 * preallocation sized by -x aggsize.  A snapshot reads a whole map in
 * batches and merges the CPUs into one value per key:
 *   - a CPU whose word 0 (its update count) is 0 has no data;
 *   - for an aggregation some clause clears, a CPU whose generation (word
 *     1) is not the current one holds data from before the last clear and
 *     counts as no data.  clear() just moves the generation on (in
 *     DL_MAP_AGGGEN, which the probes read), so no update is ever lost
 *     between reading values and zeroing them; the probes restart stale
 *     values themselves on their next update;
 *   - keys stay until trunc() deletes them, so after clear() a key prints
 *     with a zero value, as in DTrace.
 * Sorting and printing are aggprint.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "libdtrace.h"

#define AGG_MINENTRIES 64

static dt_aggstate_t *state(dtrace_hdl_t *dtp)
{
	if (dtp->aggst == NULL) {
		dtp->aggst = calloc(1, sizeof(*dtp->aggst));
		if (dtp->aggst == NULL)
			abort();
	}
	return dtp->aggst;
}

/* Hash entries an aggregation gets from -x aggsize. */
static uint32_t agg_entries(const dtrace_hdl_t *dtp, const dl_agg_t *a)
{
	uint64_t per = a->tup.keysize + (uint64_t)dl_agg_nwords(a) * 8 *
		       (uint64_t)dtp->ncpus;
	uint64_t n = (uint64_t)dt_opt(dtp, DT_OPT_aggsize) / per;

	if (n < AGG_MINENTRIES)
		n = AGG_MINENTRIES;
	return n > (1u << 24) ? 1u << 24 : (uint32_t)n;
}

static int create_one(dtrace_hdl_t *dtp, dt_aggmap_t *m, const dl_agg_t *a)
{
	bool keyed = a->tup.nkeys > 0;
	LIBBPF_OPTS(bpf_map_create_opts, o,
		    .map_flags = keyed ? BPF_F_NO_PREALLOC : 0);
	char name[16];

	snprintf(name, sizeof(name), "dt_agg%u", a->id);
	m->fd = bpf_map_create(keyed ? BPF_MAP_TYPE_PERCPU_HASH :
				       BPF_MAP_TYPE_PERCPU_ARRAY, name,
			       keyed ? a->tup.keysize : 4, dl_agg_nwords(a) * 8,
			       keyed ? agg_entries(dtp, a) : 1, &o);
	if (m->fd < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to create "
				    "the map of aggregation @%s: %s", a->name,
				    strerror(errno));
	dt_keep_fd(dtp, m->fd);
	m->normal = 1;
	return 0;
}

/* The most bytes a new aggregation value needs from DL_MAP_ZERO. */
uint32_t dt_agg_maxval(const dtrace_hdl_t *dtp)
{
	uint32_t maxval = 0;

	for (size_t i = 0; i < dtp->aggs.n; i++)
		if (dl_agg_nwords(dtp->aggs.aggs[i]) * 8 > maxval)
			maxval = dl_agg_nwords(dtp->aggs.aggs[i]) * 8;
	return maxval;
}

int dt_agg_create_maps(dtrace_hdl_t *dtp)
{
	dt_aggstate_t *st = state(dtp);

	st->n = dtp->aggs.n;
	st->maps = calloc(st->n + 1, sizeof(*st->maps));
	for (size_t i = 0; i < st->n; i++)
		if (create_one(dtp, &st->maps[i], dtp->aggs.aggs[i]) < 0)
			return -1;
	return 0;
}

int dt_agg_fd(dtrace_hdl_t *dtp, uint32_t id)
{
	dt_aggstate_t *st = state(dtp);

	return id < st->n ? st->maps[id].fd : -1;
}

/* ---- snapshots ---------------------------------------------------------- */

/* Merge one CPU's words into the snapshot value v (DL_AGG_DATA words
   dropped: v[0] is the count, v[1..] the function's data). */
static void merge_cpu(const dl_agg_t *a, int64_t *v, const uint64_t *w)
{
	uint32_t d = DL_AGG_DATA(a), nd = dl_agg_nwords(a) - d;
	bool first = v[0] == 0;

	v[0] += (int64_t)w[0];
	switch (a->fn) {
	case DL_AGG_MIN:
		if (first || (int64_t)w[d] < v[1])
			v[1] = (int64_t)w[d];
		return;
	case DL_AGG_MAX:
		if (first || (int64_t)w[d] > v[1])
			v[1] = (int64_t)w[d];
		return;
	case DL_AGG_STDDEV: {
		uint64_t lo = (uint64_t)v[2] + w[d + 1];
		v[3] = (int64_t)((uint64_t)v[3] + w[d + 2] +
				 (lo < (uint64_t)v[2]));
		v[2] = (int64_t)lo;
		v[1] += (int64_t)w[d];
		return;
	}
	default:
		for (uint32_t i = 0; i < nd; i++)
			v[1 + i] += (int64_t)w[d + i];
		return;
	}
}

/* The entry of the snapshot with this key, if any. */
static dt_aggent_t *snap_find(dt_aggsnap_t *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->ents[i].key, key, s->agg->tup.keysize) == 0)
			return &s->ents[i];
	return NULL;
}

/* Add one map entry (all CPUs' values) to the snapshot.  Symbol keys
   (sym(), ufunc(), ...) are reduced to their function first, and entries
   whose keys become equal merge (stack.c). */
static void snap_add(dtrace_hdl_t *dtp, dt_aggsnap_t *s, const void *key,
		     const uint64_t *vals, int ncpus, uint64_t gen)
{
	const dl_agg_t *a = s->agg;
	uint32_t nw = dl_agg_nwords(a);
	bool seen = false;
	dt_aggent_t *e = NULL;
	char *nkey = NULL;

	for (int c = 0; c < ncpus; c++)
		seen |= vals[(size_t)c * nw] != 0;
	if (!seen)
		return;
	if (a->tup.nkeys > 0) {
		if ((nkey = malloc(a->tup.keysize + 1)) == NULL)
			abort();
		memcpy(nkey, key, a->tup.keysize);
		if (dt_stack_key_normalize(dtp, a, nkey))
			e = snap_find(s, nkey);
		key = nkey;
	}
	if (e != NULL) {
		free(nkey);
		goto merge;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->ents = realloc(s->ents, s->cap * sizeof(*s->ents));
		if (s->ents == NULL)
			abort();
	}
	e = &s->ents[s->n++];
	e->key = nkey != NULL ? nkey : malloc(a->tup.keysize + 1);
	e->val = calloc(s->vwords, sizeof(int64_t));
	e->percpu = calloc((size_t)ncpus * s->vwords, sizeof(int64_t));
	if (e->key == NULL || e->val == NULL || e->percpu == NULL)
		abort();
	if (nkey == NULL)
		memcpy(e->key, key, a->tup.keysize);
merge:
	for (int c = 0; c < ncpus; c++) {
		const uint64_t *w = &vals[(size_t)c * nw];
		if (w[0] == 0 || (a->gen && w[1] != gen))
			continue;
		merge_cpu(a, e->val, w);
		merge_cpu(a, &e->percpu[(size_t)c * s->vwords], w);
	}
}

static int snap_keyless(dtrace_hdl_t *dtp, dt_aggsnap_t *s, int fd,
			uint64_t *vals)
{
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, vals) < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to read "
				    "aggregation @%s: %s", s->agg->name,
				    strerror(errno));
	snap_add(dtp, s, &zero, vals, dtp->ncpus, s->gen);
	return 0;
}

/* Every entry of a hash map, in batches. */
static int snap_keyed(dtrace_hdl_t *dtp, dt_aggsnap_t *s, int fd)
{
	const dl_agg_t *a = s->agg;
	size_t vsize = (size_t)dl_agg_nwords(a) * 8 * (size_t)dtp->ncpus;
	uint32_t batch = 256, count;
	char *keys = malloc((size_t)batch * a->tup.keysize);
	uint64_t *vals = malloc(batch * vsize);
	uint64_t token = 0;
	void *in = NULL;
	int rc = 0;

	if (keys == NULL || vals == NULL)
		abort();
	for (;;) {
		count = batch;
		int r = bpf_map_lookup_batch(fd, in, &token, keys, vals,
					     &count, NULL);
		int err = errno;
		for (uint32_t i = 0; (r == 0 || err == ENOENT) && i < count;
		     i++)
			snap_add(dtp, s, keys + (size_t)i * a->tup.keysize,
				 (const uint64_t *)((char *)vals + i * vsize),
				 dtp->ncpus, s->gen);
		if (r < 0) {
			if (err != ENOENT)
				rc = dt_set_error(dtp, DTRACE_ERR_SYSTEM,
						  "failed to read aggregation "
						  "@%s: %s", a->name,
						  strerror(err));
			break;
		}
		in = &token;
	}
	free(keys);
	free(vals);
	return rc;
}

dt_aggsnap_t *dt_agg_snap(dtrace_hdl_t *dtp, uint32_t id)
{
	return dt_agg_snap_gen(dtp, id, state(dtp)->maps[id].gen);
}

dt_aggsnap_t *dt_agg_snap_gen(dtrace_hdl_t *dtp, uint32_t id, uint64_t gen)
{
	dt_aggstate_t *st = state(dtp);
	const dl_agg_t *a = dtp->aggs.aggs[id];
	dt_aggsnap_t *s = calloc(1, sizeof(*s));
	uint64_t *vals = calloc((size_t)dtp->ncpus, dl_agg_nwords(a) * 8);
	int rc;

	if (s == NULL || vals == NULL)
		abort();
	s->agg = a;
	s->vwords = dl_agg_nwords(a) - DL_AGG_DATA(a) + 1;
	s->gen = gen;
	s->normal = st->maps[id].normal;
	s->ncpus = dtp->ncpus;
	rc = a->tup.nkeys == 0 ? snap_keyless(dtp, s, st->maps[id].fd, vals) :
			     snap_keyed(dtp, s, st->maps[id].fd);
	free(vals);
	if (rc < 0) {
		dt_agg_snap_free(s);
		return NULL;
	}
	return s;
}

void dt_agg_snap_free(dt_aggsnap_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->ents[i].key);
		free(s->ents[i].val);
		free(s->ents[i].percpu);
	}
	free(s->ents);
	free(s);
}

/* ---- the actions ---------------------------------------------------------- */

/* clear(@a): the next generation.  Values stay in the maps; snapshots and
   the probes treat older generations as empty. */
int dt_agg_clear(dtrace_hdl_t *dtp, uint32_t id)
{
	dt_aggstate_t *st = state(dtp);
	uint32_t zero = 0;
	uint64_t *gens = calloc(st->n, sizeof(uint64_t));

	if (gens == NULL)
		abort();
	st->maps[id].gen++;
	for (size_t i = 0; i < st->n; i++)
		gens[i] = st->maps[i].gen;
	int rc = bpf_map_update_elem(dtp->mapfds[DL_MAP_AGGGEN], &zero, gens,
				     BPF_ANY);
	free(gens);
	if (rc < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to clear "
				    "@%s: %s", dtp->aggs.aggs[id]->name,
				    strerror(errno));
	return 0;
}

/* trunc(@a, n): keep the first n entries in printing order (the last -n
   for negative n), delete the others; trunc(@a) deletes them all. */
int dt_agg_trunc(dtrace_hdl_t *dtp, uint32_t id, bool all, int64_t keep)
{
	dt_aggstate_t *st = state(dtp);
	const dl_agg_t *a = dtp->aggs.aggs[id];
	dt_aggsnap_t *s = dt_agg_snap(dtp, id);

	if (s == NULL)
		return -1;
	dt_agg_sort(dtp, s);	/* by value, ascending */
	size_t from = 0, to = s->n;	/* the range to keep */
	if (all || keep == 0)
		to = 0;
	else if (keep > 0)		/* the largest */
		from = (size_t)keep < s->n ? s->n - (size_t)keep : 0;
	else				/* the smallest */
		to = (size_t)-keep < s->n ? (size_t)-keep : s->n;
	for (size_t i = 0; i < s->n; i++) {
		if (i >= from && i < to)
			continue;
		if (a->tup.nkeys > 0) {
			bpf_map_delete_elem(st->maps[id].fd, s->ents[i].key);
		} else {	/* the one entry: zero it */
			uint32_t zero = 0;
			uint64_t *z = calloc((size_t)dtp->ncpus,
					     dl_agg_nwords(a) * 8);
			bpf_map_update_elem(st->maps[id].fd, &zero, z, BPF_ANY);
			free(z);
		}
	}
	dt_agg_snap_free(s);
	return 0;
}

void dt_agg_normalize(dtrace_hdl_t *dtp, uint32_t id, uint64_t normal)
{
	state(dtp)->maps[id].normal = normal == 0 ? 1 : normal;
}

uint64_t dt_agg_gen(dtrace_hdl_t *dtp, uint32_t id)
{
	return state(dtp)->maps[id].gen;
}

void dt_agg_printed(dtrace_hdl_t *dtp, uint32_t id)
{
	state(dtp)->maps[id].printed = true;
}

void dt_agg_free(dtrace_hdl_t *dtp)
{
	if (dtp->aggst == NULL)
		return;
	free(dtp->aggst->maps);
	free(dtp->aggst);
	dtp->aggst = NULL;
}

/* At the end: every aggregation that no printa() printed, in id order. */
int dtrace_aggregate_print(dtrace_hdl_t *dtp, FILE *out)
{
	dt_aggstate_t *st = state(dtp);

	for (size_t i = 0; i < st->n; i++) {
		if (st->maps[i].printed)
			continue;
		dt_aggsnap_t *s = dt_agg_snap(dtp, (uint32_t)i);
		if (s == NULL)
			return -1;
		int rc = dt_agg_print(dtp, out, s, NULL);
		dt_agg_snap_free(s);
		if (rc < 0)
			return -1;
	}
	return 0;
}
