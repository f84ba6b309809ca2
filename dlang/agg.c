/*
 * agg.c - the table of aggregations and the arithmetic of their buckets.
 *
 * The table is the library handle's (one per dtrace run), like the globals
 * table: an aggregation's id is its index and never changes, so programs
 * compiled earlier stay right as later ones add aggregations.  Entries are
 * pointers, so a dl_agg_t * stays valid as the table grows.
 *
 * Buckets are DTrace's, computed the same way by the compiler (to emit the
 * code that picks a bucket), by the consumer (to label the rows it prints)
 * and by the unit tests:
 *   quantize    127 power-of-two buckets: 63 holds 0, 64 + k holds
 *               [2^k, 2^(k+1)), 62 - k holds (-2^(k+1), -2^k]; the end
 *               buckets also take whatever lies beyond them
 *   lquantize   bucket 0 below base, 1 + (v - base) / step up to limit,
 *               the last at or above limit
 *   llquantize  orders of magnitude split in steps, symmetric about a
 *               middle bucket for |v| < factor^low (see below)
 */
#include <string.h>

#include "dlang.h"

dl_agg_t *dl_agg_find(dl_aggs_t *tab, const char *name)
{
	for (size_t i = 0; i < tab->n; i++)
		if (strcmp(tab->aggs[i]->name, name) == 0)
			return tab->aggs[i];
	return NULL;
}

dl_agg_t *dl_agg_add(dl_aggs_t *tab, const char *name)
{
	dl_agg_t *a = dl_alloc(tab->arena, sizeof(*a));

	dl_vec_grow(tab->arena, (void **)&tab->aggs, &tab->cap, tab->n + 1,
		    sizeof(*tab->aggs));
	a->name = dl_strdup(tab->arena, name);
	a->id = (uint32_t)tab->n;
	tab->aggs[tab->n++] = a;
	return a;
}

uint32_t dl_agg_nwords(const dl_agg_t *a)
{
	static const uint32_t data[] = {
		[DL_AGG_COUNT] = 0, [DL_AGG_SUM] = 1, [DL_AGG_AVG] = 1,
		[DL_AGG_MIN] = 1, [DL_AGG_MAX] = 1, [DL_AGG_STDDEV] = 3,
	};

	if (a->fn >= DL_AGG_QUANTIZE)
		return DL_AGG_DATA(a) + a->nbuckets;
	return DL_AGG_DATA(a) + data[a->fn];
}

/* floor(log2(u)) for u > 0 */
static uint32_t ilog2(uint64_t u)
{
	uint32_t r = 0;

	while (u >>= 1)
		r++;
	return r;
}

uint32_t dl_quantize_bucket(int64_t v)
{
	if (v == 0)
		return DL_QUANTIZE_ZEROBUCKET;
	if (v > 0)
		return DL_QUANTIZE_ZEROBUCKET + 1 + ilog2((uint64_t)v);
	uint32_t k = ilog2(-(uint64_t)v);
	return k >= DL_QUANTIZE_ZEROBUCKET - 1 ? 0 :
	       DL_QUANTIZE_ZEROBUCKET - 1 - k;
}

int64_t dl_quantize_bucket_min(uint32_t b)
{
	if (b < DL_QUANTIZE_ZEROBUCKET)
		return -(int64_t)(1ull << (DL_QUANTIZE_ZEROBUCKET - 1 - b));
	if (b == DL_QUANTIZE_ZEROBUCKET)
		return 0;
	return (int64_t)(1ull << (b - DL_QUANTIZE_ZEROBUCKET - 1));
}

uint32_t dl_lquantize_bucket(const dl_agg_t *a, int64_t v)
{
	if (v < a->base)
		return 0;
	if (v >= a->limit)
		return a->nbuckets - 1;
	return 1 + (uint32_t)((uint64_t)(v - a->base) / (uint64_t)a->step);
}

/*
 * llquantize, symmetric about zero as in Oracle's DTrace 2: with
 * sf = nsteps / factor and n = nsteps - sf buckets per order of magnitude,
 * bucket b0 = 1 + (high - low + 1) * n holds |v| < factor^low; above it
 * come n buckets per magnitude low..high for positive values and then one
 * for v >= factor^(high+1); below it the same for negative values, mirrored.
 * Within magnitude m, |v| in [factor^m, factor^(m+1)) falls in step
 * |v| / (factor^(m+1) / nsteps) - sf (for m = 0: |v| * nsteps / factor - sf).
 */
static uint64_t ipow(int64_t f, int64_t e)
{
	uint64_t r = 1;

	while (e-- > 0)
		r *= (uint64_t)f;
	return r;
}

uint32_t dl_llquantize_nbuckets(int64_t factor, int64_t low, int64_t high,
				int64_t nsteps)
{
	int64_t n = nsteps - nsteps / factor;

	return (uint32_t)(2 * (high - low + 1) * n + 3);
}

uint32_t dl_llquantize_zero(const dl_agg_t *a)
{
	int64_t n = a->nsteps - a->nsteps / a->factor;

	return (uint32_t)(1 + (a->high - a->low + 1) * n);
}

uint32_t dl_llquantize_bucket(const dl_agg_t *a, int64_t v)
{
	uint64_t t = v < 0 ? -(uint64_t)v : (uint64_t)v;
	uint64_t max = ipow(a->factor, a->low);
	int64_t sf = a->nsteps / a->factor, n = a->nsteps - sf;
	uint32_t b0 = dl_llquantize_zero(a), off;

	if (t < max)
		return b0;
	off = (uint32_t)((a->high - a->low + 1) * n + 1);	/* overflow */
	for (int64_t m = a->low; m <= a->high; m++) {
		max *= (uint64_t)a->factor;
		if (t >= max)
			continue;
		uint64_t ind = m != 0 ? t / (max / (uint64_t)a->nsteps) :
			       t * (uint64_t)a->nsteps / max;
		off = (uint32_t)((m - a->low) * n + (int64_t)ind - sf + 1);
		break;
	}
	return v < 0 ? b0 - off : b0 + off;
}
