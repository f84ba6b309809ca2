/*
 * hold.c - the fill and ring buffer policies: records held until tracing
 * stops, then printed.
 *
 * DTrace's principal buffers are per CPU.  Under -x bufpolicy=switch (the
 * default) the consumer prints them as it reads them.  Under fill and ring
 * it reads them only once tracing has stopped: fill stops tracing when a
 * CPU's buffer of -x bufsize bytes cannot take a record (the probes count
 * what each CPU recorded in DL_MAP_BUFUSED and drop, as a drop on that
 * CPU, what would not fit: lower.c), ring keeps on each CPU only the
 * newest -x bufsize bytes (a flight recorder).
 *
 * Our output is one BPF ring buffer shared by every CPU, read as it
 * fills: under fill and ring its records are moved here, into one queue
 * per CPU, and printed, oldest first across CPUs, by dt_hold_flush() when
 * tracing stops (before END's records, which are printed as they come).
 * Under ring a CPU's queue gives up its oldest records while it holds
 * more than bufsize bytes.  A record's size is its clause's record size
 * rounded up to 8, as the probes count it under fill.
 *
 * Speculations do not wait: a speculative record goes to its speculation
 * at once and commit() or discard() happens when its record arrives
 * (committed records join the queues), so that ids are freed while
 * tracing goes on; the held commit record has its id zeroed and does
 * nothing more when printed.  An exit() record stops tracing when it
 * arrives; its status is taken when it is printed.
 */
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

typedef struct dt_held {
	void *rec;
	size_t size;
	uint64_t seq;		/* arrival order, over every CPU */
} dt_held_t;

typedef struct dt_holdq {	/* a circular queue */
	dt_held_t *v;
	size_t head, n, cap;
	uint64_t bytes;		/* what its records count */
} dt_holdq_t;

bool dt_holding(const dtrace_hdl_t *dtp)
{
	return dt_opt(dtp, DT_OPT_bufpolicy) != DT_BUFPOLICY_SWITCH &&
	       !dtp->flushing;
}

uint64_t dt_hold_recsize(uint32_t recsize)
{
	return ((uint64_t)recsize + 7) & ~(uint64_t)7;
}

static dt_holdq_t *holdq(dtrace_hdl_t *dtp, uint32_t cpu)
{
	if (dtp->holdqs == NULL &&
	    (dtp->holdqs = calloc((size_t)dtp->ncpus + 1,
				  sizeof(*dtp->holdqs))) == NULL)
		abort();
	/* the last queue takes what names no CPU we know */
	return &dtp->holdqs[cpu < (uint32_t)dtp->ncpus ? cpu :
			    (uint32_t)dtp->ncpus];
}

static void pop(dt_holdq_t *q)
{
	dt_held_t *h = &q->v[q->head];

	q->bytes -= dt_hold_recsize((uint32_t)h->size);
	free(h->rec);
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

static void push(dtrace_hdl_t *dtp, void *rec, size_t size)
{
	dt_holdq_t *q = holdq(dtp, ((const dl_rechdr_t *)rec)->cpu);
	uint64_t sz = dt_hold_recsize((uint32_t)size);
	uint64_t max = (uint64_t)dt_opt(dtp, DT_OPT_bufsize);

	if (dt_opt(dtp, DT_OPT_bufpolicy) == DT_BUFPOLICY_RING)
		while (q->n > 0 && q->bytes + sz > max)
			pop(q);
	if (q->n == q->cap) {		/* grow, unwrapping */
		size_t cap = q->cap ? q->cap * 2 : 64;
		dt_held_t *v = malloc(cap * sizeof(*v));
		if (v == NULL)
			abort();
		for (size_t i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = v;
		q->cap = cap;
		q->head = 0;
	}
	q->v[(q->head + q->n++) % q->cap] =
		(dt_held_t){ rec, size, dtp->holdseq++ };
	q->bytes += sz;
}

/* A copy of the record, held. */
void dt_hold(dtrace_hdl_t *dtp, const void *data, size_t size)
{
	void *rec = malloc(size);

	if (rec == NULL)
		abort();
	memcpy(rec, data, size);
	push(dtp, rec, size);
}

/* The ring buffer's callback under fill and ring (before the flush). */
int dt_hold_record(dtrace_hdl_t *dtp, void *data, size_t size)
{
	const dl_rechdr_t *h = data;

	if (size < sizeof(*h))
		return 0;
	if (h->clause & DL_REC_FAULT) {
		dt_hold(dtp, data, size);
		return 0;
	}
	if (h->clause >= dtp->nclauses)
		return 0;
	if (h->spec & DL_REC_SPEC) {
		dt_spec_hold(dtp, data, size);
		return 0;
	}
	const dl_clause_t *c = dtp->clauses[h->clause];
	void *rec = malloc(size);

	if (rec == NULL)
		abort();
	memcpy(rec, data, size);
	for (size_t i = 0; i < c->nacts; i++) {
		const dl_action_t *a = &c->acts[i];
		uint32_t id, none = 0;
		if (a->kind == DL_ACT_EXIT)
			dtp->done = true;
		if (a->kind != DL_ACT_COMMIT && a->kind != DL_ACT_DISCARD)
			continue;
		memcpy(&id, (char *)rec + a->fields[0].off, sizeof(id));
		dt_spec_end(dtp, id, a->kind == DL_ACT_COMMIT);
		memcpy((char *)rec + a->fields[0].off, &none, sizeof(none));
	}
	push(dtp, rec, size);
	return 0;
}

/* Print every held record, oldest first, and forget them. */
void dt_hold_flush(dtrace_hdl_t *dtp)
{
	dtp->flushing = true;
	for (;;) {
		dt_holdq_t *first = NULL;
		for (int i = 0; dtp->holdqs != NULL && i <= dtp->ncpus; i++) {
			dt_holdq_t *q = &dtp->holdqs[i];
			if (q->n > 0 && (first == NULL ||
					 q->v[q->head].seq <
					 first->v[first->head].seq))
				first = q;
		}
		if (first == NULL)
			break;
		dt_held_t *h = &first->v[first->head];
		dt_consume_record(dtp, h->rec, h->size);
		pop(first);
	}
}

void dt_hold_free(dtrace_hdl_t *dtp)
{
	for (int i = 0; dtp->holdqs != NULL && i <= dtp->ncpus; i++) {
		while (dtp->holdqs[i].n > 0)
			pop(&dtp->holdqs[i]);
		free(dtp->holdqs[i].v);
	}
	free(dtp->holdqs);
	dtp->holdqs = NULL;
}
