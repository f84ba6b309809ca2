/*
 * aggprint.c - aggregations as DTrace prints them: sorted, keys and values
 * in DTrace's columns, histograms with their bars.
 *
 * A table is what one printa() (or the printing at exit) shows: the rows
 * of one aggregation, or of several joined on their keys (printa(@a, @b):
 * a key missing from an aggregation shows that aggregation's zero value).
 * Rows sort as libdtrace sorts them: by the value of the aggregation at
 * -x aggsortpos (the others' values break ties, in turn), then by key from
 * -x aggsortkeypos on, integers compared unsigned at their own size and
 * strings bytewise; -x aggsortkey sorts by key alone, -x aggsortrev
 * reverses it all.  Histograms compare by the sum of bucket value times
 * count.
 *
 * Layout (Oracle's DTrace): each key " %3d" / " %5d" / " %8d" / " %16lld"
 * by its size (1- and 2-byte ones unsigned) or "  %-50s" for strings;
 * each value " %16lld" (stddev " %16llu"), then a newline.  A histogram
 * starts with "\n" and the "value ---- Distribution ---- count" header,
 * one row per bucket from one before the first non-zero bucket to one
 * after the last, bars of 40 '@' (half bars around a centre line when
 * counts of both signs show).  normalize() divides what is printed, never
 * what is compared.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

typedef struct row {
	const dl_agg_t *agg;	/* whose key layout key has */
	const char *key;
	const int64_t **vals;	/* per joined aggregation; NULL: missing */
	const int64_t **percpu;
} row_t;

typedef struct table {
	dtrace_hdl_t *dtp;
	dt_aggsnap_t **snaps;
	size_t nsnaps;
	row_t *rows;
	size_t nrows, cap;
	int64_t **zero;		/* per snapshot: a value of no data */
	int sortpos, keypos;
	bool bykey, rev;
} table_t;

/* ---- values --------------------------------------------------------------- */

static const int64_t *row_val(const table_t *t, const row_t *r, size_t i)
{
	return r->vals[i] != NULL ? r->vals[i] : t->zero[i];
}

/* Integer square root, rounded down. */
static uint64_t isqrt128(unsigned __int128 x)
{
	unsigned __int128 r = 0, bit = (unsigned __int128)1 << 126;

	while (bit > x)
		bit >>= 2;
	while (bit != 0) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return (uint64_t)r;
}

/* dt_stddev: sqrt(avg of squares - square of avg), 128-bit exact. */
static uint64_t stddev(const int64_t *v, uint64_t normal)
{
	if (v[0] == 0)
		return 0;
	unsigned __int128 sq = ((unsigned __int128)(uint64_t)v[3] << 64) |
			       (uint64_t)v[2];
	unsigned __int128 aos = sq / normal / (uint64_t)v[0];
	int64_t avg = v[1] / (int64_t)normal / v[0];
	uint64_t a = avg < 0 ? -(uint64_t)avg : (uint64_t)avg;
	unsigned __int128 soa = (unsigned __int128)a * a;

	return aos < soa ? 0 : isqrt128(aos - soa);
}

/* The value a scalar aggregation prints (and sorts by, with normal 1). */
static int64_t scalar(const dl_agg_t *a, const int64_t *v, uint64_t normal)
{
	switch (a->fn) {
	case DL_AGG_COUNT:
		return (int64_t)((uint64_t)v[0] / normal);
	case DL_AGG_AVG:
		return v[0] ? v[1] / (int64_t)normal / v[0] : 0;
	case DL_AGG_STDDEV:
		return (int64_t)stddev(v, normal);
	default:	/* sum, min, max: unsigned division, as DTrace */
		return v[0] ? (int64_t)((uint64_t)v[1] / normal) : 0;
	}
}

/* ---- histograms ------------------------------------------------------------ */

/* llquantize: the label of bucket b, or NULL for a bucket no value can
   reach (which printing skips); neg: negative buckets are shown. */
static const char *ll_label(const dl_agg_t *a, uint32_t b, bool neg,
			    char *buf, size_t size)
{
	uint32_t b0 = dl_llquantize_zero(a);
	int64_t sf = a->nsteps / a->factor;
	uint64_t base = 1, scale;
	uint32_t i = 1;
	bool minus = b < b0;
	uint32_t want = minus ? b0 - b : b - b0;
	const char *sg = minus ? "-" : "";

	for (int64_t m = 0; m < a->low; m++)
		base *= (uint64_t)a->factor;
	if (b == 0 || b == a->nbuckets - 1) {
		uint64_t top = base;
		for (int64_t m = a->low; m <= a->high; m++)
			top *= (uint64_t)a->factor;
		snprintf(buf, size, b == 0 ? "<= -%llu" : ">= %llu",
			 (unsigned long long)top);
		return buf;
	}
	if (want == 0) {
		if (base == 1)
			snprintf(buf, size, "0");
		else
			snprintf(buf, size, neg ? "abs() < %llu" : "< %llu",
				 (unsigned long long)base);
		return buf;
	}
	if (want == 1) {
		snprintf(buf, size, "%s%llu", sg, (unsigned long long)base);
		return buf;
	}
	int64_t m = a->low;
	if (a->low == 0 && a->nsteps > a->factor) {
		for (int64_t step = 2; step <= a->factor; step++) {
			i += (uint32_t)sf;
			if (i == want) {
				snprintf(buf, size, "%s%lld", sg,
					 (long long)step);
				return buf;
			}
		}
		m = 1;
	}
	for (; m <= a->high; m++) {
		uint64_t top = 1;
		for (int64_t k = 0; k <= m; k++)
			top *= (uint64_t)a->factor;
		scale = top / (uint64_t)a->nsteps;
		for (int64_t step = sf + 1; step <= a->nsteps; step++) {
			if (++i == want) {
				snprintf(buf, size, "%s%llu", sg,
					 (unsigned long long)(step * scale));
				return buf;
			}
		}
	}
	return NULL;
}

/* A bucket's label (the value column). */
static const char *bucket_label(const dl_agg_t *a, uint32_t b, bool neg,
				char *buf, size_t size)
{
	switch (a->fn) {
	case DL_AGG_QUANTIZE:
		snprintf(buf, size, "%lld",
			 (long long)dl_quantize_bucket_min(b));
		return buf;
	case DL_AGG_LQUANTIZE:
		if (b == 0)
			snprintf(buf, size, "< %lld", (long long)a->base);
		else if (b == a->nbuckets - 1)
			snprintf(buf, size, ">= %lld", (long long)a->limit);
		else
			snprintf(buf, size, "%lld", (long long)(a->base +
				 (int64_t)(b - 1) * a->step));
		return buf;
	default:
		return ll_label(a, b, neg, buf, size);
	}
}

/* One row's bar and count, DTrace's three layouts. */
static void quant_line(FILE *out, int64_t val, uint64_t normal,
		       long double total, bool pos, bool neg)
{
	static const char ats[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
	static const char sp[] = "                                        ";
	unsigned len = 40, depth;
	long long shown = (long long)((uint64_t)val / normal);
	long double f;

	if (!neg || !pos) {
		f = total > 0 ? fabsl((long double)val) * len / total : 0;
		depth = (unsigned)(f + 0.5);
		if (!neg)
			fprintf(out, "|%s%s %-9lld\n", ats + len - depth,
				sp + depth, shown);
		else
			fprintf(out, "%s%s| %-9lld\n", sp + depth,
				ats + len - depth, shown);
		return;
	}
	len /= 2;
	f = fabsl((long double)val) * len / total;
	depth = (unsigned)(f + 0.5);
	if (val <= 0)
		fprintf(out, "%s%s|%*s %-9lld\n", sp + 20 + depth,
			ats + 20 + len - depth, (int)len, "", shown);
	else
		fprintf(out, "%20s|%s%s %-9lld\n", "", ats + 20 + len - depth,
			sp + 20 + depth, shown);
}

/* The buckets to show: one zero bucket around the data, or the buckets
   around zero when there is none. */
static void hist_range(const dl_agg_t *a, const int64_t *c, uint32_t *first,
		       uint32_t *last)
{
	uint32_t n = a->nbuckets, f = 0, l = n - 1;

	while (f < n && c[f] == 0)
		f++;
	if (f == n) {
		uint32_t z = a->fn == DL_AGG_QUANTIZE ?
			     DL_QUANTIZE_ZEROBUCKET - 1 :
			     a->fn == DL_AGG_LQUANTIZE ? 0 :
			     dl_llquantize_zero(a);
		*first = z;
		*last = z + 2 < n ? z + 2 : n - 1;
		return;
	}
	while (l > 0 && c[l] == 0)
		l--;
	*first = f > 0 ? f - 1 : 0;
	*last = l < n - 1 ? l + 1 : n - 1;
}

static void print_hist(FILE *out, const dl_agg_t *a, const int64_t *v,
		       uint64_t normal)
{
	const int64_t *c = v + 1;
	uint32_t first, last;
	long double total = 0;
	bool pos = false, neg = false;
	char buf[64];

	hist_range(a, c, &first, &last);
	for (uint32_t i = first; i <= last; i++) {
		pos |= c[i] > 0;
		neg |= c[i] < 0;
		total += fabsl((long double)c[i]);
	}
	fprintf(out, "\n%16s %41s %-9s\n", "value",
		"------------- Distribution -------------", "count");
	bool negbins = a->fn == DL_AGG_LLQUANTIZE &&
		       first < dl_llquantize_zero(a);
	for (uint32_t i = first; i <= last; i++) {
		const char *lab = bucket_label(a, i, negbins, buf, sizeof(buf));
		/* llquantize buckets no value reaches: skipped, unless at an
		   end, where they take the label of the next one out */
		for (uint32_t j = i; lab == NULL && (i == first || i == last);) {
			j = i == first ? j - 1 : j + 1;
			lab = bucket_label(a, j, negbins, buf, sizeof(buf));
		}
		if (lab == NULL)
			continue;
		fprintf(out, "%16s ", lab);
		quant_line(out, c[i], normal, total, pos, neg);
	}
}

/* The sort value of a histogram: sum of bucket value times count. */
static long double hist_weight(const dl_agg_t *a, const int64_t *v,
			       int64_t *tie)
{
	const int64_t *c = v + 1;
	long double sum = 0;

	*tie = 0;
	for (uint32_t i = 0; i < a->nbuckets; i++) {
		long double w;
		if (a->fn == DL_AGG_QUANTIZE)
			w = (long double)dl_quantize_bucket_min(i);
		else if (a->fn == DL_AGG_LQUANTIZE)
			w = i == 0 ? (long double)(a->base - 1) :
			    i == a->nbuckets - 1 ? (long double)(a->limit + 1) :
			    (long double)(a->base + (int64_t)(i - 1) * a->step);
		else
			w = (long double)i - (long double)dl_llquantize_zero(a);
		sum += w * (long double)c[i];
		if (w == 0)
			*tie = c[i];
	}
	return sum;
}

/* ---- sorting --------------------------------------------------------------- */

static int cmp_val(const dl_agg_t *a, const int64_t *x, const int64_t *y)
{
	if (a->fn >= DL_AGG_QUANTIZE) {
		int64_t tx, ty;
		long double wx = hist_weight(a, x, &tx),
			    wy = hist_weight(a, y, &ty);
		if (wx != wy)
			return wx < wy ? -1 : 1;
		return tx < ty ? -1 : tx > ty;
	}
	int64_t vx = scalar(a, x, 1), vy = scalar(a, y, 1);
	return vx < vy ? -1 : vx > vy;
}

/* Key k of a row, as an unsigned integer of its size or a string. */
static int cmp_key1(const row_t *x, const row_t *y, uint32_t k)
{
	const dl_aggkey_t *kx = &x->agg->tup.keys[k], *ky = &y->agg->tup.keys[k];
	const char *px = x->key + kx->off, *py = y->key + ky->off;

	if (kx->stk != DL_F_INT) {	/* stacks, symbols: pid, pcs */
		for (uint32_t i = 0; i + 8 <= kx->size; i += 8) {
			uint64_t a, b;
			memcpy(&a, px + i, 8);
			memcpy(&b, py + i, 8);
			if (a != b)
				return a < b ? -1 : 1;
		}
		return 0;
	}
	if (kx->is_str) {
		uint32_t n = kx->size > ky->size ? kx->size : ky->size;
		return strncmp(px, py, n);	/* both NUL-padded */
	}
	uint64_t vx = 0, vy = 0;
	memcpy(&vx, px, kx->tsize);
	memcpy(&vy, py, ky->tsize);
	return vx < vy ? -1 : vx > vy;
}

static int cmp_keys(const table_t *t, const row_t *x, const row_t *y)
{
	uint32_t n = x->agg->tup.nkeys;
	uint32_t start = (uint32_t)t->keypos < n ? (uint32_t)t->keypos : 0;

	for (uint32_t i = 0; i < n; i++) {
		int c = cmp_key1(x, y, (start + i) % n);
		if (c != 0)
			return c;
	}
	return 0;
}

static int cmp_rows(const table_t *t, const row_t *x, const row_t *y)
{
	int c = 0;

	for (size_t i = 0; !t->bykey && c == 0 && i < t->nsnaps; i++) {
		size_t s = ((size_t)t->sortpos + i) % t->nsnaps;
		c = cmp_val(t->snaps[s]->agg, row_val(t, x, s),
			    row_val(t, y, s));
	}
	if (c == 0)
		c = cmp_keys(t, x, y);
	return t->rev ? -c : c;
}

/* A merge sort: qsort has no argument for the table. */
static void sort_rows(table_t *t, row_t *r, row_t *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2, i = 0, j = h, k = 0;
	sort_rows(t, r, tmp, h);
	sort_rows(t, r + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = cmp_rows(t, &r[j], &r[i]) < 0 ? r[j++] : r[i++];
	while (i < h)
		tmp[k++] = r[i++];
	while (j < n)
		tmp[k++] = r[j++];
	memcpy(r, tmp, n * sizeof(*r));
}

/* ---- tables ----------------------------------------------------------------- */

static bool same_key(const row_t *r, const dl_agg_t *a, const char *key)
{
	row_t o = { .agg = a, .key = key };

	for (uint32_t k = 0; k < a->tup.nkeys; k++)
		if (cmp_key1(r, &o, k) != 0)
			return false;
	return true;
}

static row_t *add_row(table_t *t, const dl_agg_t *a, const char *key)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = realloc(t->rows, t->cap * sizeof(*t->rows));
		if (t->rows == NULL)
			abort();
	}
	row_t *r = &t->rows[t->nrows++];
	r->agg = a;
	r->key = key;
	r->vals = calloc(t->nsnaps, sizeof(*r->vals));
	r->percpu = calloc(t->nsnaps, sizeof(*r->percpu));
	if (r->vals == NULL || r->percpu == NULL)
		abort();
	return r;
}

/* Rows of the snapshots joined on their keys, sorted (by the options
   unless plain: by value alone). */
static void table_build(table_t *t, bool plain)
{
	dtrace_hdl_t *dtp = t->dtp;

	if (!plain) {
		t->bykey = dt_opt(dtp, DT_OPT_aggsortkey) != 0;
		t->rev = dt_opt(dtp, DT_OPT_aggsortrev) != 0;
		t->keypos = (int)dt_opt(dtp, DT_OPT_aggsortkeypos);
		t->sortpos = (int)dt_opt(dtp, DT_OPT_aggsortpos);
	}
	if (t->sortpos < 0 || (size_t)t->sortpos >= t->nsnaps)
		t->sortpos = 0;
	t->zero = calloc(t->nsnaps + 1, sizeof(*t->zero));
	if (t->zero == NULL)
		abort();
	for (size_t s = 0; s < t->nsnaps; s++) {
		dt_aggsnap_t *sn = t->snaps[s];
		if ((t->zero[s] = calloc(sn->vwords, sizeof(int64_t))) == NULL)
			abort();
		for (size_t e = 0; e < sn->n; e++) {
			row_t *r = NULL;
			for (size_t i = 0; s > 0 && r == NULL && i < t->nrows;
			     i++)
				if (same_key(&t->rows[i], sn->agg,
					     sn->ents[e].key))
					r = &t->rows[i];
			if (r == NULL)
				r = add_row(t, sn->agg, sn->ents[e].key);
			r->vals[s] = sn->ents[e].val;
			r->percpu[s] = sn->ents[e].percpu;
		}
	}
	row_t *tmp = malloc((t->nrows + 1) * sizeof(*tmp));
	if (tmp == NULL)
		abort();
	sort_rows(t, t->rows, tmp, t->nrows);
	free(tmp);
}

static void table_free(table_t *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].vals);
		free(t->rows[i].percpu);
	}
	free(t->rows);
	for (size_t s = 0; t->zero != NULL && s < t->nsnaps; s++)
		free(t->zero[s]);
	free(t->zero);
}

/* ---- printing ----------------------------------------------------------------- */

static void print_key(table_t *t, FILE *out, const row_t *r, uint32_t k)
{
	const dl_aggkey_t *ak = &r->agg->tup.keys[k];
	const char *p = r->key + ak->off;
	int64_t v;

	if (ak->stk != DL_F_INT) {
		dt_print_stacksym(t->dtp, out, ak->stk, ak->symfmt, ak->size, p);
		return;
	}
	if (ak->is_str) {
		fprintf(out, "  %-50.*s", (int)strnlen(p, ak->size), p);
		return;
	}
	memcpy(&v, p, 8);
	switch (ak->tsize) {
	case 1:
		fprintf(out, " %3d", (uint8_t)v);
		break;
	case 2:
		fprintf(out, " %5d", (uint16_t)v);
		break;
	case 4:
		fprintf(out, " %8d", (int32_t)v);
		break;
	default:
		fprintf(out, " %16lld", (long long)v);
		break;
	}
}

static void print_scalar(FILE *out, const dl_agg_t *a, const int64_t *v,
			 uint64_t normal)
{
	int64_t x = scalar(a, v, normal);

	if (a->fn == DL_AGG_STDDEV)
		fprintf(out, " %16llu", (unsigned long long)x);
	else
		fprintf(out, " %16lld", (long long)x);
}

static void print_value(table_t *t, FILE *out, const row_t *r, size_t s)
{
	const dl_agg_t *a = t->snaps[s]->agg;
	uint64_t normal = t->snaps[s]->normal;

	if (a->fn >= DL_AGG_QUANTIZE) {
		print_hist(out, a, row_val(t, r, s), normal);
		return;
	}
	print_scalar(out, a, row_val(t, r, s), normal);
	if (!dt_opt(t->dtp, DT_OPT_aggpercpu) || r->percpu[s] == NULL)
		return;
	for (int c = 0; c < t->snaps[s]->ncpus; c++) {
		fprintf(out, "\n    [CPU %d]", c);
		print_scalar(out, a, r->percpu[s] + (size_t)c *
			     t->snaps[s]->vwords, normal);
	}
}

typedef struct fmtrow {
	table_t *t;
	const row_t *r;
} fmtrow_t;

/* printa's %@ conversions: the n-th aggregation's value (the last one
   again past the end); histograms print whole. */
static int fmt_aggval(void *arg, FILE *out, const dl_fmtconv_t *cv, int n)
{
	fmtrow_t *fr = arg;
	size_t s = (size_t)n < fr->t->nsnaps ? (size_t)n : fr->t->nsnaps - 1;
	const dl_agg_t *a = fr->t->snaps[s]->agg;
	const int64_t *v = row_val(fr->t, fr->r, s);
	uint64_t normal = fr->t->snaps[s]->normal;

	if (a->fn >= DL_AGG_QUANTIZE) {
		print_hist(out, a, v, normal);
		return 0;
	}
	int64_t x = scalar(a, v, normal);
	if (a->fn == DL_AGG_AVG && v[0] != 0)	/* unsigned, as DTrace */
		x = (int64_t)((uint64_t)v[1] / normal / (uint64_t)v[0]);
	return dt_print_conv_int(fr->t->dtp, out, cv, x,
				 a->fn != DL_AGG_COUNT);
}

static int print_fmt_row(table_t *t, FILE *out, const dl_fmt_t *fmt,
			 const row_t *r)
{
	const dl_agg_t *a = r->agg;
	dl_field_t f[DL_AGG_KEYS_MAX];
	fmtrow_t fr = { t, r };

	for (uint32_t k = 0; k < a->tup.nkeys; k++) {
		const dl_aggkey_t *ak = &a->tup.keys[k];
		f[k] = (dl_field_t){
			.kind = ak->is_str ? DL_F_STRING : DL_F_INT,
			.off = ak->off, .size = ak->is_str ? ak->size :
							     ak->tsize,
			.is_signed = ak->is_signed };
		if (ak->stk == DL_F_SYM)	/* %a: the (normalized)
						   kernel address */
			f[k] = (dl_field_t){ .kind = DL_F_INT, .off = ak->off,
					     .size = 8 };
		else if (ak->stk != DL_F_INT)	/* %k: stack keys; %A */
			f[k] = (dl_field_t){ .kind = ak->stk, .off = ak->off,
					     .size = ak->size,
					     .symfmt = ak->symfmt };
	}
	return dt_printa_fmt(t->dtp, out, fmt, f, a->tup.nkeys, r->key,
			     a->tup.keysize, fmt_aggval, &fr);
}

static int print_table(table_t *t, FILE *out, const dl_fmt_t *fmt)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const row_t *r = &t->rows[i];
		if (fmt != NULL) {
			if (print_fmt_row(t, out, fmt, r) < 0)
				return -1;
			continue;
		}
		for (uint32_t k = 0; k < r->agg->tup.nkeys; k++)
			print_key(t, out, r, k);
		for (size_t s = 0; s < t->nsnaps; s++)
			print_value(t, out, r, s);
		fputc('\n', out);
	}
	return 0;
}

void dt_agg_sort(dtrace_hdl_t *dtp, dt_aggsnap_t *s)
{
	table_t t = { .dtp = dtp, .snaps = &s, .nsnaps = 1 };
	dt_aggent_t *ents = malloc((s->n + 1) * sizeof(*ents));

	if (ents == NULL)
		abort();
	table_build(&t, true);
	for (size_t i = 0; i < t.nrows; i++)	/* rows keep entry order */
		for (size_t e = 0; e < s->n; e++)
			if (s->ents[e].val == t.rows[i].vals[0]) {
				ents[i] = s->ents[e];
				break;
			}
	memcpy(s->ents, ents, s->n * sizeof(*ents));
	free(ents);
	table_free(&t);
}

int dt_agg_print(dtrace_hdl_t *dtp, FILE *out, dt_aggsnap_t *s,
		 const dl_fmt_t *fmt)
{
	table_t t = { .dtp = dtp, .snaps = &s, .nsnaps = 1 };

	table_build(&t, false);
	int rc = print_table(&t, out, fmt);
	table_free(&t);
	return rc;
}

int dt_agg_printa(dtrace_hdl_t *dtp, FILE *out, const dl_action_t *a,
		  const bool *freeze)
{
	dt_aggsnap_t *snaps[64];
	table_t t = { .dtp = dtp, .snaps = snaps };
	int rc = -1;

	if (a->pfmt == NULL)
		fputc('\n', out);
	for (size_t i = 0; i < a->naggs && i < 64; i++) {
		uint64_t gen = dt_agg_gen(dtp, a->aggs[i]);
		if (freeze != NULL && freeze[i] &&
		    dt_agg_clear(dtp, a->aggs[i]) < 0)
			goto out;
		if ((snaps[i] = dt_agg_snap_gen(dtp, a->aggs[i], gen)) == NULL)
			goto out;
		t.nsnaps++;
	}
	table_build(&t, false);
	rc = print_table(&t, out, a->pfmt);
	for (size_t i = 0; i < t.nsnaps; i++)
		if (snaps[i]->n > 0)
			dt_agg_printed(dtp, a->aggs[i]);
out:
	table_free(&t);
	for (size_t i = 0; i < t.nsnaps; i++)
		dt_agg_snap_free(snaps[i]);
	return rc;
}
