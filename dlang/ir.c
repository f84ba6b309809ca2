/*
 * ir.c - building IR functions, and the small facts every pass asks about.
 *
 * The building API (ir_func_new, ir_emit, ir_call, ...) appends to blocks;
 * it checks nothing beyond what would corrupt memory: shape errors are
 * ir_check's business.  The tables here are the single source of the
 * opcode properties (ir_ops.h), memory widths, comparison mirrors and
 * negations, and helper names (bpf_helpers.h).
 *
 * Also here, for the passes: which temporaries an instruction reads and
 * writes (the one definition liveness, regalloc and the checker share),
 * successors and predecessors of blocks, and inserting and dropping blocks
 * while keeping fn->blks[i]->id == i.
 *
 * Requires: nothing but an arena.  Everything allocated comes from
 * fn->arena.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

const ir_opinfo_t ir_opinfo[IR_NOPS] = {
#define IR_OP(name, text, nargs, flags) [IR_##name] = { text, nargs, flags },
#include "ir_ops.h"
#undef IR_OP
};

static const bpf_helper_t bpf_helpers[] = {
#define BPF_HELPER(id, name, nargs) { id, #name, nargs },
#include "bpf_helpers.h"
#undef BPF_HELPER
};

static const unsigned char ir_widths[IR_NOPS] = {
	[IR_LOAD1] = 1, [IR_LOAD2] = 2, [IR_LOAD4] = 4, [IR_LOAD8] = 8,
	[IR_STORE1] = 1, [IR_STORE2] = 2, [IR_STORE4] = 4, [IR_STORE8] = 8,
};

/* (a OP b) == (b MIRROR a) */
static const ir_op_t ir_mirrors[IR_NOPS] = {
	[IR_CEQ] = IR_CEQ, [IR_CNE] = IR_CNE,
	[IR_CULT] = IR_CUGT, [IR_CULE] = IR_CUGE,
	[IR_CUGT] = IR_CULT, [IR_CUGE] = IR_CULE,
	[IR_CSLT] = IR_CSGT, [IR_CSLE] = IR_CSGE,
	[IR_CSGT] = IR_CSLT, [IR_CSGE] = IR_CSLE,
};

/* !(a OP b) == (a NEGATE b) */
static const ir_op_t ir_negations[IR_NOPS] = {
	[IR_CEQ] = IR_CNE, [IR_CNE] = IR_CEQ,
	[IR_CULT] = IR_CUGE, [IR_CULE] = IR_CUGT,
	[IR_CUGT] = IR_CULE, [IR_CUGE] = IR_CULT,
	[IR_CSLT] = IR_CSGE, [IR_CSLE] = IR_CSGT,
	[IR_CSGT] = IR_CSLE, [IR_CSGE] = IR_CSLT,
};


int ir_memwidth(ir_op_t op)
{
	return op < IR_NOPS ? ir_widths[op] : 0;
}

ir_op_t ir_cmp_mirror(ir_op_t cmp)
{
	return ir_mirrors[cmp];
}

ir_op_t ir_cmp_negate(ir_op_t cmp)
{
	return ir_negations[cmp];
}

bool ir_fits_imm32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

const bpf_helper_t *bpf_helper_by_id(int id)
{
	for (size_t i = 0; i < sizeof(bpf_helpers) / sizeof(bpf_helpers[0]); i++)
		if (bpf_helpers[i].id == id)
			return &bpf_helpers[i];
	return NULL;
}

int ir_call_nargs(int helper)
{
	const bpf_helper_t *h = bpf_helper_by_id(helper);

	return h != NULL ? h->nargs : 5;
}

/* ---- functions, blocks, temporaries, constants -------------------------- */

ir_func_t *ir_func_new(dl_arena_t *a, const char *name)
{
	ir_func_t *fn = dl_alloc(a, sizeof(*fn));

	fn->arena = a;
	fn->name = dl_strdup(a, name != NULL ? name : "f");
	fn->ntmp = IR_NPHYS;
	fn->stage = IR_STAGE_LOWERED;
	return fn;
}

/* "bN" with N past every number already used, so that labels stay unique
   after blocks were dropped and inserted (in constant time: a function
   of thousands of blocks is made in linear time). */
static const char *ir_blk_name(ir_func_t *fn)
{
	long next = fn->nextlabel > (long)fn->nblks ? fn->nextlabel :
		    (long)fn->nblks;

	char digits[24], *p = digits + sizeof(digits), *name;

	fn->nextlabel = next + 1;
	*--p = '\0';
	do {		/* by hand: vsnprintf twice was 20% of compiling */
		*--p = (char)('0' + next % 10);
		next /= 10;
	} while (next > 0);
	*--p = 'b';
	name = dl_alloc(fn->arena, (size_t)(digits + sizeof(digits) - p));
	return memcpy(name, p, (size_t)(digits + sizeof(digits) - p));
}

ir_blk_t *ir_blk_insert(ir_func_t *fn, size_t pos)
{
	ir_blk_t *b = dl_alloc(fn->arena, sizeof(*b));

	b->name = ir_blk_name(fn);
	/* a block inserted by a later pass belongs where it is put */
	b->clause = pos == fn->nblks || pos == 0 ? fn->clause :
		    fn->blks[pos - 1]->clause;
	dl_vec_grow(fn->arena, (void **)&fn->blks, &fn->blkcap, fn->nblks + 1,
		    sizeof(*fn->blks));
	memmove(&fn->blks[pos + 1], &fn->blks[pos],
		(fn->nblks - pos) * sizeof(*fn->blks));
	fn->blks[pos] = b;
	fn->nblks++;
	for (size_t i = pos; i < fn->nblks; i++)
		fn->blks[i]->id = (int)i;
	return b;
}

ir_blk_t *ir_blk_new(ir_func_t *fn)
{
	return ir_blk_insert(fn, fn->nblks);
}

void ir_blk_compact(ir_func_t *fn, const bool *keep)
{
	size_t n = 0;

	for (size_t i = 0; i < fn->nblks; i++)
		if (keep[i])
			fn->blks[n++] = fn->blks[i];
	fn->nblks = n;
	for (size_t i = 0; i < n; i++)
		fn->blks[i]->id = (int)i;
}

ir_ref_t ir_tmp(ir_func_t *fn)
{
	if (fn->ntmp >= (1u << 30) - 1) {
		fprintf(stderr, "%s:%d: too many IR temporaries\n", __FILE__,
			__LINE__);
		abort();
	}
	return (ir_ref_t){ IR_R_TMP, fn->ntmp++ };
}

ir_ref_t ir_reg(int r)
{
	return (ir_ref_t){ IR_R_TMP, (uint32_t)r };
}

/* The slot of v in the pool's index: where it is, or the empty one where
   it goes. */
static uint32_t *con_slot(const ir_func_t *fn, int64_t v)
{
	uint64_t h = (uint64_t)v * 0x9e3779b97f4a7c15ull;
	size_t mask = fn->conidxcap - 1;

	for (size_t i = (size_t)(h >> 32) & mask;; i = (i + 1) & mask) {
		uint32_t *s = &fn->conidx[i];
		if (*s == 0 || fn->cons[*s - 1] == v)
			return s;
	}
}

/* Interned through a hash index: a program of thousands of clauses has
   thousands of constants, and a linear search made lowering quadratic. */
ir_ref_t ir_con(ir_func_t *fn, int64_t v)
{
	uint32_t *s;

	if (2 * (fn->ncons + 1) > fn->conidxcap) {
		fn->conidxcap = fn->conidxcap != 0 ? 2 * fn->conidxcap : 64;
		fn->conidx = dl_alloc(fn->arena,
				      fn->conidxcap * sizeof(*fn->conidx));
		for (size_t i = 0; i < fn->ncons; i++)
			*con_slot(fn, fn->cons[i]) = (uint32_t)i + 1;
	}
	s = con_slot(fn, v);
	if (*s != 0)
		return (ir_ref_t){ IR_R_CON, *s - 1 };
	dl_vec_grow(fn->arena, (void **)&fn->cons, &fn->concap, fn->ncons + 1,
		    sizeof(*fn->cons));
	fn->cons[fn->ncons] = v;
	*s = (uint32_t)fn->ncons + 1;
	return (ir_ref_t){ IR_R_CON, (uint32_t)fn->ncons++ };
}

int64_t ir_conval(const ir_func_t *fn, ir_ref_t c)
{
	return fn->cons[c.val];
}

int32_t ir_frame_alloc(ir_func_t *fn, int32_t size)
{
	int32_t sz = (size + 7) & ~7;

	if (sz < 0 || fn->frame + sz > IR_FRAME_MAX) {
		if (fn->frame_full != NULL)
			fn->frame_full(fn->frame_full_arg, fn->frame + sz);
		fprintf(stderr, "%s:%d: BPF stack exhausted (%d + %d bytes)\n",
			__FILE__, __LINE__, fn->frame, sz);
		abort();
	}
	fn->frame += sz;
	return -fn->frame;
}

int32_t ir_frame_left(const ir_func_t *fn)
{
	return IR_FRAME_MAX - fn->frame;
}

/* ---- appending instructions --------------------------------------------- */

ir_ins_t *ir_emit(ir_func_t *fn, ir_blk_t *b, ir_op_t op, ir_ref_t to,
		  ir_ref_t a0, ir_ref_t a1)
{
	dl_vec_grow(fn->arena, (void **)&b->ins, &b->cap, b->nins + 1,
		    sizeof(*b->ins));
	ir_ins_t *in = &b->ins[b->nins++];
	in->op = (uint16_t)op;
	in->off = 0;
	in->to = to;
	in->a[0] = a0;
	in->a[1] = a1;
	return in;
}

ir_ref_t ir_bin(ir_func_t *fn, ir_blk_t *b, ir_op_t op, ir_ref_t x, ir_ref_t y)
{
	ir_ref_t t = ir_tmp(fn);

	ir_emit(fn, b, op, t, x, y);
	return t;
}

static ir_op_t ir_memop(bool store, int width)
{
	static const ir_op_t loads[9] = {
		[1] = IR_LOAD1, [2] = IR_LOAD2, [4] = IR_LOAD4, [8] = IR_LOAD8,
	};
	static const ir_op_t stores[9] = {
		[1] = IR_STORE1, [2] = IR_STORE2, [4] = IR_STORE4,
		[8] = IR_STORE8,
	};

	if (width < 1 || width > 8 || loads[width] == 0) {
		fprintf(stderr, "%s:%d: bad memory width %d\n", __FILE__,
			__LINE__, width);
		abort();
	}
	return store ? stores[width] : loads[width];
}

ir_ref_t ir_load(ir_func_t *fn, ir_blk_t *b, int width, ir_ref_t base,
		 int32_t off)
{
	ir_ref_t t = ir_tmp(fn);

	ir_emit(fn, b, ir_memop(false, width), t, base, IR_NONE)->off = off;
	return t;
}

void ir_store(ir_func_t *fn, ir_blk_t *b, int width, ir_ref_t base,
	      int32_t off, ir_ref_t val)
{
	ir_emit(fn, b, ir_memop(true, width), IR_NONE, base, val)->off = off;
}

ir_ref_t ir_call(ir_func_t *fn, ir_blk_t *b, int helper, int nargs,
		 const ir_ref_t *args)
{
	ir_ref_t t = ir_tmp(fn);

	if (nargs > 5) {
		fprintf(stderr, "%s:%d: helper call with %d arguments\n",
			__FILE__, __LINE__, nargs);
		abort();
	}
	for (int i = 0; i < nargs; i++)
		ir_emit(fn, b, IR_ARG, IR_NONE, args[i], IR_NONE);
	ir_emit(fn, b, IR_CALL, t, IR_NONE, IR_NONE)->off = helper;
	return t;
}

ir_ref_t ir_ldmap(ir_func_t *fn, ir_blk_t *b, int mapidx)
{
	ir_ref_t t = ir_tmp(fn);

	ir_emit(fn, b, IR_LDMAP, t, IR_NONE, IR_NONE)->off = mapidx;
	return t;
}

void ir_jmp(ir_blk_t *b, ir_blk_t *to)
{
	b->jmp = (ir_jump_t){ .kind = IR_J_JMP, .s1 = to };
}

void ir_jnz(ir_blk_t *b, ir_ref_t cond, ir_blk_t *t, ir_blk_t *f)
{
	b->jmp = (ir_jump_t){ .kind = IR_J_JNZ, .arg = { cond, IR_NONE },
			      .s1 = t, .s2 = f };
}

void ir_ret(ir_blk_t *b, ir_ref_t val)
{
	b->jmp = (ir_jump_t){ .kind = IR_J_RET, .arg = { val, IR_NONE } };
}

/* ---- uses, definitions, successors, predecessors ------------------------ */

int ir_ins_uses(const ir_func_t *fn, const ir_ins_t *in, uint32_t *t)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];
	int n = 0;

	for (int i = 0; i < oi->nargs && i < 2; i++)
		if (ir_is_tmp(in->a[i]))
			t[n++] = in->a[i].val;
	if (in->op == IR_CALL && fn->stage != IR_STAGE_LOWERED) {
		int na = ir_call_nargs(in->off);
		for (int r = 1; r <= na; r++)
			t[n++] = (uint32_t)r;
	}
	return n;
}

int ir_ins_defs(const ir_ins_t *in, uint32_t *t)
{
	int n = 0;

	if ((ir_opinfo[in->op].flags & IRF_DEF) && ir_is_tmp(in->to))
		t[n++] = in->to.val;
	if (in->op == IR_CALL) {
		for (uint32_t r = 0; r <= 5; r++)
			if (!(n > 0 && t[0] == r))
				t[n++] = r;
	}
	return n;
}

int ir_jump_uses(const ir_jump_t *j, uint32_t *t)
{
	static const int nargs[] = {
		[IR_J_NONE] = 0, [IR_J_RET] = 1, [IR_J_JMP] = 0,
		[IR_J_JNZ] = 1, [IR_J_JCMP] = 2,
	};
	int n = 0;

	for (int i = 0; i < nargs[j->kind]; i++)
		if (ir_is_tmp(j->arg[i]))
			t[n++] = j->arg[i].val;
	return n;
}

int ir_succs(const ir_blk_t *b, ir_blk_t **s)
{
	int n = 0;

	if (b->jmp.kind == IR_J_JMP || b->jmp.kind == IR_J_JNZ ||
	    b->jmp.kind == IR_J_JCMP) {
		if (b->jmp.s1 != NULL)
			s[n++] = b->jmp.s1;
		if (b->jmp.kind != IR_J_JMP && b->jmp.s2 != NULL &&
		    b->jmp.s2 != b->jmp.s1)
			s[n++] = b->jmp.s2;
	}
	return n;
}

void ir_preds(ir_func_t *fn)
{
	for (size_t i = 0; i < fn->nblks; i++) {
		fn->blks[i]->npreds = 0;
		fn->blks[i]->preds = NULL;
	}
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *s[2];
		int ns = ir_succs(fn->blks[i], s);
		for (int k = 0; k < ns; k++)
			s[k]->npreds++;
	}
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		b->preds = dl_alloc(fn->arena, (b->npreds + 1) * sizeof(int));
		b->npreds = 0;
	}
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *s[2];
		int ns = ir_succs(fn->blks[i], s);
		for (int k = 0; k < ns; k++)
			s[k]->preds[s[k]->npreds++] = (int)i;
	}
}
