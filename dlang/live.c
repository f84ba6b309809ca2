/*
 * live.c - liveness of temporaries, per block.
 *
 * A temporary is live at a point if some path from there reads it before
 * writing it.  The usual backward data-flow problem:
 *
 *   live_out(b) = union of live_in(s) over the successors s of b
 *   live_in(b)  = uses(b) + (live_out(b) - defs(b))
 *
 * solved by sweeping the blocks in reverse layout order until nothing
 * changes.  Lowered code is a DAG laid out mostly in order, so one or two
 * sweeps usually suffice, but nothing here assumes it: loops would work.
 *
 * The sets are sorted arrays (ir_tset_t), and a block is walked with a
 * sparse set (ir_sset_t) as scratch, so the work and the memory are what
 * is live at each block's ends, not blocks x temporaries: a program of
 * thousands of clauses has tens of thousands of temporaries, nearly all
 * local to one block, and bit sets over all of them per block made the
 * compile grow as the square of the clauses (56 MB of sets at 3000).
 *
 * Uses and defs come from ir_ins_uses/ir_ins_defs (ir.c), so a call kills
 * r0..r5 and, after isel, reads its argument registers.  Physical registers
 * are tracked like any other temporary; r1 and r10 live into the entry
 * block is how the context and frame pointer arrive.
 *
 * Requires: any stage, every block terminated or not.  Produces: live_in
 * and live_out of every block (ir_liveness), or caller-provided arrays
 * (ir_live_compute, for the checker, which may not touch the function).
 * Invalidated by any change to instructions or the CFG.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

typedef struct live {
	const ir_func_t *fn;
	dl_arena_t *a;
	ir_tset_t **in, **out;	/* per block */
	ir_sset_t *ss;		/* the block being walked */
	ir_tset_t join;		/* a union being built */
} live_t;

void ir_sset_init(dl_arena_t *a, ir_sset_t *s, uint32_t max)
{
	s->dense = dl_alloc(a, (max + 1) * sizeof(*s->dense));
	s->sparse = dl_alloc(a, (max + 1) * sizeof(*s->sparse));
	s->n = 0;
	s->max = max;
}

/* Sized to the function's temporaries now, which only grow. */
static ir_sset_t *sset_for(ir_func_t *fn, ir_sset_t *s)
{
	if (s->max < fn->ntmp)
		ir_sset_init(fn->arena, s, fn->ntmp + fn->ntmp / 4);
	ir_sset_clear(s);
	return s;
}

ir_sset_t *ir_func_scratch(ir_func_t *fn)
{
	return sset_for(fn, &fn->pass_ss);
}

bool ir_tset_has(const ir_tset_t *s, uint32_t t)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->t[mid] == t)
			return true;
		if (s->t[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Room for n members (the old ones are not kept).  Grown geometrically,
   and a set reused by the next computation keeps its room: the arena
   frees nothing, and the passes recompute liveness again and again. */
static void tset_room(dl_arena_t *a, ir_tset_t *s, uint32_t n)
{
	uint32_t cap = s->cap != 0 ? s->cap : 4;

	if (n <= s->cap)
		return;
	while (cap < n)
		cap *= 2;
	s->t = dl_alloc(a, cap * sizeof(*s->t));
	s->cap = cap;
}

static int cmp_tmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* Transfer one block: in = uses + (out - defs), walking backwards. */
static void live_transfer(live_t *lv, const ir_blk_t *b)
{
	const ir_func_t *fn = lv->fn;
	ir_tset_t *in = lv->in[b->id];
	ir_sset_t *s = lv->ss;
	uint32_t t[IR_MAXREFS];
	int n;

	ir_sset_load(s, lv->out[b->id]);
	n = ir_jump_uses(&b->jmp, t);
	for (int k = 0; k < n; k++)
		ir_sset_add(s, t[k]);
	for (size_t i = b->nins; i-- > 0;) {
		const ir_ins_t *ins = &b->ins[i];
		n = ir_ins_defs(ins, t);
		for (int k = 0; k < n; k++)
			ir_sset_del(s, t[k]);
		n = ir_ins_uses(fn, ins, t);
		for (int k = 0; k < n; k++)
			ir_sset_add(s, t[k]);
	}
	in->n = s->n;
	if (s->n == 0)		/* (in->t may be NULL) */
		return;
	tset_room(lv->a, in, s->n);
	memcpy(in->t, s->dense, s->n * sizeof(*in->t));
	qsort(in->t, in->n, sizeof(*in->t), cmp_tmp);
}

/* Recompute out(b) from its successors; returns true if it changed. */
static bool live_join(live_t *lv, const ir_blk_t *b)
{
	ir_blk_t *sv[2];
	int ns = ir_succs(b, sv);
	static const ir_tset_t none;
	const ir_tset_t *x = ns > 0 ? lv->in[sv[0]->id] : &none;
	const ir_tset_t *y = ns > 1 ? lv->in[sv[1]->id] : &none;
	ir_tset_t *j = &lv->join, *out = lv->out[b->id];
	uint32_t i = 0, k = 0;

	tset_room(lv->a, j, x->n + y->n);
	j->n = 0;
	while (i < x->n || k < y->n) {	/* merge, without duplicates */
		uint32_t v;
		if (k == y->n || (i < x->n && x->t[i] < y->t[k]))
			v = x->t[i++];
		else if (i == x->n || y->t[k] < x->t[i])
			v = y->t[k++];
		else
			v = (k++, x->t[i++]);
		j->t[j->n++] = v;
	}
	if (j->n == out->n &&
	    (j->n == 0 || memcmp(j->t, out->t, j->n * sizeof(*j->t)) == 0))
		return false;
	out->n = j->n;
	if (j->n > 0) {
		tset_room(lv->a, out, j->n);
		memcpy(out->t, j->t, j->n * sizeof(*out->t));
	}
	return true;
}

/* Solve into lv->in and lv->out, every out empty. */
static void live_solve(live_t *lv)
{
	const ir_func_t *fn = lv->fn;
	bool changed = true;

	for (size_t i = fn->nblks; i-- > 0;)
		live_transfer(lv, fn->blks[i]);
	while (changed) {
		changed = false;
		for (size_t i = fn->nblks; i-- > 0;) {
			const ir_blk_t *b = fn->blks[i];
			if (live_join(lv, b)) {
				live_transfer(lv, b);
				changed = true;
			}
		}
	}
}

void ir_live_compute(const ir_func_t *fn, dl_arena_t *a, ir_tset_t *in,
		     ir_tset_t *out)
{
	ir_sset_t ss;
	live_t lv = { .fn = fn, .a = a, .ss = &ss };

	lv.in = dl_alloc(a, (fn->nblks + 1) * sizeof(*lv.in));
	lv.out = dl_alloc(a, (fn->nblks + 1) * sizeof(*lv.out));
	ir_sset_init(a, &ss, fn->ntmp);
	for (size_t i = 0; i < fn->nblks; i++) {
		in[i] = out[i] = (ir_tset_t){ 0 };
		lv.in[i] = &in[i];
		lv.out[i] = &out[i];
	}
	live_solve(&lv);
}

/* Into the blocks' own sets, whose room is reused from the last time. */
void ir_liveness(ir_func_t *fn)
{
	live_t lv = { .fn = fn, .a = fn->arena,
		      .ss = sset_for(fn, &fn->live_ss) };

	lv.in = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*lv.in));
	lv.out = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*lv.out));
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		b->live_out.n = 0;
		lv.in[i] = &b->live_in;
		lv.out[i] = &b->live_out;
	}
	live_solve(&lv);
}
