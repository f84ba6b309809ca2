/*
 * ir_dce.c - dead code elimination and CFG cleanup.
 *
 * Repeats, until nothing changes:
 *
 *  - branches whose two targets are the same block become JMPs;
 *  - jumps to an empty block that only jumps on are redirected to where
 *    it goes (and an unconditional jump to an empty block that returns
 *    returns directly, unless that block is laid out next);
 *  - blocks not reachable from the entry are dropped;
 *  - a block that jumps unconditionally to a block with no other
 *    predecessor absorbs it, if both come from the same D clause (so
 *    that every instruction still knows its clause, for the verifier's
 *    rejections);
 *  - definitions nobody reads are deleted: a backward walk per block with
 *    the live set (live.c) removes side-effect-free instructions whose
 *    result is dead, and self-copies; a dead call result is dropped from
 *    the call in the lowered stage (the call itself stays).
 *
 * Finally the blocks are laid out in chains that fall through (keeping a
 * block's current layout successor when it is one of its successors,
 * else preferring the taken side of a branch), grouped by the D clause
 * they come from (a clause's branches to the exit going to a copy of it
 * of its own), ids renumbered; the entry stays blks[0].
 *
 * Requires: any stage, a well-formed CFG (ir_check).  Produces: the same
 * program with fewer instructions and blocks.  Invalidates: liveness and
 * predecessors (recomputed here, then stale after later passes).
 */
#include <string.h>

#include "ir.h"

static bool dce_same_targets(ir_func_t *fn)
{
	bool changed = false;

	for (size_t i = 0; i < fn->nblks; i++) {
		ir_jump_t *j = &fn->blks[i]->jmp;
		if ((j->kind == IR_J_JNZ || j->kind == IR_J_JCMP) &&
		    j->s1 == j->s2) {
			*j = (ir_jump_t){ .kind = IR_J_JMP, .s1 = j->s1 };
			changed = true;
		}
	}
	return changed;
}

static bool dce_forwards(const ir_func_t *fn, const ir_blk_t *s)
{
	return s != fn->blks[0] && s->nins == 0 && s->jmp.kind == IR_J_JMP &&
	       s->jmp.s1 != s;
}

/* Where a jump to s really goes, skipping empty forwarding blocks.  The
   blocks passed on the way jump there directly afterwards (the chain of
   a program of many clauses, each clause's empty block jumping to the
   next one's, would be walked again from every block of it). */
static ir_blk_t *dce_forward(ir_func_t *fn, ir_blk_t *s)
{
	ir_blk_t *to = s;

	for (size_t steps = 0; steps < fn->nblks && dce_forwards(fn, to);
	     steps++)
		to = to->jmp.s1;
	for (size_t steps = 0; steps < fn->nblks && s != to &&
	     dce_forwards(fn, s); steps++) {
		ir_blk_t *next = s->jmp.s1;
		s->jmp.s1 = to;
		s = next;
	}
	return to;
}

static bool dce_thread(ir_func_t *fn)
{
	bool changed = false;

	for (size_t i = 0; i < fn->nblks; i++) {
		ir_jump_t *j = &fn->blks[i]->jmp;
		ir_blk_t *s;
		if (j->kind == IR_J_NONE || j->kind == IR_J_RET)
			continue;
		if ((s = dce_forward(fn, j->s1)) != j->s1) {
			j->s1 = s;
			changed = true;
		}
		if (j->kind != IR_J_JMP && (s = dce_forward(fn, j->s2)) != j->s2) {
			j->s2 = s;
			changed = true;
		}
		/* return directly, unless the return block comes next anyway */
		if (j->kind == IR_J_JMP && j->s1->nins == 0 &&
		    j->s1->jmp.kind == IR_J_RET && j->s1->id != (int)i + 1) {
			*j = j->s1->jmp;
			changed = true;
		}
	}
	return changed;
}

static void dce_mark(ir_blk_t *b, bool *seen)
{
	ir_blk_t *s[2];
	int n;

	while (!seen[b->id]) {
		seen[b->id] = true;
		n = ir_succs(b, s);
		if (n == 0)
			return;
		if (n == 2)
			dce_mark(s[1], seen);
		b = s[0];
	}
}

static bool dce_unreachable(ir_func_t *fn)
{
	bool *seen = dl_alloc(fn->arena, fn->nblks + 1);
	size_t n = fn->nblks;

	dce_mark(fn->blks[0], seen);
	ir_blk_compact(fn, seen);
	return fn->nblks != n;
}

/* b jumps to s, its only predecessor: append s to b. */
static bool dce_merge(ir_func_t *fn)
{
	bool *keep = dl_alloc(fn->arena, fn->nblks + 1);
	size_t n = fn->nblks;

	ir_preds(fn);
	memset(keep, 1, fn->nblks);
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i], *s;
		if (!keep[i])
			continue;
		while (b->jmp.kind == IR_J_JMP && (s = b->jmp.s1) != b &&
		       s != fn->blks[0] && s->npreds == 1 && keep[s->id] &&
		       s->clause == b->clause) {
			dl_vec_grow(fn->arena, (void **)&b->ins, &b->cap,
				    b->nins + s->nins, sizeof(*b->ins));
			if (s->nins > 0)	/* an empty block has no array */
				memcpy(&b->ins[b->nins], s->ins,
				       s->nins * sizeof(*s->ins));
			b->nins += s->nins;
			b->jmp = s->jmp;
			keep[s->id] = false;
		}
	}
	ir_blk_compact(fn, keep);
	return fn->nblks != n;
}

static bool dce_is_dead(const ir_ins_t *in, const ir_sset_t *live)
{
	unsigned fl = ir_opinfo[in->op].flags;

	if (in->op == IR_COPY && ir_ref_eq(in->to, in->a[0]))
		return true;
	return (fl & IRF_DEF) && !(fl & IRF_SIDE) && ir_is_tmp(in->to) &&
	       in->to.val != IR_FP && !ir_sset_has(live, in->to.val);
}

/* One backward walk over b; returns true if something was removed. */
static bool dce_block(ir_func_t *fn, ir_blk_t *b, ir_sset_t *live)
{
	uint32_t t[IR_MAXREFS];
	bool changed = false;
	size_t w = b->nins;
	int n;

	ir_sset_load(live, &b->live_out);
	n = ir_jump_uses(&b->jmp, t);
	for (int k = 0; k < n; k++)
		ir_sset_add(live, t[k]);
	for (size_t i = b->nins; i-- > 0;) {
		ir_ins_t *in = &b->ins[i];
		if (dce_is_dead(in, live)) {
			changed = true;
			continue;
		}
		if (in->op == IR_CALL && fn->stage == IR_STAGE_LOWERED &&
		    ir_is_tmp(in->to) && !ir_sset_has(live, in->to.val)) {
			in->to = IR_NONE;
			changed = true;
		}
		n = ir_ins_defs(in, t);
		for (int k = 0; k < n; k++)
			ir_sset_del(live, t[k]);
		n = ir_ins_uses(fn, in, t);
		for (int k = 0; k < n; k++)
			ir_sset_add(live, t[k]);
		b->ins[--w] = *in;
	}
	if (w > 0 && w < b->nins)
		memmove(b->ins, &b->ins[w], (b->nins - w) * sizeof(*b->ins));
	b->nins -= w;
	return changed;
}

static bool dce_dead_defs(ir_func_t *fn)
{
	ir_sset_t *live = ir_func_scratch(fn);
	bool any = false, changed = true;

	while (changed) {
		changed = false;
		ir_liveness(fn);
		for (size_t i = 0; i < fn->nblks; i++)
			changed |= dce_block(fn, fn->blks[i], live);
		any |= changed;
	}
	return any;
}

/* The successor of b to lay out right after it: the block already there
   if it is one, else the taken side (s1) of a branch, else the other. */
static ir_blk_t *dce_next(const ir_func_t *fn, const ir_blk_t *b,
			  const bool *placed)
{
	ir_blk_t *s[2];
	int n = ir_succs(b, s);
	size_t i = (size_t)b->id + 1;

	for (int k = 0; k < n && i < fn->nblks; k++)
		if (s[k] == fn->blks[i] && !placed[i])
			return s[k];
	for (int k = 0; k < n; k++)
		if (!placed[s[k]->id])
			return s[k];
	return NULL;
}

/* Past this many instructions, a function is laid out for short jumps:
   its blocks grouped by clause, each clause with its own exit. */
#define DCE_BIG 4096

static bool dce_big(const ir_func_t *fn)
{
	size_t n = 0;

	for (size_t i = 0; i < fn->nblks; i++)
		n += fn->blks[i]->nins + 1;
	return n > DCE_BIG;
}

/*
 * The chains, grouped by D clause, stably, into fn->blks (if the function
 * is big): the blocks of no clause (the entry, the prologue and the exit)
 * first, then each clause's.
 * A clause's cold blocks (an aggregation's new key, a drop) then stay near
 * it, and its branches fit their 16-bit offsets however many clauses the
 * program has; without it, 1000 clauses branched past 32767 instructions.
 */
static void dce_group(ir_func_t *fn, ir_blk_t **order, size_t n)
{
	int32_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (order[i]->clause > max)
			max = order[i]->clause;
	if (max == 0 || !dce_big(fn)) {
		memcpy(fn->blks, order, n * sizeof(*order));
		return;
	}
	size_t *at = dl_alloc(fn->arena, ((size_t)max + 2) * sizeof(*at));
	for (size_t i = 0; i < n; i++)
		at[order[i]->clause + 1]++;
	for (int32_t c = 1; c <= max + 1; c++)
		at[c] += at[c - 1];
	for (size_t i = 0; i < n; i++)
		fn->blks[at[order[i]->clause]++] = order[i];
}

/*
 * Lay blocks out in chains that fall through: from the entry, each block
 * is followed by an unplaced successor (dce_next); the other successors
 * wait on a stack and start the next chains.
 */
static void dce_layout(ir_func_t *fn)
{
	ir_blk_t **order = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*order));
	ir_blk_t **stack = dl_alloc(fn->arena, (2 * fn->nblks + 1) *
				    sizeof(*stack));
	bool *placed = dl_alloc(fn->arena, fn->nblks + 1);
	size_t n = 0, sp = 0;

	stack[sp++] = fn->blks[0];
	while (sp > 0) {
		for (ir_blk_t *b = stack[--sp]; b != NULL && !placed[b->id];) {
			ir_blk_t *s[2], *next = dce_next(fn, b, placed);
			int ns = ir_succs(b, s);
			placed[b->id] = true;
			order[n++] = b;
			for (int k = ns; k-- > 0;)
				if (s[k] != next && !placed[s[k]->id])
					stack[sp++] = s[k];
			b = next;
		}
	}
	dce_group(fn, order, n);
	fn->nblks = n;
	for (size_t i = 0; i < n; i++)
		fn->blks[i]->id = (int)i;
}

/*
 * A branch from a clause to the exit (a block of no clause that returns,
 * with at most an instruction setting r0) goes to a copy of it in the
 * clause, so that grouping blocks by clause (dce_group) keeps it short.
 */
static void dce_local_exits(ir_func_t *fn)
{
	int32_t max = 0;

	for (size_t i = 0; i < fn->nblks; i++)
		if (fn->blks[i]->clause > max)
			max = fn->blks[i]->clause;
	if (max == 0 || !dce_big(fn))
		return;
	ir_blk_t **copy = dl_alloc(fn->arena, ((size_t)max + 1) *
				   sizeof(*copy));
	size_t n = fn->nblks;
	for (size_t i = 0; i < n; i++) {
		ir_blk_t *b = fn->blks[i];
		ir_blk_t **ts[2] = { &b->jmp.s1, &b->jmp.s2 };
		if (b->clause == 0 || b->jmp.kind == IR_J_RET)
			continue;
		for (int k = 0; k < (b->jmp.kind == IR_J_JMP ? 1 : 2); k++) {
			ir_blk_t *t = *ts[k];
			if (t == NULL || t->clause != 0 || t->nins > 1 ||
			    t->jmp.kind != IR_J_RET)
				continue;
			if (copy[b->clause] == NULL) {
				ir_blk_t *c = copy[b->clause] = ir_blk_new(fn);
				c->clause = b->clause;
				c->jmp = t->jmp;
				c->nins = c->cap = t->nins;
				c->ins = t->nins == 0 ? NULL : dl_alloc(fn->arena,
						t->nins * sizeof(*c->ins));
				if (t->nins > 0)
					memcpy(c->ins, t->ins,
					       t->nins * sizeof(*c->ins));
			}
			*ts[k] = copy[b->clause];
		}
	}
}

void ir_dce(ir_func_t *fn)
{
	bool changed = true;

	for (int round = 0; round < 16 && changed; round++) {
		changed = dce_same_targets(fn);
		changed |= dce_thread(fn);
		changed |= dce_unreachable(fn);
		changed |= dce_merge(fn);
		changed |= dce_dead_defs(fn);
	}
	dce_local_exits(fn);
	dce_layout(fn);
}
