/*
 * regalloc.c - register allocation by iterated graph colouring.
 *
 * Chaitin-Briggs over the selected function, in rounds:
 *
 *   build      liveness (live.c), then an interference graph walking each
 *              block backwards: every definition interferes with what is
 *              live after it (a copy not with its source, so the two can
 *              share a register).  A call defines r0..r5, so whatever
 *              lives across a call interferes with them and can only get
 *              r6..r9 or the stack.  Nodes are r0..r9 (precoloured) and
 *              every virtual temporary that occurs; r10 is not a node.
 *   coalesce   copies whose ends do not interfere are merged when it
 *              cannot make colouring harder: Briggs' test between two
 *              temporaries, George's against a physical register.
 *   simplify   nodes of degree < 10 are removed onto a stack; when none
 *              is left, the one with the least uses per neighbour is
 *              pushed anyway, optimistically (Briggs).
 *   select     nodes are popped and get a register no coloured neighbour
 *              has, preferring one a copy partner already got, then r0
 *              upwards.  A node that finds none is spilled.
 *   spill      spilled temporaries get 8-byte aligned frame slots
 *              (ir_frame_alloc).  Temporaries that never live at the same
 *              time share a slot, and so do slots of earlier rounds: the
 *              build step also tracks which slots are live (between a
 *              store and its last reload) where each temporary is.  Every
 *              definition is followed by a store and every use preceded
 *              by a load into a fresh short-lived temporary (copies turn
 *              into the load or the store itself); then the next round.
 *              Temporaries made by spilling are never spilled again, so
 *              rounds end.
 *
 * Finally every temporary is replaced by its register and copies of a
 * register to itself are deleted; within each block, a reload from a slot
 * whose value a register still holds becomes a copy, and a store to a slot
 * stored again before anything reads it is dropped.  Full 8-byte spills are what the
 * verifier tracks pointers through, hence store8/load8 only.
 *
 * Requires: IR_STAGE_SELECTED.  Produces: IR_STAGE_ALLOCATED, or -1 if
 * spilling would need more than 512 bytes of stack.  Invalidates:
 * liveness.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

#define RA_K 10			/* r0..r9 */
#define RA_NONE UINT32_MAX

typedef struct ra_move {
	uint32_t a, b;		/* nodes of "a = copy b" */
} ra_move_t;

/* Per node: the moves it takes part in (merged lists after coalescing). */
typedef struct ra_mlist {
	uint32_t *m;
	size_t n, cap;
} ra_mlist_t;

/* A node's neighbours, in ascending order (the order simplify visits
   them in, so that the allocation does not depend on how the graph grew). */
typedef struct ra_nbrs {
	uint32_t *v;
	size_t n, cap;
} ra_nbrs_t;

typedef struct ra {
	ir_func_t *fn;
	uint32_t first_new;	/* temps from here on were made by spilling */
	uint32_t n;		/* nodes: 0..9 = r0..r9, then virtual temps */
	uint32_t *node;		/* per temp: its node, RA_NONE if none */
	uint32_t *tmp;		/* per node: its temp */
	ra_nbrs_t *nbr;		/* per node: its neighbours, ascending */
	uint64_t *eset;		/* the edges, hashed (ra_ekey; 0 empty) */
	size_t ecap, eused;	/* slots, and slots not empty */
	uint32_t *deg;		/* per node: neighbours (virtual nodes) */
	uint32_t *alias;	/* per node: coalesced into */
	uint32_t *cost;		/* per node: occurrences */
	int *color;		/* per node: register, -1 none */
	ra_move_t *moves;
	size_t nmoves, movecap;
	ra_mlist_t *mlist;	/* per node */
	bool spill_slot[512 / 8 + 1];	/* -off/8 of every spill slot made */
	uint64_t *slive_out;	/* per block: spill slots live at its end */
	uint64_t *sconf;	/* per node: spill slots live where it is */
} ra_t;

/*
 * The interference graph is sparse (a temporary meets few others; a few,
 * like the context pointer, meet many), so it is kept as adjacency lists
 * and a hash set of edges rather than n x n bits, which at 100,000
 * temporaries (a few thousand clauses on one probe) were a gigabyte.
 * The set is open-addressed with linear probing; a deleted edge leaves a
 * tombstone (RA_GONE) until the set is rebuilt larger.
 */
#define RA_GONE UINT64_MAX

static uint64_t ra_ekey(uint32_t a, uint32_t b)
{
	return a < b ? ((uint64_t)a << 32 | b) + 1 : ((uint64_t)b << 32 | a) + 1;
}

static size_t ra_eslot(const ra_t *ra, uint64_t k)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & (ra->ecap - 1);
}

static bool ra_adj(const ra_t *ra, uint32_t a, uint32_t b)
{
	uint64_t k = ra_ekey(a, b);

	for (size_t i = ra_eslot(ra, k);; i = (i + 1) & (ra->ecap - 1)) {
		if (ra->eset[i] == k)
			return true;
		if (ra->eset[i] == 0)
			return false;
	}
}

static void ra_eput(ra_t *ra, uint64_t k)
{
	size_t i = ra_eslot(ra, k);

	while (ra->eset[i] != 0 && ra->eset[i] != RA_GONE)
		i = (i + 1) & (ra->ecap - 1);
	if (ra->eset[i] == 0)
		ra->eused++;
	ra->eset[i] = k;
}

static void ra_eadd(ra_t *ra, uint64_t k)
{
	if ((ra->eused + 1) * 2 > ra->ecap) {	/* rebuild, twice as large */
		uint64_t *old = ra->eset;
		size_t ocap = ra->ecap;

		ra->ecap *= 2;
		ra->eset = calloc(ra->ecap, sizeof(uint64_t));
		if (ra->eset == NULL)
			abort();
		ra->eused = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i] != 0 && old[i] != RA_GONE)
				ra_eput(ra, old[i]);
		free(old);
	}
	ra_eput(ra, k);
}

static void ra_edel(ra_t *ra, uint64_t k)
{
	size_t i = ra_eslot(ra, k);

	while (ra->eset[i] != k)
		i = (i + 1) & (ra->ecap - 1);
	ra->eset[i] = RA_GONE;
}

/* Put y into x's list, in order (at the end while the graph is built:
   ra_build sorts the lists once). */
static void ra_nbr_add(ra_t *ra, uint32_t x, uint32_t y, bool sorted)
{
	ra_nbrs_t *l = &ra->nbr[x];
	size_t i = l->n;

	dl_vec_grow(ra->fn->arena, (void **)&l->v, &l->cap, l->n + 1,
		    sizeof(*l->v));
	if (sorted)
		while (i > 0 && l->v[i - 1] > y)
			i--;
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->v[i] = y;
	l->n++;
}

static void ra_nbr_del(ra_t *ra, uint32_t x, uint32_t y)
{
	ra_nbrs_t *l = &ra->nbr[x];

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == y) {
			memmove(&l->v[i], &l->v[i + 1],
				(l->n - i - 1) * sizeof(*l->v));
			l->n--;
			return;
		}
}

static bool ra_phys(uint32_t x)
{
	return x < RA_K;
}

static uint32_t ra_find(const ra_t *ra, uint32_t x)
{
	while (ra->alias[x] != x)
		x = ra->alias[x];
	return x;
}

/* Connect a and b (sorted: keep the lists in order, after ra_build). */
static void ra_link(ra_t *ra, uint32_t a, uint32_t b, bool sorted)
{
	ra_eadd(ra, ra_ekey(a, b));
	ra_nbr_add(ra, a, b, sorted);
	ra_nbr_add(ra, b, a, sorted);
}

static void ra_edge(ra_t *ra, uint32_t a, uint32_t b)
{
	if (a == b || a == RA_NONE || b == RA_NONE ||
	    (ra_phys(a) && ra_phys(b)) || ra_adj(ra, a, b))
		return;
	ra_link(ra, a, b, false);
	ra->deg[a]++;
	ra->deg[b]++;
}

/* For each neighbour t of x, in ascending order (one loop: break works). */
#define RA_FOR_ADJ(ra, x, t) \
	for (uint32_t t##_i = 0, t = 0; t##_i < (ra)->nbr[x].n && \
	     (t = (ra)->nbr[x].v[t##_i], true); t##_i++)

/* ---- nodes and the interference graph ------------------------------------ */

/* The spill slot (1..64, -off/8) a load8/store8 of r10 accesses, or -1. */
static int ra_slot_of(const ra_t *ra, const ir_ins_t *in, ir_op_t op)
{
	int32_t off = in->off;

	if (in->op != op || !ir_ref_eq(in->a[0], ir_reg(IR_FP)) || off >= 0 ||
	    off < -512 || off % 8 != 0 || !ra->spill_slot[-off / 8])
		return -1;
	return -off / 8;
}

static uint64_t ra_slot_bit(int slot)
{
	return (uint64_t)1 << (slot - 1);
}

/* Which spill slots hold a value still to be reloaded at the end of each
   block: one 64-bit set per block, backward data flow. */
static uint64_t ra_slot_transfer(const ra_t *ra, const ir_blk_t *b,
				 uint64_t live)
{
	for (size_t i = b->nins; i-- > 0;) {
		int ss = ra_slot_of(ra, &b->ins[i], IR_STORE8);
		int ls = ra_slot_of(ra, &b->ins[i], IR_LOAD8);
		if (ss > 0)
			live &= ~ra_slot_bit(ss);
		if (ls > 0)
			live |= ra_slot_bit(ls);
	}
	return live;
}

static void ra_slot_liveness(ra_t *ra)
{
	ir_func_t *fn = ra->fn;
	uint64_t *in = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*in));
	bool changed = true;

	ra->slive_out = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*in));
	while (changed) {
		changed = false;
		for (size_t i = fn->nblks; i-- > 0;) {
			ir_blk_t *b = fn->blks[i], *sv[2];
			uint64_t out = 0;
			int ns = ir_succs(b, sv);
			for (int k = 0; k < ns; k++)
				out |= in[sv[k]->id];
			uint64_t nin = ra_slot_transfer(ra, b, out);
			changed |= nin != in[i] || out != ra->slive_out[i];
			in[i] = nin;
			ra->slive_out[i] = out;
		}
	}
}

static void ra_map(ra_t *ra, ir_ref_t r)
{
	if (ir_is_tmp(r) && r.val >= IR_NPHYS && ra->node[r.val] == RA_NONE)
		ra->node[r.val] = ra->n++;
}

static void ra_init(ra_t *ra)
{
	ir_func_t *fn = ra->fn;
	dl_arena_t *a = fn->arena;

	ra->node = dl_alloc(a, fn->ntmp * sizeof(*ra->node));
	memset(ra->node, 0xff, fn->ntmp * sizeof(*ra->node));
	for (uint32_t r = 0; r < RA_K; r++)
		ra->node[r] = r;
	ra->n = RA_K;
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		for (size_t k = 0; k < b->nins; k++) {
			ra_map(ra, b->ins[k].to);
			ra_map(ra, b->ins[k].a[0]);
			ra_map(ra, b->ins[k].a[1]);
		}
		ra_map(ra, b->jmp.arg[0]);
		ra_map(ra, b->jmp.arg[1]);
	}
	ra->tmp = dl_alloc(a, ra->n * sizeof(*ra->tmp));
	for (uint32_t t = 0; t < fn->ntmp; t++)
		if (ra->node[t] != RA_NONE)
			ra->tmp[ra->node[t]] = t;
	ra->nbr = dl_alloc(a, ra->n * sizeof(*ra->nbr));
	ra->ecap = 1024;
	ra->eused = 0;
	free(ra->eset);		/* the last round's */
	if ((ra->eset = calloc(ra->ecap, sizeof(uint64_t))) == NULL)
		abort();
	ra->deg = dl_alloc(a, ra->n * sizeof(*ra->deg));
	ra->alias = dl_alloc(a, ra->n * sizeof(*ra->alias));
	ra->cost = dl_alloc(a, ra->n * sizeof(*ra->cost));
	ra->color = dl_alloc(a, ra->n * sizeof(*ra->color));
	ra->mlist = dl_alloc(a, ra->n * sizeof(*ra->mlist));
	ra->sconf = dl_alloc(a, ra->n * sizeof(*ra->sconf));
	for (uint32_t x = 0; x < ra->n; x++) {
		ra->alias[x] = x;
		ra->color[x] = ra_phys(x) ? (int)x : -1;
	}
	ra->moves = NULL;
	ra->nmoves = ra->movecap = 0;
}

static uint32_t ra_node(const ra_t *ra, uint32_t t)
{
	return t < ra->fn->ntmp ? ra->node[t] : RA_NONE;
}

static void ra_mlist_add(ra_t *ra, uint32_t x, uint32_t m)
{
	ra_mlist_t *l = &ra->mlist[x];

	dl_vec_grow(ra->fn->arena, (void **)&l->m, &l->cap, l->n + 1,
		    sizeof(*l->m));
	l->m[l->n++] = m;
}

static void ra_add_move(ra_t *ra, const ir_ins_t *in)
{
	uint32_t a = ra_node(ra, in->to.val), b = ra_node(ra, in->a[0].val);

	if (a == RA_NONE || b == RA_NONE || a == b)
		return;
	dl_vec_grow(ra->fn->arena, (void **)&ra->moves, &ra->movecap,
		    ra->nmoves + 1, sizeof(*ra->moves));
	ra->moves[ra->nmoves] = (ra_move_t){ a, b };
	ra_mlist_add(ra, a, (uint32_t)ra->nmoves);
	ra_mlist_add(ra, b, (uint32_t)ra->nmoves);
	ra->nmoves++;
}

/* Definition d interferes with everything live after it but except. */
static void ra_interfere(ra_t *ra, uint32_t d, const ir_sset_t *live,
			 uint32_t except)
{
	uint32_t nd = ra_node(ra, d);

	if (nd == RA_NONE)
		return;
	for (uint32_t k = 0; k < live->n; k++) {
		uint32_t t = live->dense[k];
		if (t != except && t != d)
			ra_edge(ra, nd, ra_node(ra, t));
	}
}

static void ra_count(ra_t *ra, const uint32_t *t, int n)
{
	for (int k = 0; k < n; k++) {
		uint32_t x = ra_node(ra, t[k]);
		if (x != RA_NONE)
			ra->cost[x]++;
	}
}

/* Temps and spill slots live at the same time may not share the slot:
   a definition conflicts with the slots live after it, a store to a slot
   with the temps live after it.  Returns the slots live before in. */
static uint64_t ra_slot_conflicts(ra_t *ra, const ir_ins_t *in,
				  const ir_sset_t *live, uint64_t slive,
				  const uint32_t *d, int nd)
{
	int ss = ra_slot_of(ra, in, IR_STORE8), ls = ra_slot_of(ra, in, IR_LOAD8);

	for (int k = 0; k < nd; k++)
		if (ra_node(ra, d[k]) != RA_NONE)
			ra->sconf[ra_node(ra, d[k])] |= slive;
	if (ss > 0) {
		for (uint32_t k = 0; k < live->n; k++) {
			uint32_t x = ra_node(ra, live->dense[k]);
			if (x != RA_NONE)
				ra->sconf[x] |= ra_slot_bit(ss);
		}
		slive &= ~ra_slot_bit(ss);
	}
	if (ls > 0)
		slive |= ra_slot_bit(ls);
	return slive;
}

static void ra_build_block(ra_t *ra, const ir_blk_t *b, ir_sset_t *live)
{
	uint64_t slive = ra->slive_out[b->id];
	const ir_func_t *fn = ra->fn;
	uint32_t d[IR_MAXREFS], u[IR_MAXREFS];
	int nd, nu;

	ir_sset_load(live, &b->live_out);
	nu = ir_jump_uses(&b->jmp, u);
	ra_count(ra, u, nu);
	for (int k = 0; k < nu; k++)
		ir_sset_add(live, u[k]);
	for (size_t i = b->nins; i-- > 0;) {
		const ir_ins_t *in = &b->ins[i];
		uint32_t except = RA_NONE;
		nd = ir_ins_defs(in, d);
		nu = ir_ins_uses(fn, in, u);
		if (in->op == IR_COPY && ir_is_tmp(in->a[0])) {
			except = in->a[0].val;
			ra_add_move(ra, in);
		}
		for (int k = 0; k < nd; k++)
			ra_interfere(ra, d[k], live, except);
		slive = ra_slot_conflicts(ra, in, live, slive, d, nd);
		for (int k = 0; k < nd; k++)
			ir_sset_del(live, d[k]);
		for (int k = 0; k < nu; k++)
			ir_sset_add(live, u[k]);
		ra_count(ra, d, nd);
		ra_count(ra, u, nu);
	}
}

static int ra_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void ra_build(ra_t *ra)
{
	ir_func_t *fn = ra->fn;
	ir_sset_t *live = ir_func_scratch(fn);

	ir_liveness(fn);
	ra_slot_liveness(ra);
	for (size_t i = 0; i < fn->nblks; i++)
		ra_build_block(ra, fn->blks[i], live);
	/* what is live into the entry was all "defined" at once before it
	   (r1, r10; anything else is a bug ir_check reports) */
	ir_sset_load(live, &fn->blks[0]->live_in);
	for (uint32_t k = 0; k < live->n; k++)
		ra_interfere(ra, live->dense[k], live, RA_NONE);
	for (uint32_t x = 0; x < ra->n; x++)
		if (ra->nbr[x].n > 1)
			qsort(ra->nbr[x].v, ra->nbr[x].n, sizeof(uint32_t),
			      ra_cmp_u32);
}

/* ---- coalescing ---------------------------------------------------------- */

static bool ra_is_spill_tmp(const ra_t *ra, uint32_t x)
{
	return !ra_phys(x) && ra->tmp[x] >= ra->first_new;
}

/* Briggs: the merged node has fewer than K significant neighbours. */
static bool ra_briggs_one(const ra_t *ra, uint32_t t, uint32_t u, uint32_t v)
{
	uint32_t d = ra->deg[t];

	if (ra_adj(ra, t, u) && ra_adj(ra, t, v))
		d--;
	return ra_phys(t) || d >= RA_K;
}

static bool ra_briggs(const ra_t *ra, uint32_t u, uint32_t v)
{
	int sig = 0;

	RA_FOR_ADJ(ra, u, t)
		sig += ra_briggs_one(ra, t, u, v);
	RA_FOR_ADJ(ra, v, t)
		if (!ra_adj(ra, t, u))
			sig += ra_briggs_one(ra, t, u, v);
	return sig < RA_K;
}

/* George: every neighbour of u already conflicts with p or is harmless. */
static bool ra_george(const ra_t *ra, uint32_t u, uint32_t p)
{
	RA_FOR_ADJ(ra, u, t)
		if (!ra_phys(t) && !ra_adj(ra, t, p) && ra->deg[t] >= RA_K)
			return false;
	return true;
}

static void ra_merge(ra_t *ra, uint32_t u, uint32_t v)
{
	ra->alias[u] = v;
	ra->cost[v] += ra->cost[u];
	ra->sconf[v] |= ra->sconf[u];
	RA_FOR_ADJ(ra, u, t) {
		ra_edel(ra, ra_ekey(t, u));
		ra_nbr_del(ra, t, u);
		if (ra_adj(ra, t, v)) {
			ra->deg[t]--;
		} else if (!(ra_phys(t) && ra_phys(v))) {
			ra_link(ra, t, v, true);
			ra->deg[v]++;
		}
	}
	ra->nbr[u].n = 0;
	ra->deg[u] = 0;
	for (size_t i = 0; i < ra->mlist[u].n; i++)
		ra_mlist_add(ra, v, ra->mlist[u].m[i]);
}

static bool ra_coalesce_one(ra_t *ra, const ra_move_t *m)
{
	uint32_t u = ra_find(ra, m->a), v = ra_find(ra, m->b), t;

	if (ra_phys(u)) {
		t = u;
		u = v;
		v = t;
	}
	if (u == v || ra_phys(u) || ra_is_spill_tmp(ra, u) ||
	    ra_is_spill_tmp(ra, v) || ra_adj(ra, u, v))
		return false;
	if (ra_phys(v) ? !ra_george(ra, u, v) : !ra_briggs(ra, u, v))
		return false;
	ra_merge(ra, u, v);
	return true;
}

static void ra_coalesce(ra_t *ra)
{
	bool progress = true;

	while (progress) {
		progress = false;
		for (size_t i = 0; i < ra->nmoves; i++)
			progress |= ra_coalesce_one(ra, &ra->moves[i]);
	}
}

/* ---- simplify and select ------------------------------------------------- */

typedef struct ra_stack {
	uint32_t *v;
	size_t n;
} ra_stack_t;

/* The cheapest node to give up on: fewest uses per neighbour. */
static uint32_t ra_spill_pick(const ra_t *ra, const bool *gone,
			      const uint32_t *d)
{
	uint32_t best = RA_NONE;
	double bestc = 0;

	for (uint32_t x = RA_K; x < ra->n; x++) {
		if (gone[x] || ra->alias[x] != x)
			continue;
		double c = ra_is_spill_tmp(ra, x) ? 1e30
			 : (double)ra->cost[x] / (double)(d[x] + 1);
		if (best == RA_NONE || c < bestc) {
			best = x;
			bestc = c;
		}
	}
	return best;
}

static void ra_remove(const ra_t *ra, uint32_t x, bool *gone, uint32_t *d,
		      ra_stack_t *sel, ra_stack_t *low)
{
	gone[x] = true;
	sel->v[sel->n++] = x;
	RA_FOR_ADJ(ra, x, t)
		if (!ra_phys(t) && !gone[t] && d[t]-- == RA_K)
			low->v[low->n++] = t;
}

/* Fill sel with every virtual node, in removal order. */
static void ra_simplify(ra_t *ra, ra_stack_t *sel)
{
	dl_arena_t *a = ra->fn->arena;
	bool *gone = dl_alloc(a, ra->n);
	uint32_t *d = dl_alloc(a, ra->n * sizeof(*d));
	ra_stack_t low = { dl_alloc(a, (ra->n + 1) * 2 * sizeof(uint32_t)), 0 };
	size_t left = 0;

	memcpy(d, ra->deg, ra->n * sizeof(*d));
	for (uint32_t x = RA_K; x < ra->n; x++) {
		if (ra->alias[x] != x)
			continue;
		left++;
		if (d[x] < RA_K)
			low.v[low.n++] = x;
	}
	while (left > 0) {
		uint32_t x;
		if (low.n > 0) {
			x = low.v[--low.n];
			if (gone[x])
				continue;
		} else {
			x = ra_spill_pick(ra, gone, d);
		}
		ra_remove(ra, x, gone, d, sel, &low);
		left--;
	}
}

/* The register a copy partner of x already has, if free in mask. */
static int ra_biased(const ra_t *ra, uint32_t x, unsigned mask)
{
	const ra_mlist_t *l = &ra->mlist[x];

	for (size_t i = 0; i < l->n; i++) {
		const ra_move_t *m = &ra->moves[l->m[i]];
		uint32_t o = ra_find(ra, m->a) == x ? ra_find(ra, m->b)
						    : ra_find(ra, m->a);
		int c = ra->color[o];
		if (c >= 0 && !(mask & (1u << c)))
			return c;
	}
	return -1;
}

/* Colour the nodes in reverse removal order; returns how many spill. */
static size_t ra_select(ra_t *ra, const ra_stack_t *sel)
{
	size_t nspill = 0;

	for (size_t i = sel->n; i-- > 0;) {
		uint32_t x = sel->v[i];
		unsigned mask = 0;
		int c;
		RA_FOR_ADJ(ra, x, t)
			if (ra->color[t] >= 0)
				mask |= 1u << ra->color[t];
		c = ra_biased(ra, x, mask);
		for (int r = 0; c < 0 && r < RA_K; r++)
			if (!(mask & (1u << r)))
				c = r;
		ra->color[x] = c;
		if (c < 0)
			nspill++;
	}
	return nspill;
}

/* ---- spilling ------------------------------------------------------------ */

typedef struct ra_slot {
	int32_t off;		/* from r10 */
	uint32_t *members;	/* nodes sharing it */
	size_t n;
} ra_slot_t;

/* May node x live in slot s?  Not while the slot holds a value of an
   earlier round, nor together with a node of this round it interferes
   with. */
static bool ra_slot_fits(const ra_t *ra, uint32_t x, const ra_slot_t *s)
{
	if (ra->sconf[x] & ra_slot_bit(-s->off / 8))
		return false;
	for (size_t k = 0; k < s->n; k++)
		if (ra_adj(ra, x, s->members[k]))
			return false;
	return true;
}

/* Frame slots for the uncoloured nodes; per temp offset in toff (0: none).
   Returns -1 if the frame is full. */
static int ra_slots(ra_t *ra, int32_t *toff)
{
	ir_func_t *fn = ra->fn;
	ra_slot_t slots[512 / 8];
	int32_t *noff = dl_alloc(fn->arena, ra->n * sizeof(*noff));
	size_t nslots = 0;

	/* slots of earlier rounds first: free wherever sconf says so */
	for (int i = 1; i <= 512 / 8; i++)
		if (ra->spill_slot[i])
			slots[nslots++] = (ra_slot_t){ -8 * i,
				dl_alloc(fn->arena, ra->n * 4), 0 };
	for (uint32_t x = RA_K; x < ra->n; x++) {
		size_t s;
		if (ra->alias[x] != x || ra->color[x] >= 0)
			continue;
		for (s = 0; s < nslots; s++)
			if (ra_slot_fits(ra, x, &slots[s]))
				break;
		if (s == nslots) {
			if (ir_frame_left(fn) < 8)
				return -1;
			slots[s].off = ir_frame_alloc(fn, 8);
			ra->spill_slot[-slots[s].off / 8] = true;
			slots[s].members = dl_alloc(fn->arena, ra->n * 4);
			slots[s].n = 0;
			nslots++;
		}
		slots[s].members[slots[s].n++] = x;
		noff[x] = slots[s].off;
	}
	for (uint32_t t = IR_NPHYS; t < fn->ntmp; t++)
		if (ra->node[t] != RA_NONE)
			toff[t] = noff[ra_find(ra, ra->node[t])];
	return 0;
}

typedef struct ra_rw {
	ir_func_t *fn;
	const int32_t *toff;	/* per temp: spill slot or 0 */
	uint32_t ntmp;		/* temps toff covers */
	ir_blk_t *b;		/* block being rewritten */
} ra_rw_t;

static int32_t ra_off(const ra_rw_t *rw, ir_ref_t r)
{
	return ir_is_tmp(r) && r.val < rw->ntmp ? rw->toff[r.val] : 0;
}

static void ra_spill_load(ra_rw_t *rw, ir_ref_t to, int32_t off)
{
	ir_emit(rw->fn, rw->b, IR_LOAD8, to, ir_reg(IR_FP), IR_NONE)->off = off;
}

static void ra_spill_store(ra_rw_t *rw, ir_ref_t val, int32_t off)
{
	ir_emit(rw->fn, rw->b, IR_STORE8, IR_NONE, ir_reg(IR_FP), val)->off = off;
}

/* A copy with a spilled end becomes a load, a store, or both. */
static void ra_rw_copy(ra_rw_t *rw, const ir_ins_t *in)
{
	int32_t od = ra_off(rw, in->to), os = ra_off(rw, in->a[0]);
	ir_ref_t t;

	if (od != 0 && os == 0) {
		ra_spill_store(rw, in->a[0], od);
	} else if (od == 0) {
		ra_spill_load(rw, in->to, os);
	} else if (od != os) {
		t = ir_tmp(rw->fn);
		ra_spill_load(rw, t, os);
		ra_spill_store(rw, t, od);
	}
}

/* Any instruction: spilled operands reloaded into fresh temps before it,
   a spilled result stored after it. */
static void ra_rw_ins(ra_rw_t *rw, const ir_ins_t *in)
{
	ir_ins_t out = *in;
	int32_t od = ra_off(rw, in->to);

	if (in->op == IR_COPY && (od != 0 || ra_off(rw, in->a[0]) != 0)) {
		ra_rw_copy(rw, in);
		return;
	}
	for (int i = 0; i < 2; i++) {
		int32_t o = ra_off(rw, in->a[i]);
		if (o == 0)
			continue;
		if (i == 1 && ir_ref_eq(in->a[1], in->a[0])) {
			out.a[1] = out.a[0];	/* x op x: one reload */
			continue;
		}
		out.a[i] = ir_tmp(rw->fn);
		ra_spill_load(rw, out.a[i], o);
	}
	if (od != 0)
		out.to = ir_ref_eq(in->to, in->a[0]) ? out.a[0] : ir_tmp(rw->fn);
	*ir_emit(rw->fn, rw->b, (ir_op_t)in->op, out.to, out.a[0], out.a[1]) =
		out;
	if (od != 0)
		ra_spill_store(rw, out.to, od);
}

static void ra_rw_block(ra_rw_t *rw, ir_blk_t *b)
{
	ir_ins_t *old = b->ins;
	size_t n = b->nins;

	rw->b = b;
	b->ins = NULL;
	b->nins = b->cap = 0;
	for (size_t i = 0; i < n; i++)
		ra_rw_ins(rw, &old[i]);
	for (int i = 0; i < 2; i++) {
		int32_t o = ra_off(rw, b->jmp.arg[i]);
		if (o == 0)
			continue;
		ir_ref_t t = ir_tmp(rw->fn);
		ra_spill_load(rw, t, o);
		if (ir_ref_eq(b->jmp.arg[1 - i], b->jmp.arg[i]))
			b->jmp.arg[1 - i] = t;
		b->jmp.arg[i] = t;
	}
}

static int ra_spill(ra_t *ra)
{
	ir_func_t *fn = ra->fn;
	ra_rw_t rw = { .fn = fn, .ntmp = fn->ntmp };
	int32_t *toff = dl_alloc(fn->arena, fn->ntmp * sizeof(*toff));

	if (ra_slots(ra, toff) < 0)
		return -1;
	rw.toff = toff;
	for (size_t i = 0; i < fn->nblks; i++)
		ra_rw_block(&rw, fn->blks[i]);
	return 0;
}

/* ---- spill code clean-up, after assignment ------------------------------- */

/*
 * Spill slots are only ever touched by the load8/store8 made above (no
 * pointer to them escapes), so within a block a reload of a slot whose
 * value a register still holds becomes a copy (or nothing), and a store
 * to a slot that is stored again before any load of it is dead.
 */

static void ra_forward_block(const ra_t *ra, ir_blk_t *b)
{
	int known[512 / 8 + 1];		/* slot -> register holding it */
	uint32_t d[IR_MAXREFS];
	size_t w = 0;

	memset(known, 0xff, sizeof(known));
	for (size_t i = 0; i < b->nins; i++) {
		ir_ins_t in = b->ins[i];
		int ls = ra_slot_of(ra, &in, IR_LOAD8);
		int ss = ra_slot_of(ra, &in, IR_STORE8);
		if (ls >= 0 && known[ls] >= 0) {
			if (known[ls] == (int)in.to.val)
				continue;
			in = (ir_ins_t){ .op = IR_COPY, .to = in.to,
					 .a = { ir_reg(known[ls]), IR_NONE } };
		}
		int nd = ir_ins_defs(&in, d);
		for (int k = 0; k < nd; k++)
			for (size_t s = 0; s < 512 / 8 + 1; s++)
				if (known[s] == (int)d[k])
					known[s] = -1;
		if (ss >= 0)
			known[ss] = ir_is_tmp(in.a[1]) ? (int)in.a[1].val : -1;
		if (ls >= 0)
			known[ls] = (int)in.to.val;
		b->ins[w++] = in;
	}
	b->nins = w;
}

static void ra_dead_stores_block(const ra_t *ra, ir_blk_t *b)
{
	bool over[512 / 8 + 1] = { false };	/* stored again before read */
	size_t w = b->nins;

	for (size_t i = b->nins; i-- > 0;) {
		int ls = ra_slot_of(ra, &b->ins[i], IR_LOAD8);
		int ss = ra_slot_of(ra, &b->ins[i], IR_STORE8);
		if (ss >= 0 && over[ss])
			continue;
		if (ss >= 0)
			over[ss] = true;
		if (ls >= 0)
			over[ls] = false;
		b->ins[--w] = b->ins[i];
	}
	if (w > 0 && w < b->nins)
		memmove(b->ins, &b->ins[w], (b->nins - w) * sizeof(*b->ins));
	b->nins -= w;
}

/* ---- the driver ---------------------------------------------------------- */

static ir_ref_t ra_reg(const ra_t *ra, ir_ref_t r)
{
	if (!ir_is_tmp(r) || r.val < IR_NPHYS)
		return r;
	return ir_reg(ra->color[ra_find(ra, ra->node[r.val])]);
}

static void ra_assign(ra_t *ra)
{
	ir_func_t *fn = ra->fn;

	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		size_t w = 0;
		for (size_t k = 0; k < b->nins; k++) {
			ir_ins_t in = b->ins[k];
			in.to = ra_reg(ra, in.to);
			in.a[0] = ra_reg(ra, in.a[0]);
			in.a[1] = ra_reg(ra, in.a[1]);
			if (in.op == IR_COPY && ir_ref_eq(in.to, in.a[0]))
				continue;
			b->ins[w++] = in;
		}
		b->nins = w;
		b->jmp.arg[0] = ra_reg(ra, b->jmp.arg[0]);
		b->jmp.arg[1] = ra_reg(ra, b->jmp.arg[1]);
	}
	fn->stage = IR_STAGE_ALLOCATED;
}

int ir_regalloc(ir_func_t *fn)
{
	ra_t ra = { .fn = fn, .first_new = fn->ntmp };

	for (int round = 0; round < 64; round++) {
		ra_stack_t sel;
		ra_init(&ra);
		ra_build(&ra);
		ra_coalesce(&ra);
		sel.v = dl_alloc(fn->arena, ra.n * sizeof(*sel.v));
		sel.n = 0;
		ra_simplify(&ra, &sel);
		if (ra_select(&ra, &sel) == 0) {
			ra_assign(&ra);
			for (size_t i = 0; i < fn->nblks; i++) {
				ra_forward_block(&ra, fn->blks[i]);
				ra_dead_stores_block(&ra, fn->blks[i]);
			}
			free(ra.eset);
			return 0;
		}
		if (ra_spill(&ra) < 0) {
			free(ra.eset);
			return -1;
		}
	}
	fprintf(stderr, "%s:%d: register allocation does not converge\n",
		__FILE__, __LINE__);
	abort();
}
