/*
 * test_agg.c - aggregations in the compiler: DTrace's buckets, the layout
 * of keys and values, the checks and their tags, and what the update code
 * costs.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dlang.h"
#include "ir.h"
#include "tsm.h"

Test(agg, quantize_buckets)
{
	static const struct {
		int64_t v;
		uint32_t b;
	} cases[] = {
		{ 0, 63 }, { 1, 64 }, { 2, 65 }, { 3, 65 }, { 4, 66 },
		{ 1023, 73 }, { 1024, 74 }, { INT64_MAX, 126 },
		{ -1, 62 }, { -2, 61 }, { -3, 61 }, { -4, 60 },
		{ -(1LL << 62), 0 }, { INT64_MIN, 0 }, { (1LL << 62), 126 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(dl_quantize_bucket(cases[i].v), cases[i].b,
			     "%lld -> %u", (long long)cases[i].v,
			     dl_quantize_bucket(cases[i].v));
	cr_expect_eq(dl_quantize_bucket_min(63), 0);
	cr_expect_eq(dl_quantize_bucket_min(64), 1);
	cr_expect_eq(dl_quantize_bucket_min(66), 4);
	cr_expect_eq(dl_quantize_bucket_min(62), -1);
	cr_expect_eq(dl_quantize_bucket_min(61), -2);
	/* every bucket's lowest value falls in it */
	for (uint32_t b = 1; b < DL_QUANTIZE_NBUCKETS; b++)
		cr_expect_eq(dl_quantize_bucket(dl_quantize_bucket_min(b)),
			     b == 62 || b < 62 ? b : b, "bucket %u", b);
}

Test(agg, lquantize_buckets)
{
	dl_agg_t a = { .base = 0, .limit = 100, .step = 10, .nbuckets = 12 };

	cr_expect_eq(dl_lquantize_bucket(&a, -1), 0);
	cr_expect_eq(dl_lquantize_bucket(&a, 0), 1);
	cr_expect_eq(dl_lquantize_bucket(&a, 9), 1);
	cr_expect_eq(dl_lquantize_bucket(&a, 10), 2);
	cr_expect_eq(dl_lquantize_bucket(&a, 99), 10);
	cr_expect_eq(dl_lquantize_bucket(&a, 100), 11);
	cr_expect_eq(dl_lquantize_bucket(&a, INT64_MAX), 11);
	cr_expect_eq(dl_lquantize_bucket(&a, INT64_MIN), 0);
}

Test(agg, llquantize_buckets)
{
	/* llquantize(x, 10, 0, 2, 10): 9 buckets per magnitude, symmetric
	   about the one for |x| < 1 */
	dl_agg_t a = { .factor = 10, .low = 0, .high = 2, .nsteps = 10 };
	a.nbuckets = dl_llquantize_nbuckets(10, 0, 2, 10);
	uint32_t z = dl_llquantize_zero(&a);

	cr_expect_eq(a.nbuckets, 2 * 3 * 9 + 3);
	cr_expect_eq(z, 1 + 27);
	cr_expect_eq(dl_llquantize_bucket(&a, 0), z);
	cr_expect_eq(dl_llquantize_bucket(&a, 1), z + 1);
	cr_expect_eq(dl_llquantize_bucket(&a, 9), z + 9);
	cr_expect_eq(dl_llquantize_bucket(&a, 10), z + 10);
	cr_expect_eq(dl_llquantize_bucket(&a, 19), z + 10);
	cr_expect_eq(dl_llquantize_bucket(&a, 99), z + 18);
	cr_expect_eq(dl_llquantize_bucket(&a, 100), z + 19);
	cr_expect_eq(dl_llquantize_bucket(&a, 999), z + 27);
	cr_expect_eq(dl_llquantize_bucket(&a, 1000), z + 28);
	cr_expect_eq(dl_llquantize_bucket(&a, INT64_MAX), z + 28);
	cr_expect_eq(dl_llquantize_bucket(&a, -1), z - 1);
	cr_expect_eq(dl_llquantize_bucket(&a, -15), z - 10);
	cr_expect_eq(dl_llquantize_bucket(&a, INT64_MIN), 0);
	/* Oracle's basicA: llquantize(v, 4, 0, 1, 2) */
	dl_agg_t b = { .factor = 4, .low = 0, .high = 1, .nsteps = 2 };
	b.nbuckets = dl_llquantize_nbuckets(4, 0, 1, 2);
	cr_expect_eq(b.nbuckets, 11);
	cr_expect_eq(dl_llquantize_bucket(&b, 3), 5 + 2);
	cr_expect_eq(dl_llquantize_bucket(&b, 4), 5 + 3);
	cr_expect_eq(dl_llquantize_bucket(&b, 8), 5 + 4);
	cr_expect_eq(dl_llquantize_bucket(&b, 16), 5 + 5);
	cr_expect_eq(dl_llquantize_bucket(&b, -16), 0);
}

Test(agg, layout)
{
	tsm_t t = tsm_sema("BEGIN { @a[execname, pid, \"x\"] = sum(1); "
			   "@b = quantize(1); @c[1] = lquantize(3, 0, 10, 2); "
			   "@a[probefunc, 1, \"xyzzy\"] = sum(2); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	dl_aggs_t *g = t.cx->aggs;
	cr_assert_eq(g->n, 3);
	dl_agg_t *a = g->aggs[0];
	cr_expect_str_eq(a->name, "a");
	cr_expect_eq(a->tup.nkeys, 3);
	/* string keys widen to the longest value a use can give */
	cr_expect(a->tup.keys[0].is_str);
	cr_expect_eq(a->tup.keys[0].size, DL_PROBE_FUNCLEN);
	cr_expect_eq(a->tup.keys[1].off, DL_PROBE_FUNCLEN);
	cr_expect_eq(a->tup.keys[1].tsize, 4);
	cr_expect(a->tup.keys[1].is_signed);
	cr_expect_eq(a->tup.keys[2].size, 6);
	cr_expect_eq(a->tup.keys[2].off, DL_PROBE_FUNCLEN + 8);
	cr_expect_eq(a->tup.keysize, DL_PROBE_FUNCLEN + 16);
	cr_expect_eq(dl_agg_nwords(a), 2);
	cr_expect_eq(g->aggs[1]->tup.nkeys, 0);
	cr_expect_eq(dl_agg_nwords(g->aggs[1]), 1 + 127);
	cr_expect_eq(g->aggs[2]->nbuckets, 7);
	/* a clause of aggregations alone writes no record */
	cr_expect_eq(t.clause.recsize, 0);
	dl_ctx_destroy(t.cx);
}

Test(agg, actions)
{
	tsm_t t = tsm_sema("BEGIN { @a[1] = count(); printa(\"%d %@u\\n\", @a);"
			   " trunc(@a, 5); normalize(@a, 2); clear(@a); "
			   "denormalize(@a); printa(@a); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	cr_assert_eq(t.clause.nacts, 6);
	cr_expect_eq(t.clause.acts[0].kind, DL_ACT_PRINTA);
	cr_expect_not_null(t.clause.acts[0].pfmt);
	cr_expect_eq(t.clause.acts[1].kind, DL_ACT_TRUNC);
	cr_expect_eq(t.clause.acts[1].nfields, 1);
	cr_expect_eq(t.clause.acts[2].kind, DL_ACT_NORMALIZE);
	cr_expect_eq(t.clause.acts[4].kind, DL_ACT_DENORMALIZE);
	cr_expect_null(t.clause.acts[5].pfmt);
	/* clear() makes the values carry a generation */
	cr_expect(t.cx->aggs->aggs[0]->gen);
	cr_expect_neq(t.clause.recsize, 0);
	dl_ctx_destroy(t.cx);
}

Test(agg, errors)
{
	tsm_expect_error("BEGIN { @a = count(); @a = sum(1); }", D_AGG_REDEF,
			 1, 28);
	tsm_expect_error("BEGIN { @a[1] = count(); @a[1, 2] = count(); }",
			 D_PROTO_LEN, 1, 26);
	tsm_expect_error("BEGIN { @a[1] = count(); @a[\"x\"] = count(); }",
			 D_PROTO_ARG, 1, 29);
	tsm_expect_error("BEGIN { @a = trace(1); }", D_AGG_FUNC, 1, 14);
	tsm_expect_error("BEGIN { @a = count(1); }", D_PROTO_LEN, 1, 14);
	tsm_expect_error("BEGIN { @a = sum(\"x\"); }", D_AGG_SCALAR, 1, 18);
	tsm_expect_error("BEGIN { @a = lquantize(1, 10, 0); }",
			 D_LQUANT_MISMATCH, 1, 31);
	tsm_expect_error("BEGIN { @a = lquantize(1, 0, 10, 0); }",
			 D_LQUANT_STEPTYPE, 1, 34);
	tsm_expect_error("BEGIN { @a = lquantize(1, 0, 10, 20); }",
			 D_LQUANT_STEPLARGE, 1, 14);
	tsm_expect_error("BEGIN { @a = lquantize(1, arg0, 10); }",
			 D_LQUANT_BASETYPE, 1, 27);
	tsm_expect_error("BEGIN { @a = lquantize(1, 0, 10); "
			 "@a = lquantize(1, 0, 20); }", D_LQUANT_MATCHLIM, 1,
			 40);
	tsm_expect_error("BEGIN { @a = llquantize(1, 10, 0, 2, 15); }",
			 D_LLQUANT_STEPVAL, 1, 38);
	tsm_expect_error("BEGIN { @a = llquantize(1, 10, 3, 2, 10); }",
			 D_LLQUANT_HMAGVAL, 1, 35);
	tsm_expect_error("BEGIN { @a = llquantize(1, 1, 0, 2, 10); }",
			 D_LLQUANT_FACTORVAL, 1, 28);
	tsm_expect_error("BEGIN { @a = count(); printa(\"%d\", @a); }",
			 D_PRINTF_ARG_PROTO, 1, 23);
	tsm_expect_error("BEGIN { @a[\"x\"] = count(); printa(\"%d\", @a); }",
			 D_PRINTF_ARG_TYPE, 1, 28);
	tsm_expect_error("BEGIN { printa(@nosuch); }", D_PRINTA_AGGBAD, 1,
			 16);
	tsm_expect_error("BEGIN { printa(\"%d\"); }", D_PRINTA_PROTO, 1, 9);
	tsm_expect_error("BEGIN { @a = count(); @b[1] = count(); "
			 "printa(@a, @b); }", D_PRINTA_AGGKEY, 1, 51);
	tsm_expect_error("BEGIN { clear(1); }", D_CLEAR_AGGARG, 1, 15);
	tsm_expect_error("BEGIN { trunc(@x); }", D_TRUNC_AGGBAD, 1, 15);
	tsm_expect_error("BEGIN { @a = count(); normalize(@a, \"x\"); }",
			 D_NORMALIZE_SCALAR, 1, 37);
	tsm_expect_error("BEGIN { x = count(); }", D_CG_EXPR, 1, 13);
	tsm_expect_error("BEGIN { count(); }", D_CG_EXPR, 1, 9);
}

Test(agg, codegen)
{
	static const tsm_ceiling_t cases[] = {
		/* no record: a lookup and two in-place adds */
		{ "BEGIN { @ = count(); }", 22 },
		{ "BEGIN { @ = sum(arg0); }", 26 },
		{ "BEGIN { @[pid] = count(); }", 60 },
		{ "BEGIN { @[execname] = count(); }", 80 },
		{ "BEGIN { @ = quantize(arg0); }", 110 },
		{ "BEGIN { @ = lquantize(arg0, 0, 100, 10); }", 60 },
		{ "BEGIN { @ = llquantize(arg0, 10, 0, 3, 10); }", 80 },
		{ "BEGIN { @ = stddev(arg0); }", 70 },
		{ "BEGIN { @ = count(); clear(@); }", 60 },
	};

	tsm_expect_ceilings(cases, sizeof(cases) / sizeof(cases[0]));
}
