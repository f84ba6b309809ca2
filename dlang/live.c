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
#include <string.h>

#include "ir.h"

/* Transfer one block: in = uses + (out - defs), walking backwards. */
static void live_transfer(const ir_func_t *fn, const ir_blk_t *b,
			  const uint64_t *out, uint64_t *in, size_t nw)
{
	uint32_t t[IR_MAXREFS];
	int n;

	memcpy(in, out, nw * sizeof(*in));
	n = ir_jump_uses(&b->jmp, t);
	for (int k = 0; k < n; k++)
		ir_set_add(in, t[k]);
	for (size_t i = b->nins; i-- > 0;) {
		const ir_ins_t *ins = &b->ins[i];
		n = ir_ins_defs(ins, t);
		for (int k = 0; k < n; k++)
			ir_set_del(in, t[k]);
		n = ir_ins_uses(fn, ins, t);
		for (int k = 0; k < n; k++)
			ir_set_add(in, t[k]);
	}
}

/* Recompute out(b) from its successors; returns true if it changed. */
static bool live_join(const ir_blk_t *b, uint64_t **in, uint64_t *out,
		      size_t nw)
{
	ir_blk_t *s[2];
	int ns = ir_succs(b, s);
	bool changed = false;

	for (size_t w = 0; w < nw; w++) {
		uint64_t v = 0;
		for (int k = 0; k < ns; k++)
			v |= in[s[k]->id][w];
		if (v != out[w]) {
			out[w] = v;
			changed = true;
		}
	}
	return changed;
}

/* Solve into in[] and out[], nw words each, out[] all zero. */
static void live_solve(const ir_func_t *fn, uint64_t **in, uint64_t **out,
		       size_t nw)
{
	bool changed = true;

	for (size_t i = fn->nblks; i-- > 0;)
		live_transfer(fn, fn->blks[i], out[i], in[i], nw);
	while (changed) {
		changed = false;
		for (size_t i = fn->nblks; i-- > 0;) {
			const ir_blk_t *b = fn->blks[i];
			if (live_join(b, in, out[i], nw)) {
				live_transfer(fn, b, out[i], in[i], nw);
				changed = true;
			}
		}
	}
}

void ir_live_compute(const ir_func_t *fn, dl_arena_t *a, uint64_t **in,
		     uint64_t **out)
{
	size_t nw = ir_set_words(fn);

	for (size_t i = 0; i < fn->nblks; i++) {
		in[i] = dl_alloc(a, nw * sizeof(uint64_t) + 8);
		out[i] = dl_alloc(a, nw * sizeof(uint64_t) + 8);
	}
	live_solve(fn, in, out, nw);
}

/*
 * Into the blocks' own sets, reused from the last time when they are big
 * enough: the passes recompute liveness again and again, and the arena
 * frees nothing (a program of 1000 clauses took 900 MB of sets).
 */
void ir_liveness(ir_func_t *fn)
{
	size_t nw = ir_set_words(fn);
	uint64_t **in = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*in));
	uint64_t **out = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*out));

	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		if (b->live_in == NULL || b->live_nw < nw) {
			b->live_in = dl_alloc(fn->arena, nw * 8 + 8);
			b->live_out = dl_alloc(fn->arena, nw * 8 + 8);
			b->live_nw = nw;
		}
		memset(b->live_out, 0, nw * 8);
		in[i] = b->live_in;
		out[i] = b->live_out;
	}
	live_solve(fn, in, out, nw);
}
