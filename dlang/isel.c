/*
 * isel.c - instruction selection: 3-address IR -> BPF-shaped IR.
 *
 * Rewrites the lowered function in place into the IR_STAGE_SELECTED shape
 * ir_check describes, one instruction at a time, through a table of
 * per-opcode functions:
 *
 *   copy/ldi64    constants that fit an imm32 become "copy C", others
 *                 "ldi64 C" (BPF_LD_IMM64)
 *   binary ops    "to = a op b" becomes "to = a; to op= b"; b stays a
 *                 constant only if it fits an imm32; shift counts are
 *                 masked to 0..63; division by a constant 0 is replaced
 *                 by its BPF result (0, or x for remainder) since the
 *                 verifier rejects it
 *   sdiv/srem     BPF before ISA v4 has only unsigned division, so
 *                 |a| and |b| are divided unsigned and the sign fixed
 *                 branch-free: s = x >> 63 (arithmetic), |x| = (x^s)-s,
 *                 q = (|a|/|b| ^ (sa^sb)) - (sa^sb), r = (|a|%|b| ^ sa)-sa;
 *                 right for INT64_MIN and for division by 0 (BPF's 0 and x)
 *   extensions    sextN: shl then sar by 64-N; zext8/16: and with a mask;
 *                 zext32 stays (a 32-bit move, "w = w")
 *   comparisons   a comparison read only by the block's JNZ fuses into a
 *                 JCMP terminator.  Other comparisons of plain numbers
 *                 are computed branch-free (sign-bit formulas for <,
 *                 (d | -d) >> 63 for !=): a 0/1 the verifier does not know
 *                 cannot make it explore paths separately.  Comparisons
 *                 that may involve a pointer (which the verifier forbids
 *                 ALU on: see sel_find_pointers) split the block instead:
 *                     n = 1; if (a cmp b) goto join; n = 0; join: to = n
 *                 A constant first operand is swapped to the second
 *                 place, mirroring the comparison.
 *   arg/call      "arg x" values are copied into r1..r5 right before
 *                 "%r0 = call N", the result is copied out of r0; args
 *                 whose value could change before the call (or that are
 *                 r0..r5 themselves) go through a fresh temporary first
 *   loads/stores  bases become registers, offsets fit 16 bits; stored
 *                 constants fit an imm32 (narrow stores truncate)
 *   ret           the value is copied into r0
 *
 * Fresh temporaries are used freely; regalloc coalesces the copies.
 *
 * Requires: IR_STAGE_LOWERED that passes ir_check.  Produces:
 * IR_STAGE_SELECTED (new blocks only where a comparison value split one).
 * Invalidates: liveness, predecessors.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

typedef struct isel {
	ir_func_t *fn;
	ir_blk_t *orig;		/* the lowered block being selected */
	ir_jump_t jmp;		/* its original terminator */
	ir_ins_t *old;		/* its original instructions */
	size_t nold, idx;	/* and the one being selected */
	ir_blk_t *cur;		/* where selected code goes */
	ir_ref_t args[5];	/* pending ARG values */
	int nargs;
	bool fused;		/* the comparison the JNZ tests: */
	ir_op_t fcmp;
	ir_ref_t fa, fb;
	uint8_t *kind;		/* per lowered temp: SEL_PTR, SEL_BTF */
	uint32_t ntmp;		/* temps kind covers */
} isel_t;

typedef void (*isel_fn_t)(isel_t *is, const ir_ins_t *in);

static ir_ins_t *sel_emit(isel_t *is, ir_op_t op, ir_ref_t to, ir_ref_t a,
			  ir_ref_t b)
{
	return ir_emit(is->fn, is->cur, op, to, a, b);
}

static ir_ref_t sel_fresh(isel_t *is)
{
	return ir_tmp(is->fn);
}

static bool sel_isconst(const isel_t *is, ir_ref_t r, int64_t *v)
{
	if (!ir_is_con(r))
		return false;
	*v = ir_conval(is->fn, r);
	return true;
}

/* to = C, as a mov or an ld_imm64. */
static void sel_const(isel_t *is, ir_ref_t to, int64_t c)
{
	sel_emit(is, ir_fits_imm32(c) ? IR_COPY : IR_LDI64, to,
		 ir_con(is->fn, c), IR_NONE);
}

/* to = a, for any operand. */
static void sel_copy_to(isel_t *is, ir_ref_t to, ir_ref_t a)
{
	int64_t c;

	if (sel_isconst(is, a, &c))
		sel_const(is, to, c);
	else if (!ir_ref_eq(to, a))
		sel_emit(is, IR_COPY, to, a, IR_NONE);
}

/* The operand in a register. */
static ir_ref_t sel_reg(isel_t *is, ir_ref_t a)
{
	ir_ref_t t;

	if (ir_is_tmp(a))
		return a;
	t = sel_fresh(is);
	sel_copy_to(is, t, a);
	return t;
}

/* The operand as a register or an imm32. */
static ir_ref_t sel_imm(isel_t *is, ir_ref_t a)
{
	int64_t c;

	if (sel_isconst(is, a, &c) && !ir_fits_imm32(c))
		return sel_reg(is, a);
	return a;
}

/* to = a op b in two-address form; b already a register or imm32. */
static void sel_two(isel_t *is, ir_op_t op, ir_ref_t to, ir_ref_t a,
		    ir_ref_t b)
{
	ir_ref_t t;

	if (ir_ref_eq(to, b) && !ir_ref_eq(to, a)) {
		if (ir_opinfo[op].flags & IRF_COMM) {
			t = a;
			a = b;
			b = sel_imm(is, t);
		} else {
			t = sel_fresh(is);
			sel_two(is, op, t, a, b);
			sel_copy_to(is, to, t);
			return;
		}
	}
	sel_copy_to(is, to, a);
	sel_emit(is, op, to, to, b);
}

static void sel_two_con(isel_t *is, ir_op_t op, ir_ref_t to, ir_ref_t a,
			int64_t c)
{
	sel_two(is, op, to, a, sel_imm(is, ir_con(is->fn, c)));
}

/* ---- per-opcode selection ------------------------------------------------ */

static void sel_copy(isel_t *is, const ir_ins_t *in)
{
	sel_copy_to(is, in->to, in->a[0]);
}

static void sel_same(isel_t *is, const ir_ins_t *in)
{
	*sel_emit(is, (ir_op_t)in->op, in->to, in->a[0], in->a[1]) = *in;
}

static void sel_bin(isel_t *is, const ir_ins_t *in)
{
	ir_op_t op = (ir_op_t)in->op;
	ir_ref_t a = in->a[0], b = in->a[1];
	int64_t ca, cb;

	if (sel_isconst(is, a, &ca) && sel_isconst(is, b, &cb)) {
		sel_const(is, in->to, ir_eval(op, ca, cb));
		return;
	}
	if ((ir_opinfo[op].flags & IRF_COMM) && ir_is_con(a)) {
		b = a;
		a = in->a[1];
	}
	if (!sel_isconst(is, b, &cb)) {
		sel_two(is, op, in->to, a, b);
		return;
	}
	if (op == IR_SHL || op == IR_SHR || op == IR_SAR)
		cb &= 63;
	if ((op == IR_UDIV || op == IR_UREM) && cb == 0)
		sel_copy_to(is, in->to, op == IR_UDIV ? ir_con(is->fn, 0) : a);
	else
		sel_two_con(is, op, in->to, a, cb);
}

/* s = x >> 63 (0 or -1) and |x| = (x ^ s) - s, as unsigned. */
static void sel_abs(isel_t *is, ir_ref_t x, ir_ref_t *s, ir_ref_t *ax)
{
	*s = sel_fresh(is);
	*ax = sel_fresh(is);
	sel_two_con(is, IR_SAR, *s, x, 63);
	sel_two(is, IR_XOR, *ax, x, *s);
	sel_two(is, IR_SUB, *ax, *ax, *s);
}

/* to = (x ^ s) - s: x negated when s is -1. */
static void sel_apply_sign(isel_t *is, ir_ref_t to, ir_ref_t x, ir_ref_t s)
{
	ir_ref_t t = sel_fresh(is);

	sel_two(is, IR_XOR, t, x, s);
	sel_two(is, IR_SUB, t, t, s);
	sel_copy_to(is, to, t);
}

/* Signed division and remainder by unsigned ones and sign fix-ups. */
static void sel_sdiv(isel_t *is, const ir_ins_t *in)
{
	bool rem = in->op == IR_SREM;
	ir_ref_t a = in->a[0], b = in->a[1], sa, ua, sb, ub, q, sq;
	int64_t ca, cb;

	if (sel_isconst(is, a, &ca) && sel_isconst(is, b, &cb)) {
		sel_const(is, in->to, ir_eval((ir_op_t)in->op, ca, cb));
		return;
	}
	if (sel_isconst(is, b, &cb) && cb == 0) {
		sel_copy_to(is, in->to, rem ? a : ir_con(is->fn, 0));
		return;
	}
	sel_abs(is, sel_reg(is, a), &sa, &ua);
	if (sel_isconst(is, b, &cb)) {
		/* |b| and its sign are known: no run-time fix-up for b */
		ub = ir_con(is->fn, (int64_t)(cb < 0 ? -(uint64_t)cb
						      : (uint64_t)cb));
		sb = ir_con(is->fn, cb < 0 ? -1 : 0);
	} else {
		sel_abs(is, b, &sb, &ub);
	}
	q = sel_fresh(is);
	sel_two(is, rem ? IR_UREM : IR_UDIV, q, ua, sel_imm(is, ub));
	if (rem) {
		sel_apply_sign(is, in->to, q, sa);
		return;
	}
	/* the quotient's sign: sa ^ sb (sb known: sa, or sa inverted) */
	sq = sa;
	if (!ir_is_con(sb) || ir_conval(is->fn, sb) != 0) {
		sq = sel_fresh(is);
		sel_two(is, IR_XOR, sq, sa, sb);
	}
	sel_apply_sign(is, in->to, q, sq);
}

static void sel_neg(isel_t *is, const ir_ins_t *in)
{
	int64_t c;

	if (sel_isconst(is, in->a[0], &c)) {
		sel_const(is, in->to, ir_eval(IR_NEG, c, 0));
		return;
	}
	sel_copy_to(is, in->to, in->a[0]);
	sel_emit(is, IR_NEG, in->to, in->to, IR_NONE);
}

static void sel_ext(isel_t *is, const ir_ins_t *in)
{
	static const int bits[IR_NOPS] = {
		[IR_SEXT8] = 8, [IR_SEXT16] = 16, [IR_SEXT32] = 32,
		[IR_ZEXT8] = 8, [IR_ZEXT16] = 16, [IR_ZEXT32] = 32,
	};
	ir_op_t op = (ir_op_t)in->op;
	int n = bits[op];
	int64_t c;

	if (sel_isconst(is, in->a[0], &c)) {
		sel_const(is, in->to, ir_eval(op, c, 0));
	} else if (op == IR_ZEXT32) {
		sel_emit(is, IR_ZEXT32, in->to, in->a[0], IR_NONE);
	} else if (op == IR_ZEXT8 || op == IR_ZEXT16) {
		sel_two_con(is, IR_AND, in->to, in->a[0],
			    ((int64_t)1 << n) - 1);
	} else {
		sel_two_con(is, IR_SHL, in->to, in->a[0], 64 - n);
		sel_two_con(is, IR_SAR, in->to, in->to, 64 - n);
	}
}

/* ---- comparisons --------------------------------------------------------- */

/* Make "a cmp b" encodable: a register first, a register or imm32 second.
   Returns false (and the outcome in *known) if both are constants. */
static bool sel_cmp_args(isel_t *is, ir_op_t *cmp, ir_ref_t *a, ir_ref_t *b,
			 bool *known)
{
	int64_t ca, cb;
	ir_ref_t t;

	if (sel_isconst(is, *a, &ca) && sel_isconst(is, *b, &cb)) {
		*known = ir_eval(*cmp, ca, cb) != 0;
		return false;
	}
	if (ir_is_con(*a)) {
		t = *a;
		*a = *b;
		*b = t;
		*cmp = ir_cmp_mirror(*cmp);
	}
	*b = sel_imm(is, *b);
	return true;
}

/* Does instruction i of the original block touch t (read if reads, else
   write)? */
static bool sel_touches(const isel_t *is, size_t i, ir_ref_t t, bool reads)
{
	uint32_t r[IR_MAXREFS];
	int n;

	if (!ir_is_tmp(t))
		return false;
	n = reads ? ir_ins_uses(is->fn, &is->old[i], r)
		  : ir_ins_defs(&is->old[i], r);
	for (int k = 0; k < n; k++)
		if (r[k] == t.val)
			return true;
	return false;
}

/* A comparison whose only reader is the block's JNZ, with operands that
   stay unchanged until then, becomes the JCMP itself. */
static bool sel_can_fuse(const isel_t *is, const ir_ins_t *in)
{
	const ir_jump_t *j = &is->jmp;

	if (j->kind != IR_J_JNZ || !ir_ref_eq(j->arg[0], in->to) ||
	    ir_tset_has(&is->orig->live_out, in->to.val))
		return false;
	for (size_t i = is->idx + 1; i < is->nold; i++)
		if (sel_touches(is, i, in->to, true) ||
		    sel_touches(is, i, in->to, false) ||
		    sel_touches(is, i, in->a[0], false) ||
		    sel_touches(is, i, in->a[1], false))
			return false;
	return true;
}

/* ---- branch-free comparisons of scalars ---------------------------------- */

/* 1 if a != b, else 0: (d | -d) >> 63 with d = a ^ b. */
static ir_ref_t sel_ne(isel_t *is, ir_ref_t a, ir_ref_t b)
{
	ir_ref_t d = a, n = sel_fresh(is);
	int64_t c;

	if (!sel_isconst(is, b, &c) || c != 0) {
		d = sel_fresh(is);
		sel_two(is, IR_XOR, d, a, b);
	}
	sel_copy_to(is, n, d);
	sel_emit(is, IR_NEG, n, n, IR_NONE);
	sel_emit(is, IR_OR, n, n, d);
	sel_emit(is, IR_SHR, n, n, ir_con(is->fn, 63));
	return n;
}

/* 1 if a < b signed: the sign of (a - b) ^ ((a ^ b) & ((a - b) ^ a)). */
static ir_ref_t sel_slt(isel_t *is, ir_ref_t a, ir_ref_t b)
{
	ir_ref_t d = sel_fresh(is), x, y;
	int64_t c;

	if (sel_isconst(is, b, &c) && c == 0) {
		sel_two_con(is, IR_SHR, d, a, 63);	/* the sign bit */
		return d;
	}
	x = sel_fresh(is);
	y = sel_fresh(is);
	sel_two(is, IR_SUB, d, a, b);
	sel_two(is, IR_XOR, x, a, b);
	sel_two(is, IR_XOR, y, d, a);
	sel_emit(is, IR_AND, x, x, y);
	sel_emit(is, IR_XOR, d, d, x);
	sel_emit(is, IR_SHR, d, d, ir_con(is->fn, 63));
	return d;
}

/* 1 if a < b unsigned: the borrow out of a - b,
   the sign of (~a & b) | (~(a ^ b) & (a - b)). */
static ir_ref_t sel_ult(isel_t *is, ir_ref_t a, ir_ref_t b)
{
	ir_ref_t d = sel_fresh(is), x = sel_fresh(is), y = sel_fresh(is);
	ir_ref_t ones = ir_con(is->fn, -1);

	sel_two(is, IR_SUB, d, a, b);
	sel_two(is, IR_XOR, x, a, b);
	sel_emit(is, IR_XOR, x, x, ones);
	sel_emit(is, IR_AND, x, x, d);
	sel_two(is, IR_XOR, y, a, ones);
	sel_emit(is, IR_AND, y, y, b);
	sel_emit(is, IR_OR, x, x, y);
	sel_emit(is, IR_SHR, x, x, ir_con(is->fn, 63));
	return x;
}

typedef ir_ref_t (*sel_cmpfn_t)(isel_t *is, ir_ref_t a, ir_ref_t b);

/* Each comparison as one of the three, operands maybe swapped, result
   maybe negated. */
static const struct {
	sel_cmpfn_t fn;
	bool swap, negate;
} sel_cmp_forms[IR_NOPS] = {
	[IR_CEQ] = { sel_ne, false, true }, [IR_CNE] = { sel_ne, false, false },
	[IR_CULT] = { sel_ult, false, false }, [IR_CUGE] = { sel_ult, false, true },
	[IR_CUGT] = { sel_ult, true, false }, [IR_CULE] = { sel_ult, true, true },
	[IR_CSLT] = { sel_slt, false, false }, [IR_CSGE] = { sel_slt, false, true },
	[IR_CSGT] = { sel_slt, true, false }, [IR_CSLE] = { sel_slt, true, true },
};

static void sel_cmp_alu(isel_t *is, ir_op_t cmp, ir_ref_t to, ir_ref_t a,
			ir_ref_t b)
{
	ir_ref_t r;

	if (sel_cmp_forms[cmp].swap)
		r = sel_cmp_forms[cmp].fn(is, sel_reg(is, b), a);
	else
		r = sel_cmp_forms[cmp].fn(is, a, b);
	if (sel_cmp_forms[cmp].negate)
		sel_emit(is, IR_XOR, r, r, ir_con(is->fn, 1));
	sel_copy_to(is, to, r);
}

static unsigned sel_kind(const isel_t *is, ir_ref_t r);

/* Constants, and temps that hold no pointer whatever path defined them
   (see sel_find_pointers). */
static bool sel_scalar(const isel_t *is, ir_ref_t r)
{
	return ir_is_con(r) || (ir_is_tmp(r) && sel_kind(is, r) == 0);
}

static void sel_cmp(isel_t *is, const ir_ins_t *in)
{
	ir_op_t cmp = (ir_op_t)in->op;
	ir_ref_t a = in->a[0], b = in->a[1], n;
	ir_blk_t *zero, *join;
	bool known;

	if (sel_can_fuse(is, in)) {
		is->fused = true;
		is->fcmp = cmp;
		is->fa = a;
		is->fb = b;
		return;
	}
	if (!sel_cmp_args(is, &cmp, &a, &b, &known)) {
		sel_const(is, in->to, known);
		return;
	}
	if (sel_scalar(is, a) && sel_scalar(is, b)) {
		sel_cmp_alu(is, cmp, in->to, a, b);
		return;
	}
	n = sel_fresh(is);
	sel_const(is, n, 1);
	zero = ir_blk_insert(is->fn, (size_t)is->cur->id + 1);
	join = ir_blk_insert(is->fn, (size_t)zero->id + 1);
	is->cur->jmp = (ir_jump_t){ .kind = IR_J_JCMP, .cmp = cmp,
				    .arg = { a, b }, .s1 = join, .s2 = zero };
	is->cur = zero;
	sel_const(is, n, 0);
	ir_jmp(zero, join);
	is->cur = join;
	sel_copy_to(is, in->to, n);
}

/* ---- memory, calls ------------------------------------------------------- */

/* A register base and an offset that fits the 16-bit field. */
static void sel_address(isel_t *is, ir_ins_t *out, const ir_ins_t *in)
{
	ir_ref_t base = sel_reg(is, in->a[0]);

	out->off = in->off;
	if (in->off < INT16_MIN || in->off > INT16_MAX) {
		ir_ref_t t = sel_fresh(is);
		sel_two_con(is, IR_ADD, t, base, in->off);
		base = t;
		out->off = 0;
	}
	out->a[0] = base;
}

static void sel_load(isel_t *is, const ir_ins_t *in)
{
	ir_ins_t tmp = *in;

	sel_address(is, &tmp, in);
	*sel_emit(is, (ir_op_t)in->op, in->to, tmp.a[0], IR_NONE) = tmp;
}

/* "to = xchg8 v, base, off" -> "n = v; n = xchg8 n, base', off'; to = n"
   (n fresh: to may be the base); "xadd8 v, base, off" -> "n = v; xadd8 n,
   base', off'" */
static void sel_atomic(isel_t *is, const ir_ins_t *in)
{
	ir_ins_t addr = { .a = { in->a[1] }, .off = in->off };
	ir_ref_t n = sel_fresh(is);
	bool fetch = ir_opinfo[in->op].flags & IRF_DEF;

	sel_address(is, &addr, &addr);
	sel_copy_to(is, n, in->a[0]);
	sel_emit(is, (ir_op_t)in->op, fetch ? n : IR_NONE, n,
		 addr.a[0])->off = addr.off;
	if (fetch)
		sel_copy_to(is, in->to, n);
}

static void sel_store(isel_t *is, const ir_ins_t *in)
{
	int w = ir_memwidth((ir_op_t)in->op);
	ir_ins_t tmp = *in;
	int64_t c;

	sel_address(is, &tmp, in);
	if (sel_isconst(is, in->a[1], &c) && w < 8) {
		/* only the low w bytes are stored: any imm32 with those will do */
		uint32_t low = (uint32_t)((uint64_t)c &
					  (((uint64_t)1 << (8 * w)) - 1));
		tmp.a[1] = ir_con(is->fn, (int32_t)low);
	} else {
		tmp.a[1] = sel_imm(is, in->a[1]);
	}
	*sel_emit(is, (ir_op_t)in->op, IR_NONE, tmp.a[0], tmp.a[1]) = tmp;
}

/* Only ARGs between instruction idx and the next CALL? */
static bool sel_args_adjacent(const isel_t *is)
{
	for (size_t i = is->idx + 1; i < is->nold; i++) {
		if (is->old[i].op == IR_CALL)
			return true;
		if (is->old[i].op != IR_ARG)
			return false;
	}
	return false;
}

static void sel_arg(isel_t *is, const ir_ins_t *in)
{
	ir_ref_t a = in->a[0];

	if (is->nargs >= 5) {
		fprintf(stderr, "%s:%d: more than 5 call arguments\n",
			__FILE__, __LINE__);
		abort();
	}
	if (ir_is_tmp(a) && (a.val <= 5 || !sel_args_adjacent(is))) {
		ir_ref_t t = sel_fresh(is);
		sel_copy_to(is, t, a);
		a = t;
	}
	is->args[is->nargs++] = a;
}

static void sel_call(isel_t *is, const ir_ins_t *in)
{
	ir_ins_t *call;

	for (int i = 0; i < is->nargs; i++)
		sel_copy_to(is, ir_reg(i + 1), is->args[i]);
	is->nargs = 0;
	call = sel_emit(is, IR_CALL, ir_reg(0), IR_NONE, IR_NONE);
	call->off = in->off;
	if (!ir_is_none(in->to))
		sel_copy_to(is, in->to, ir_reg(0));
}

static const isel_fn_t isel_fns[IR_NOPS] = {
	[IR_COPY] = sel_copy, [IR_LDI64] = sel_copy, [IR_LDMAP] = sel_same,
	[IR_LDFN] = sel_same,
	[IR_ADD] = sel_bin, [IR_SUB] = sel_bin, [IR_MUL] = sel_bin,
	[IR_UDIV] = sel_bin, [IR_UREM] = sel_bin, [IR_SDIV] = sel_sdiv,
	[IR_SREM] = sel_sdiv, [IR_AND] = sel_bin, [IR_OR] = sel_bin,
	[IR_XOR] = sel_bin, [IR_SHL] = sel_bin, [IR_SHR] = sel_bin,
	[IR_SAR] = sel_bin, [IR_NEG] = sel_neg,
	[IR_SEXT8] = sel_ext, [IR_SEXT16] = sel_ext, [IR_SEXT32] = sel_ext,
	[IR_ZEXT8] = sel_ext, [IR_ZEXT16] = sel_ext, [IR_ZEXT32] = sel_ext,
	[IR_CEQ] = sel_cmp, [IR_CNE] = sel_cmp, [IR_CULT] = sel_cmp,
	[IR_CULE] = sel_cmp, [IR_CUGT] = sel_cmp, [IR_CUGE] = sel_cmp,
	[IR_CSLT] = sel_cmp, [IR_CSLE] = sel_cmp, [IR_CSGT] = sel_cmp,
	[IR_CSGE] = sel_cmp,
	[IR_LOAD1] = sel_load, [IR_LOAD2] = sel_load, [IR_LOAD4] = sel_load,
	[IR_LOAD8] = sel_load, [IR_STORE1] = sel_store,
	[IR_STORE2] = sel_store, [IR_STORE4] = sel_store,
	[IR_STORE8] = sel_store, [IR_XCHG8] = sel_atomic,
	[IR_XADD8] = sel_atomic,
	[IR_ARG] = sel_arg,
	[IR_CALL] = sel_call,
	[IR_PC] = sel_same,
};

/* ---- terminators, driver ------------------------------------------------- */

static void sel_branch(isel_t *is, ir_op_t cmp, ir_ref_t a, ir_ref_t b)
{
	const ir_jump_t *j = &is->jmp;
	bool known;

	if (!sel_cmp_args(is, &cmp, &a, &b, &known)) {
		ir_jmp(is->cur, known ? j->s1 : j->s2);
		return;
	}
	is->cur->jmp = (ir_jump_t){ .kind = IR_J_JCMP, .cmp = cmp,
				    .arg = { a, b }, .s1 = j->s1, .s2 = j->s2 };
}

static void sel_jump(isel_t *is)
{
	const ir_jump_t *j = &is->jmp;

	if (j->kind == IR_J_RET) {
		sel_copy_to(is, ir_reg(0), j->arg[0]);
		ir_ret(is->cur, ir_reg(0));
	} else if (j->kind == IR_J_JNZ && is->fused) {
		sel_branch(is, is->fcmp, is->fa, is->fb);
	} else if (j->kind == IR_J_JNZ) {
		sel_branch(is, IR_CNE, j->arg[0], ir_con(is->fn, 0));
	} else if (j->kind == IR_J_JCMP) {
		sel_branch(is, j->cmp, j->arg[0], j->arg[1]);
	} else {
		is->cur->jmp = *j;
	}
}

static void sel_block(isel_t *is, ir_blk_t *b)
{
	is->orig = b;
	is->jmp = b->jmp;
	is->old = b->ins;
	is->nold = b->nins;
	is->cur = b;
	is->nargs = 0;
	is->fused = false;
	b->ins = NULL;
	b->nins = b->cap = 0;
	b->jmp = (ir_jump_t){ .kind = IR_J_NONE };
	for (is->idx = 0; is->idx < is->nold; is->idx++) {
		const ir_ins_t *in = &is->old[is->idx];
		if (isel_fns[in->op] == NULL) {
			fprintf(stderr, "%s:%d: isel: no rule for %s\n",
				__FILE__, __LINE__, ir_opinfo[in->op].text);
			abort();
		}
		isel_fns[in->op](is, in);
	}
	sel_jump(is);
}

/* ---- which temps may hold pointers ----------------------------------------- */

/*
 * The verifier tracks pointers to the context, the stack, maps, map values
 * and ring buffer records, and BTF objects, and forbids ALU on them other
 * than adding and subtracting.  Memory holds pointers only where the
 * kernel put them: the context of a BTF-typed program and BTF objects
 * (the lowering never stores a verifier pointer itself; spill slots come
 * later).  So a temp gets SEL_PTR if it may be a pointer, and SEL_BTF if
 * 8-byte loads through it may give one.
 */
enum { SEL_PTR = 1, SEL_BTF = 2 };

static unsigned sel_kind(const isel_t *is, ir_ref_t r)
{
	if (!ir_is_tmp(r))
		return 0;
	if (r.val == IR_FP)
		return SEL_PTR;
	if (r.val < IR_NPHYS || r.val >= is->ntmp)
		return SEL_PTR | SEL_BTF;	/* r1 is the context */
	return is->kind[r.val];
}

static unsigned sel_def_kind(const isel_t *is, const ir_ins_t *in)
{
	static const bool arith[IR_NOPS] = {
		[IR_LDI64] = true, [IR_MUL] = true, [IR_UDIV] = true,
		[IR_UREM] = true, [IR_SDIV] = true, [IR_SREM] = true,
		[IR_AND] = true, [IR_OR] = true, [IR_XOR] = true,
		[IR_SHL] = true, [IR_SHR] = true, [IR_SAR] = true,
		[IR_NEG] = true, [IR_SEXT8] = true, [IR_SEXT16] = true,
		[IR_SEXT32] = true, [IR_ZEXT8] = true, [IR_ZEXT16] = true,
		[IR_ZEXT32] = true, [IR_LOAD1] = true, [IR_LOAD2] = true,
		[IR_LOAD4] = true, [IR_PC] = true,
	};
	const bpf_helper_t *h;

	if (arith[in->op] || (ir_opinfo[in->op].flags & IRF_CMP))
		return 0;
	if (in->op == IR_LDMAP || in->op == IR_LDFN)
		return SEL_PTR;
	if (in->op == IR_CALL) {
		h = bpf_helper_by_id(in->off);
		if (h == NULL || h->id == 158)	/* get_current_task_btf */
			return SEL_PTR | SEL_BTF;
		return h->id == 1 || h->id == 131 ? SEL_PTR : 0;
	}
	if (in->op == IR_LOAD8)
		return sel_kind(is, in->a[0]) & SEL_BTF ? SEL_PTR | SEL_BTF : 0;
	if (in->op == IR_COPY || in->op == IR_ADD || in->op == IR_SUB)
		return sel_kind(is, in->a[0]) | sel_kind(is, in->a[1]);
	return SEL_PTR | SEL_BTF;
}

/* Grow the kinds to a fixed point (temps are not SSA). */
static void sel_find_pointers(isel_t *is)
{
	ir_func_t *fn = is->fn;
	bool changed = true;

	is->ntmp = fn->ntmp;
	is->kind = dl_alloc(fn->arena, fn->ntmp + 1);
	while (changed) {
		changed = false;
		for (size_t i = 0; i < fn->nblks; i++) {
			ir_blk_t *b = fn->blks[i];
			for (size_t k = 0; k < b->nins; k++) {
				ir_ref_t to = b->ins[k].to;
				unsigned kd;
				if (!ir_is_tmp(to) || to.val < IR_NPHYS)
					continue;
				kd = is->kind[to.val] |
				     sel_def_kind(is, &b->ins[k]);
				if (kd == is->kind[to.val])
					continue;
				is->kind[to.val] = (uint8_t)kd;
				changed = true;
			}
		}
	}
}

void ir_isel(ir_func_t *fn)
{
	isel_t is = { .fn = fn };
	size_t n = fn->nblks;
	ir_blk_t **orig = dl_alloc(fn->arena, (n + 1) * sizeof(*orig));

	ir_liveness(fn);
	sel_find_pointers(&is);
	memcpy(orig, fn->blks, n * sizeof(*orig));
	for (size_t i = 0; i < n; i++)
		sel_block(&is, orig[i]);
	fn->stage = IR_STAGE_SELECTED;
}
