/*
 * ir_fold.c - constant folding, algebraic simplification, propagation.
 *
 * Three things, repeated until nothing changes (a few rounds at most):
 *
 *  1. Whole-function propagation of temporaries written exactly once: a
 *     temp whose only definition is "copy C" is C everywhere; one whose
 *     only definition copies another single-definition temp (or r10) is
 *     that temp everywhere; a load or store whose base is a single-def
 *     "add b, C" uses b and folds C into its offset, and an "add" of a
 *     constant to such an add adds to b directly; "b != 0" of a
 *     single-def comparison result b is b, "b == 0" is b ^ 1.  A use a definition
 *     does not reach would read garbage anyway, so dominance need not be
 *     checked.
 *  2. Per-block propagation for temps written several times (values that
 *     join from both arms of a branch): after "t = copy x", uses of t in
 *     the same block read x until t or x is written again (version
 *     numbers make that check O(1)).
 *  3. Simplification of each instruction: every op on constants is
 *     evaluated with BPF's semantics (x/0 == 0, x%0 == x, shift counts
 *     masked to 6 bits, INT64_MIN / -1 == INT64_MIN); identities (x+0,
 *     x*1, x*0, x&0, x|0, x^x, x<<0, x/1, ...) become copies; strength
 *     reduction of multiplication and unsigned division/remainder by
 *     powers of two; constants move to the second operand (comparisons
 *     mirrored); x-C becomes x+(-C).  A JNZ or JCMP on constants becomes
 *     a JMP, and self-copies disappear.
 *
 * Physical registers other than r10 are never propagated, so folding does
 * not stretch the live ranges of r0..r5 across calls.
 *
 * Requires: any stage.  Only the lowered stage gets the full treatment;
 * later stages get branch folding only (propagation there could undo
 * isel's two-address and imm32 shapes).  Produces: an equivalent function
 * with dead definitions left for ir_dce.  Invalidates: liveness.
 */
#include <string.h>

#include "ir.h"

/* ---- evaluation --------------------------------------------------------- */

typedef int64_t (*ir_evalfn_t)(int64_t a, int64_t b);

static uint64_t U(int64_t v) { return (uint64_t)v; }
static int64_t S(uint64_t v) { return (int64_t)v; }

static int64_t ev_copy(int64_t a, int64_t b) { return a; }
static int64_t ev_add(int64_t a, int64_t b) { return S(U(a) + U(b)); }
static int64_t ev_sub(int64_t a, int64_t b) { return S(U(a) - U(b)); }
static int64_t ev_mul(int64_t a, int64_t b) { return S(U(a) * U(b)); }
static int64_t ev_udiv(int64_t a, int64_t b)
{
	return b == 0 ? 0 : S(U(a) / U(b));
}
static int64_t ev_urem(int64_t a, int64_t b)
{
	return b == 0 ? a : S(U(a) % U(b));
}
static int64_t ev_sdiv(int64_t a, int64_t b)
{
	if (b == 0)
		return 0;
	if (b == -1)
		return S(-U(a));
	return a / b;
}
static int64_t ev_srem(int64_t a, int64_t b)
{
	if (b == 0)
		return a;
	if (b == -1)
		return 0;
	return a % b;
}
static int64_t ev_and(int64_t a, int64_t b) { return a & b; }
static int64_t ev_or(int64_t a, int64_t b) { return a | b; }
static int64_t ev_xor(int64_t a, int64_t b) { return a ^ b; }
static int64_t ev_shl(int64_t a, int64_t b) { return S(U(a) << (b & 63)); }
static int64_t ev_shr(int64_t a, int64_t b) { return S(U(a) >> (b & 63)); }
static int64_t ev_sar(int64_t a, int64_t b)
{
	int s = (int)(b & 63);
	/* arithmetic shift without relying on implementation-defined >> */
	return a < 0 ? S(~(~U(a) >> s)) : S(U(a) >> s);
}
static int64_t ev_neg(int64_t a, int64_t b) { return S(-U(a)); }
static int64_t ev_sext8(int64_t a, int64_t b) { return (int8_t)(uint8_t)U(a); }
static int64_t ev_sext16(int64_t a, int64_t b)
{
	return (int16_t)(uint16_t)U(a);
}
static int64_t ev_sext32(int64_t a, int64_t b)
{
	return (int32_t)(uint32_t)U(a);
}
static int64_t ev_zext8(int64_t a, int64_t b) { return a & 0xff; }
static int64_t ev_zext16(int64_t a, int64_t b) { return a & 0xffff; }
static int64_t ev_zext32(int64_t a, int64_t b) { return a & 0xffffffff; }
static int64_t ev_ceq(int64_t a, int64_t b) { return a == b; }
static int64_t ev_cne(int64_t a, int64_t b) { return a != b; }
static int64_t ev_cult(int64_t a, int64_t b) { return U(a) < U(b); }
static int64_t ev_cule(int64_t a, int64_t b) { return U(a) <= U(b); }
static int64_t ev_cugt(int64_t a, int64_t b) { return U(a) > U(b); }
static int64_t ev_cuge(int64_t a, int64_t b) { return U(a) >= U(b); }
static int64_t ev_cslt(int64_t a, int64_t b) { return a < b; }
static int64_t ev_csle(int64_t a, int64_t b) { return a <= b; }
static int64_t ev_csgt(int64_t a, int64_t b) { return a > b; }
static int64_t ev_csge(int64_t a, int64_t b) { return a >= b; }

static const ir_evalfn_t ir_evals[IR_NOPS] = {
	[IR_COPY] = ev_copy, [IR_LDI64] = ev_copy,
	[IR_ADD] = ev_add, [IR_SUB] = ev_sub, [IR_MUL] = ev_mul,
	[IR_UDIV] = ev_udiv, [IR_UREM] = ev_urem, [IR_SDIV] = ev_sdiv,
	[IR_SREM] = ev_srem, [IR_AND] = ev_and, [IR_OR] = ev_or,
	[IR_XOR] = ev_xor, [IR_SHL] = ev_shl, [IR_SHR] = ev_shr,
	[IR_SAR] = ev_sar, [IR_NEG] = ev_neg,
	[IR_SEXT8] = ev_sext8, [IR_SEXT16] = ev_sext16,
	[IR_SEXT32] = ev_sext32, [IR_ZEXT8] = ev_zext8,
	[IR_ZEXT16] = ev_zext16, [IR_ZEXT32] = ev_zext32,
	[IR_CEQ] = ev_ceq, [IR_CNE] = ev_cne, [IR_CULT] = ev_cult,
	[IR_CULE] = ev_cule, [IR_CUGT] = ev_cugt, [IR_CUGE] = ev_cuge,
	[IR_CSLT] = ev_cslt, [IR_CSLE] = ev_csle, [IR_CSGT] = ev_csgt,
	[IR_CSGE] = ev_csge,
};

int64_t ir_eval(ir_op_t op, int64_t a, int64_t b)
{
	return ir_evals[op](a, b);
}

static bool fold_can_eval(ir_op_t op)
{
	return op < IR_NOPS && ir_evals[op] != NULL;
}

/* ---- simplification of one instruction ---------------------------------- */

static void fold_set(ir_ins_t *in, ir_op_t op, ir_ref_t a, ir_ref_t b)
{
	in->op = (uint16_t)op;
	in->a[0] = a;
	in->a[1] = b;
}

static void fold_copy(ir_ins_t *in, ir_ref_t a)
{
	fold_set(in, IR_COPY, a, IR_NONE);
}

static void fold_const(ir_func_t *fn, ir_ins_t *in, int64_t v)
{
	fold_copy(in, ir_con(fn, v));
}

static int fold_log2(int64_t c)
{
	uint64_t u = (uint64_t)c;

	if (u == 0 || (u & (u - 1)) != 0)
		return -1;
	return __builtin_ctzll(u);
}

/* Rules for "x op C" (a a temporary, b the constant c): one function per
   family, each returning true if it rewrote the instruction. */
typedef bool (*fold_rulefn_t)(ir_func_t *fn, ir_ins_t *in, int64_t c);

static bool rule_neutral0(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c != 0)
		return false;
	fold_copy(in, in->a[0]);		/* x+0 x|0 x^0 */
	return true;
}

static bool rule_sub(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c == 0)
		fold_copy(in, in->a[0]);
	else if (c != INT64_MIN)
		fold_set(in, IR_ADD, in->a[0], ir_con(fn, -c));
	return c != INT64_MIN;
}

static bool rule_mul(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	int k = fold_log2(c);

	if (c == 0)
		fold_const(fn, in, 0);
	else if (c == 1)
		fold_copy(in, in->a[0]);
	else if (c == -1)
		fold_set(in, IR_NEG, in->a[0], IR_NONE);
	else if (k > 0)
		fold_set(in, IR_SHL, in->a[0], ir_con(fn, k));
	return c == 0 || c == 1 || c == -1 || k > 0;
}

static bool rule_udiv(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	int k = fold_log2(c);

	if (c == 0)
		fold_const(fn, in, 0);
	else if (k >= 0)
		fold_set(in, IR_SHR, in->a[0], ir_con(fn, k));
	return c == 0 || k >= 0;
}

static bool rule_urem(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	int k = fold_log2(c);

	if (c == 0)
		fold_copy(in, in->a[0]);
	else if (k >= 0)
		fold_set(in, IR_AND, in->a[0],
			 ir_con(fn, (int64_t)((uint64_t)c - 1)));
	return c == 0 || k >= 0;
}

static bool rule_sdiv(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c == 0)
		fold_const(fn, in, 0);
	else if (c == 1)
		fold_copy(in, in->a[0]);
	else if (c == -1)
		fold_set(in, IR_NEG, in->a[0], IR_NONE);
	return c == 0 || c == 1 || c == -1;
}

static bool rule_srem(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c == 0)
		fold_copy(in, in->a[0]);
	else if (c == 1 || c == -1)
		fold_const(fn, in, 0);
	return c == 0 || c == 1 || c == -1;
}

static bool rule_and(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c == 0)
		fold_const(fn, in, 0);
	else if (c == -1)
		fold_copy(in, in->a[0]);
	return c == 0 || c == -1;
}

static bool rule_or(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c == 0)
		fold_copy(in, in->a[0]);
	else if (c == -1)
		fold_const(fn, in, -1);
	return c == 0 || c == -1;
}

static bool rule_shift(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if ((c & 63) == 0) {
		fold_copy(in, in->a[0]);
		return true;
	}
	if (c >= 0 && c <= 63)
		return false;
	in->a[1] = ir_con(fn, c & 63);
	return true;
}

/* x <u 0 is never true, x >=u 0 always; x <=u 0 is x == 0. */
static bool rule_ucmp0(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	if (c != 0)
		return false;
	if (in->op == IR_CULT || in->op == IR_CUGE)
		fold_const(fn, in, in->op == IR_CUGE);
	else
		in->op = in->op == IR_CULE ? IR_CEQ : IR_CNE;
	return true;
}

static const fold_rulefn_t fold_rules[IR_NOPS] = {
	[IR_ADD] = rule_neutral0, [IR_OR] = rule_or, [IR_XOR] = rule_neutral0,
	[IR_SUB] = rule_sub, [IR_MUL] = rule_mul, [IR_UDIV] = rule_udiv,
	[IR_UREM] = rule_urem, [IR_SDIV] = rule_sdiv, [IR_SREM] = rule_srem,
	[IR_AND] = rule_and, [IR_SHL] = rule_shift, [IR_SHR] = rule_shift,
	[IR_SAR] = rule_shift, [IR_CULT] = rule_ucmp0, [IR_CUGE] = rule_ucmp0,
	[IR_CULE] = rule_ucmp0, [IR_CUGT] = rule_ucmp0,
};

/* Rules for "C op x": 0 - x, 0 << x, 0 / x, 0 % x. */
static bool fold_rule_lcon(ir_func_t *fn, ir_ins_t *in, int64_t c)
{
	static const bool zero_absorbs[IR_NOPS] = {
		[IR_SHL] = true, [IR_SHR] = true, [IR_SAR] = true,
		[IR_UDIV] = true, [IR_UREM] = true, [IR_SDIV] = true,
		[IR_SREM] = true,
	};

	if (c == 0 && in->op == IR_SUB) {
		fold_set(in, IR_NEG, in->a[1], IR_NONE);
		return true;
	}
	if (c == 0 && zero_absorbs[in->op]) {
		fold_const(fn, in, 0);
		return true;
	}
	return false;
}

/* "x op x": x-x, x^x -> 0; x&x, x|x -> x; comparisons of equals. */
static bool fold_rule_same(ir_func_t *fn, ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];

	if (in->op == IR_SUB || in->op == IR_XOR) {
		fold_const(fn, in, 0);
	} else if (in->op == IR_AND || in->op == IR_OR) {
		fold_copy(in, in->a[0]);
	} else if (oi->flags & IRF_CMP) {
		fold_const(fn, in, ir_eval((ir_op_t)in->op, 0, 0));
	} else {
		return false;
	}
	return true;
}

/* Constants second: swap commutative operands, mirror comparisons. */
static bool fold_canon(ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];
	ir_ref_t t;

	if (!ir_is_con(in->a[0]) || !ir_is_tmp(in->a[1]))
		return false;
	if (oi->flags & IRF_CMP)
		in->op = (uint16_t)ir_cmp_mirror((ir_op_t)in->op);
	else if (!(oi->flags & IRF_COMM))
		return false;
	t = in->a[0];
	in->a[0] = in->a[1];
	in->a[1] = t;
	return true;
}

/* Simplify one instruction in place; true if it changed. */
static bool fold_ins(ir_func_t *fn, ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];
	bool two = oi->nargs == 2 && (oi->flags & (IRF_BIN | IRF_CMP));

	if (in->op == IR_LDI64) {
		in->op = IR_COPY;
		return true;
	}
	if (!fold_can_eval((ir_op_t)in->op) || in->op == IR_COPY)
		return false;
	if (ir_is_con(in->a[0]) && (!two || ir_is_con(in->a[1]))) {
		int64_t b = two ? ir_conval(fn, in->a[1]) : 0;
		fold_const(fn, in, ir_eval((ir_op_t)in->op,
					   ir_conval(fn, in->a[0]), b));
		return true;
	}
	if (!two)
		return false;
	if (fold_canon(in)) {
		fold_ins(fn, in);
		return true;
	}
	if (ir_is_con(in->a[0]))
		return fold_rule_lcon(fn, in, ir_conval(fn, in->a[0]));
	if (ir_ref_eq(in->a[0], in->a[1]))
		return fold_rule_same(fn, in);
	if (ir_is_con(in->a[1]) && fold_rules[in->op] != NULL)
		return fold_rules[in->op](fn, in, ir_conval(fn, in->a[1]));
	return false;
}

/* ---- propagation within a block ----------------------------------------- */

typedef struct fold_state {
	ir_func_t *fn;
	ir_ref_t *val;		/* per temp: the value it copies, this block */
	uint32_t *srcver;	/* ver[val] when recorded */
	uint32_t *ver;		/* per temp: bumped at every write */
	uint32_t *stamp;	/* per temp: serial of the block it was recorded */
	uint32_t serial;
} fold_state_t;

static bool fold_trackable(ir_ref_t r)
{
	return ir_is_con(r) ||
	       (ir_is_tmp(r) && (r.val >= IR_NPHYS || r.val == IR_FP));
}

static bool fold_subst(fold_state_t *st, ir_ref_t *r)
{
	uint32_t t = r->val;
	ir_ref_t v;

	if (!ir_is_tmp(*r) || t < IR_NPHYS || st->stamp[t] != st->serial)
		return false;
	v = st->val[t];
	if (ir_is_tmp(v) && st->ver[v.val] != st->srcver[t])
		return false;
	*r = v;
	return true;
}

static void fold_record(fold_state_t *st, const ir_ins_t *in)
{
	uint32_t d[IR_MAXREFS];
	int n = ir_ins_defs(in, d);

	for (int k = 0; k < n; k++) {
		st->ver[d[k]]++;
		st->stamp[d[k]] = 0;
	}
	if (in->op != IR_COPY || !ir_is_tmp(in->to) || in->to.val < IR_NPHYS ||
	    !fold_trackable(in->a[0]))
		return;
	st->val[in->to.val] = in->a[0];
	st->srcver[in->to.val] = ir_is_tmp(in->a[0]) ? st->ver[in->a[0].val] : 0;
	st->stamp[in->to.val] = st->serial;
}

/* A JNZ or JCMP whose outcome is known becomes a JMP. */
static bool fold_branch(ir_func_t *fn, ir_jump_t *j)
{
	bool taken;

	if (j->kind == IR_J_JNZ && ir_is_con(j->arg[0]))
		taken = ir_conval(fn, j->arg[0]) != 0;
	else if (j->kind == IR_J_JCMP && ir_is_con(j->arg[0]) &&
		 ir_is_con(j->arg[1]))
		taken = ir_eval(j->cmp, ir_conval(fn, j->arg[0]),
				ir_conval(fn, j->arg[1])) != 0;
	else
		return false;
	*j = (ir_jump_t){ .kind = IR_J_JMP, .s1 = taken ? j->s1 : j->s2 };
	return true;
}

static bool fold_block(fold_state_t *st, ir_blk_t *b)
{
	ir_func_t *fn = st->fn;
	bool changed = false;
	size_t w = 0;

	st->serial++;
	for (size_t i = 0; i < b->nins; i++) {
		ir_ins_t in = b->ins[i];
		for (int k = 0; k < ir_opinfo[in.op].nargs; k++)
			changed |= fold_subst(st, &in.a[k]);
		changed |= fold_ins(fn, &in);
		if (in.op == IR_COPY && ir_ref_eq(in.to, in.a[0])) {
			changed = true;
			continue;
		}
		fold_record(st, &in);
		b->ins[w++] = in;
	}
	b->nins = w;
	for (int k = 0; k < 2; k++)
		changed |= fold_subst(st, &b->jmp.arg[k]);
	return fold_branch(fn, &b->jmp) || changed;
}

/* ---- propagation of single-definition temporaries ------------------------ */

typedef struct fold_global {
	uint32_t *ndef;		/* per temp: number of definitions */
	ir_ins_t **def;		/* per temp: the last definition seen */
	ir_ref_t *repl;		/* per temp: what every use may read instead */
} fold_global_t;

static void fold_count_defs(ir_func_t *fn, fold_global_t *g)
{
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		for (size_t k = 0; k < b->nins; k++) {
			ir_ins_t *in = &b->ins[k];
			if (ir_is_tmp(in->to) && in->to.val >= IR_NPHYS) {
				g->ndef[in->to.val]++;
				g->def[in->to.val] = in;
			}
		}
	}
}

/* The single definition of temp t, or NULL. */
static ir_ins_t *fold_single(const fold_global_t *g, ir_ref_t r)
{
	if (!ir_is_tmp(r) || r.val < IR_NPHYS || g->ndef[r.val] != 1)
		return NULL;
	return g->def[r.val];
}

static bool fold_stable(const fold_global_t *g, ir_ref_t r)
{
	return ir_is_con(r) || ir_ref_eq(r, ir_reg(IR_FP)) ||
	       fold_single(g, r) != NULL;
}

static void fold_find_repl(ir_func_t *fn, fold_global_t *g)
{
	for (uint32_t t = IR_NPHYS; t < fn->ntmp; t++) {
		ir_ins_t *d = fold_single(g, ir_reg((int)t));
		g->repl[t] = IR_NONE;
		if (d != NULL && (d->op == IR_COPY || d->op == IR_LDI64) &&
		    !ir_ref_eq(d->a[0], d->to) && fold_stable(g, d->a[0]))
			g->repl[t] = d->a[0];
	}
	/* resolve chains t -> u -> C (bounded: chains cannot cycle, each
	   link was read by the definition of the one before) */
	for (uint32_t t = IR_NPHYS; t < fn->ntmp; t++)
		for (int n = 0; n < 64 && ir_is_tmp(g->repl[t]) &&
				!ir_is_none(g->repl[g->repl[t].val]); n++)
			g->repl[t] = g->repl[g->repl[t].val];
}

static bool fold_use(const fold_global_t *g, ir_ref_t *r)
{
	if (!ir_is_tmp(*r) || ir_is_none(g->repl[r->val]))
		return false;
	*r = g->repl[r->val];
	return true;
}

/* Base of a memory op is a single-def "add b, C": use b, fold C. */
static bool fold_address(ir_func_t *fn, const fold_global_t *g, ir_ins_t *in)
{
	ir_ins_t *d = fold_single(g, in->a[0]);
	int64_t off;

	if (d == NULL || d->op != IR_ADD || !ir_is_con(d->a[1]) ||
	    !ir_is_tmp(d->a[0]) || !fold_stable(g, d->a[0]))
		return false;
	off = (int64_t)in->off + ir_conval(fn, d->a[1]);
	if (off < INT16_MIN || off > INT16_MAX)
		return false;
	in->a[0] = d->a[0];
	in->off = (int32_t)off;
	return true;
}

/* "add (add b, C1), C2" -> "add b, C1+C2" when the inner add is a
   single definition of a stable base. */
static bool fold_reassoc(ir_func_t *fn, const fold_global_t *g, ir_ins_t *in)
{
	ir_ins_t *d;

	if (in->op != IR_ADD || !ir_is_con(in->a[1]) ||
	    (d = fold_single(g, in->a[0])) == NULL || d == in ||
	    d->op != IR_ADD || !ir_is_con(d->a[1]) || !ir_is_tmp(d->a[0]) ||
	    !fold_stable(g, d->a[0]))
		return false;
	in->a[1] = ir_con(fn, ev_add(ir_conval(fn, d->a[1]),
				     ir_conval(fn, in->a[1])));
	in->a[0] = d->a[0];
	return true;
}

/* A comparison result is 0 or 1: "b != 0" is b, "b == 0" is b ^ 1. */
static bool fold_bool(ir_func_t *fn, const fold_global_t *g, ir_ins_t *in)
{
	ir_ins_t *d;

	if ((in->op != IR_CNE && in->op != IR_CEQ) || !ir_is_con(in->a[1]) ||
	    ir_conval(fn, in->a[1]) != 0 ||
	    (d = fold_single(g, in->a[0])) == NULL || d == in ||
	    !(ir_opinfo[d->op].flags & IRF_CMP))
		return false;
	if (in->op == IR_CNE)
		fold_copy(in, in->a[0]);
	else
		fold_set(in, IR_XOR, in->a[0], ir_con(fn, 1));
	return true;
}

static bool fold_globals(ir_func_t *fn)
{
	fold_global_t g;
	bool changed = false;

	g.ndef = dl_alloc(fn->arena, fn->ntmp * sizeof(*g.ndef));
	g.def = dl_alloc(fn->arena, fn->ntmp * sizeof(*g.def));
	g.repl = dl_alloc(fn->arena, fn->ntmp * sizeof(*g.repl));
	fold_count_defs(fn, &g);
	fold_find_repl(fn, &g);
	for (size_t i = 0; i < fn->nblks; i++) {
		ir_blk_t *b = fn->blks[i];
		for (size_t k = 0; k < b->nins; k++) {
			ir_ins_t *in = &b->ins[k];
			for (int a = 0; a < ir_opinfo[in->op].nargs; a++)
				changed |= fold_use(&g, &in->a[a]);
			if (ir_opinfo[in->op].flags & (IRF_LOAD | IRF_STORE))
				changed |= fold_address(fn, &g, in);
			changed |= fold_reassoc(fn, &g, in);
			changed |= fold_bool(fn, &g, in);
		}
		for (int a = 0; a < 2; a++)
			changed |= fold_use(&g, &b->jmp.arg[a]);
	}
	return changed;
}

void ir_fold(ir_func_t *fn)
{
	fold_state_t st = { .fn = fn };
	bool changed = true;

	for (size_t i = 0; i < fn->nblks; i++)
		fold_branch(fn, &fn->blks[i]->jmp);
	if (fn->stage != IR_STAGE_LOWERED)
		return;
	st.val = dl_alloc(fn->arena, fn->ntmp * sizeof(*st.val));
	st.srcver = dl_alloc(fn->arena, fn->ntmp * sizeof(*st.srcver));
	st.ver = dl_alloc(fn->arena, fn->ntmp * sizeof(*st.ver));
	st.stamp = dl_alloc(fn->arena, fn->ntmp * sizeof(*st.stamp));
	for (int round = 0; round < 8 && changed; round++) {
		changed = fold_globals(fn);
		for (size_t i = 0; i < fn->nblks; i++)
			changed |= fold_block(&st, fn->blks[i]);
	}
}
