/*
 * ir_check.c - the IR's invariants, checked.
 *
 * Runs after every pass in test builds (and with -x irchk), so a pass that
 * breaks the IR is caught where it did it, not as a verifier rejection.
 * What is checked, by stage:
 *
 *   every stage   blocks numbered in layout order and terminated; jump
 *                 targets are blocks of this function; operands are valid
 *                 references in the places the opcode uses and none
 *                 elsewhere; a result exactly where the opcode defines
 *                 one, never r10 and never a constant; no temporary is
 *                 read on a path where nothing wrote it (apart from r1,
 *                 the context, and r10); no call argument register r1..r5
 *                 is read after a call clobbered it
 *   lowered       at most 5 ARGs before each CALL, none left pending at
 *                 the end of a block; no JCMP
 *   selected      only what BPF has: no ARG, signed div/mod, value
 *                 comparisons or extensions other than zext32; binary
 *                 ops two-address (to == a0) with a register or imm32 as
 *                 the second operand, shifts by 0..63, no division by a
 *                 constant 0; memory bases are registers and offsets fit
 *                 16 bits; calls define r0; RET returns r0
 *   allocated     as selected, and only r0..r10 remain
 *
 * Requires: nothing.  Produces: a verdict and the first violation, naming
 * the block and instruction.  Invalidates: nothing (liveness is computed
 * into the arena, not into the function).
 */
#include <stdarg.h>
#include <string.h>

#include "ir.h"

typedef struct ir_checker {
	const ir_func_t *fn;
	char *err;
	size_t errsz;
	bool failed;
	const ir_blk_t *b;	/* where we are, for messages */
	long idx;		/* instruction index, -1: the terminator */
} ir_checker_t;

/* Which opcodes survive instruction selection. */
static const bool ir_selected_ok[IR_NOPS] = {
	[IR_COPY] = true, [IR_LDI64] = true, [IR_LDMAP] = true,
	[IR_LDFN] = true,
	[IR_ADD] = true, [IR_SUB] = true, [IR_MUL] = true, [IR_UDIV] = true,
	[IR_UREM] = true, [IR_AND] = true, [IR_OR] = true, [IR_XOR] = true,
	[IR_SHL] = true, [IR_SHR] = true, [IR_SAR] = true, [IR_NEG] = true,
	[IR_ZEXT32] = true,
	[IR_LOAD1] = true, [IR_LOAD2] = true, [IR_LOAD4] = true,
	[IR_LOAD8] = true, [IR_STORE1] = true, [IR_STORE2] = true,
	[IR_STORE4] = true, [IR_STORE8] = true, [IR_XCHG8] = true,
	[IR_XADD8] = true,
	[IR_CALL] = true, [IR_PC] = true,
};

__attribute__((format(printf, 2, 3)))
static void ck_fail(ir_checker_t *ck, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (ck->failed)
		return;
	ck->failed = true;
	if (ck->b != NULL && ck->idx >= 0)
		n = snprintf(ck->err, ck->errsz, "@%s, instruction %ld (%s): ",
			     ck->b->name, ck->idx,
			     ir_opinfo[ck->b->ins[ck->idx].op].text);
	else if (ck->b != NULL)
		n = snprintf(ck->err, ck->errsz, "@%s, terminator: ",
			     ck->b->name);
	if (n < 0 || (size_t)n >= ck->errsz)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(ck->err + n, ck->errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

static void ck_ref(ir_checker_t *ck, ir_ref_t r, const char *what)
{
	const ir_func_t *fn = ck->fn;

	if (ir_is_tmp(r) && r.val >= fn->ntmp)
		ck_fail(ck, "%s: temporary %u out of range", what, r.val);
	else if (ir_is_con(r) && r.val >= fn->ncons)
		ck_fail(ck, "%s: constant %u out of range", what, r.val);
	else if (r.kind > IR_R_CON)
		ck_fail(ck, "%s: bad operand kind", what);
	else if (ir_is_tmp(r) && fn->stage == IR_STAGE_ALLOCATED &&
		 r.val >= IR_NPHYS)
		ck_fail(ck, "%s: virtual %%t%u after register allocation",
			what, r.val);
}

static bool ck_is_imm(const ir_checker_t *ck, ir_ref_t r)
{
	return ir_is_tmp(r) ||
	       (ir_is_con(r) && r.val < ck->fn->ncons &&
		ir_fits_imm32(ir_conval(ck->fn, r)));
}

static bool ck_is_blk(const ir_checker_t *ck, const ir_blk_t *s)
{
	return s != NULL && s->id >= 0 && (size_t)s->id < ck->fn->nblks &&
	       ck->fn->blks[s->id] == s;
}

/* Operands and result against the opcode's table entry. */
static void ck_ins_shape(ir_checker_t *ck, const ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];

	for (int i = 0; i < 2; i++) {
		if (i < oi->nargs && ir_is_none(in->a[i]))
			ck_fail(ck, "operand %d missing", i);
		else if (i >= oi->nargs && !ir_is_none(in->a[i]))
			ck_fail(ck, "operand %d not used by the opcode", i);
		ck_ref(ck, in->a[i], "operand");
	}
	ck_ref(ck, in->to, "result");
	if (!(oi->flags & IRF_DEF) && !ir_is_none(in->to))
		ck_fail(ck, "result on an opcode that defines none");
	if ((oi->flags & IRF_DEF) && ir_is_none(in->to) &&
	    !(in->op == IR_CALL && ck->fn->stage == IR_STAGE_LOWERED))
		ck_fail(ck, "result missing");
	if (ir_is_con(in->to))
		ck_fail(ck, "result is a constant");
	if (ir_is_tmp(in->to) && in->to.val == IR_FP)
		ck_fail(ck, "writes r10, the read-only frame pointer");
	if (in->op == IR_LDI64 && !ir_is_con(in->a[0]))
		ck_fail(ck, "ldi64 of a non-constant");
	if (in->op == IR_LDMAP && in->off < 0)
		ck_fail(ck, "negative map index");
	if ((oi->flags & (IRF_LOAD | IRF_STORE)) && ir_is_con(in->a[0]) &&
	    ck->fn->stage != IR_STAGE_LOWERED)
		ck_fail(ck, "memory base is a constant");
}

static void ck_ins_bin(ir_checker_t *ck, const ir_ins_t *in)
{
	int64_t c;

	if (!ir_ref_eq(in->to, in->a[0]))
		ck_fail(ck, "not two-address (result != operand 0)");
	if (!ck_is_imm(ck, in->a[1]))
		ck_fail(ck, "second operand is not a register or imm32");
	if (!ir_is_con(in->a[1]) || in->a[1].val >= ck->fn->ncons)
		return;
	c = ir_conval(ck->fn, in->a[1]);
	if ((in->op == IR_UDIV || in->op == IR_UREM) && c == 0)
		ck_fail(ck, "division by the constant 0");
	if ((in->op == IR_SHL || in->op == IR_SHR || in->op == IR_SAR) &&
	    (c < 0 || c > 63))
		ck_fail(ck, "shift by %lld", (long long)c);
}

/* What BPF can encode: the selected and allocated stages. */
static void ck_ins_selected(ir_checker_t *ck, const ir_ins_t *in)
{
	const ir_opinfo_t *oi = &ir_opinfo[in->op];

	if (!ir_selected_ok[in->op]) {
		ck_fail(ck, "opcode not allowed after isel");
		return;
	}
	if (oi->flags & IRF_BIN)
		ck_ins_bin(ck, in);
	if (in->op == IR_NEG && !ir_ref_eq(in->to, in->a[0]))
		ck_fail(ck, "not two-address (result != operand 0)");
	if ((in->op == IR_COPY) && !ck_is_imm(ck, in->a[0]))
		ck_fail(ck, "copy of a constant that is not an imm32");
	if (in->op == IR_ZEXT32 && !ir_is_tmp(in->a[0]))
		ck_fail(ck, "zext32 of a constant");
	if ((oi->flags & (IRF_LOAD | IRF_STORE)) &&
	    (in->off < INT16_MIN || in->off > INT16_MAX))
		ck_fail(ck, "offset %d does not fit 16 bits", in->off);
	if ((oi->flags & (IRF_LOAD | IRF_STORE)) && !ir_is_tmp(in->a[0]))
		ck_fail(ck, "memory base is not a register");
	if (in->op == IR_STORE8 && !ck_is_imm(ck, in->a[1]))
		ck_fail(ck, "store8 of a constant that is not an imm32");
	if (in->op == IR_XCHG8 && !ir_ref_eq(in->to, in->a[0]))
		ck_fail(ck, "not two-address (result != operand 0)");
	if ((oi->flags & IRF_ATOMIC) &&
	    (!ir_is_tmp(in->a[1]) || in->off < INT16_MIN ||
	     in->off > INT16_MAX))
		ck_fail(ck, "atomic address is not a register and 16-bit "
			"offset");
	if (in->op == IR_XADD8 && !ir_is_tmp(in->a[0]))
		ck_fail(ck, "xadd8 of a constant");
	if (in->op == IR_CALL && !ir_ref_eq(in->to, ir_reg(0)))
		ck_fail(ck, "call does not define r0");
}

static void ck_jump(ir_checker_t *ck, const ir_blk_t *b)
{
	const ir_jump_t *j = &b->jmp;
	bool sel = ck->fn->stage != IR_STAGE_LOWERED;

	ck->idx = -1;
	if (j->kind == IR_J_NONE) {
		ck_fail(ck, "block is not terminated");
		return;
	}
	for (int i = 0; i < 2; i++)
		ck_ref(ck, j->arg[i], "operand");
	if (j->kind != IR_J_RET && !ck_is_blk(ck, j->s1))
		ck_fail(ck, "jump target is not a block of this function");
	if ((j->kind == IR_J_JNZ || j->kind == IR_J_JCMP) &&
	    !ck_is_blk(ck, j->s2))
		ck_fail(ck, "jump target is not a block of this function");
	if ((j->kind == IR_J_RET || j->kind == IR_J_JNZ ||
	     j->kind == IR_J_JCMP) && ir_is_none(j->arg[0]))
		ck_fail(ck, "operand missing");
	if (j->kind == IR_J_JCMP && !sel)
		ck_fail(ck, "jcmp before isel");
	if (j->kind == IR_J_JCMP &&
	    (j->cmp >= IR_NOPS || !(ir_opinfo[j->cmp].flags & IRF_CMP)))
		ck_fail(ck, "jcmp without a comparison");
	if (!sel)
		return;
	if (j->kind == IR_J_RET && !ir_ref_eq(j->arg[0], ir_reg(0)))
		ck_fail(ck, "ret of something else than r0");
	if ((j->kind == IR_J_JNZ || j->kind == IR_J_JCMP) &&
	    !ir_is_tmp(j->arg[0]))
		ck_fail(ck, "first operand of a branch is not a register");
	if (j->kind == IR_J_JCMP && !ck_is_imm(ck, j->arg[1]))
		ck_fail(ck, "second operand is not a register or imm32");
}

static void ck_block(ir_checker_t *ck, const ir_blk_t *b)
{
	int pending = 0;	/* ARGs waiting for their CALL */

	for (size_t i = 0; i < b->nins && !ck->failed; i++) {
		const ir_ins_t *in = &b->ins[i];
		ck->idx = (long)i;
		if (in->op >= IR_NOPS) {
			ck_fail(ck, "bad opcode %u", in->op);
			break;
		}
		ck_ins_shape(ck, in);
		if (ck->fn->stage != IR_STAGE_LOWERED)
			ck_ins_selected(ck, in);
		if (in->op == IR_ARG && ++pending > 5)
			ck_fail(ck, "more than 5 arguments");
		if (in->op == IR_CALL)
			pending = 0;
	}
	ck->idx = -1;
	if (pending > 0)
		ck_fail(ck, "arg without a call in the same block");
	if (!ck->failed)
		ck_jump(ck, b);
}

static void ck_fmt_tmp(char *buf, size_t sz, uint32_t t)
{
	snprintf(buf, sz, "%%%c%u", t < IR_NPHYS ? 'r' : 't', (unsigned)t);
}

/* Walk b backwards: nothing may need r1..r5 across a call. */
static void ck_calls(ir_checker_t *ck, const ir_blk_t *b,
		     const ir_tset_t *out, ir_sset_t *live)
{
	uint32_t t[IR_MAXREFS];

	ir_sset_load(live, out);
	int n = ir_jump_uses(&b->jmp, t);
	for (int k = 0; k < n; k++)
		ir_sset_add(live, t[k]);
	for (size_t i = b->nins; i-- > 0 && !ck->failed;) {
		const ir_ins_t *in = &b->ins[i];
		ck->idx = (long)i;
		for (uint32_t r = 1; r <= 5 && in->op == IR_CALL; r++)
			if (ir_sset_has(live, r))
				ck_fail(ck, "r%u read after the call "
					"clobbered it", (unsigned)r);
		n = ir_ins_defs(in, t);
		for (int k = 0; k < n; k++)
			ir_sset_del(live, t[k]);
		n = ir_ins_uses(ck->fn, in, t);
		for (int k = 0; k < n; k++)
			ir_sset_add(live, t[k]);
	}
}

static void ck_live(ir_checker_t *ck)
{
	const ir_func_t *fn = ck->fn;
	ir_tset_t *in = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*in));
	ir_tset_t *out = dl_alloc(fn->arena, (fn->nblks + 1) * sizeof(*out));
	ir_sset_t live;
	char name[32];

	ir_sset_init(fn->arena, &live, fn->ntmp);
	ir_live_compute(fn, fn->arena, in, out);
	for (uint32_t k = 0; k < in[0].n; k++) {
		uint32_t t = in[0].t[k];
		if (t == 1 || t == IR_FP)
			continue;
		ck->b = NULL;
		ck_fmt_tmp(name, sizeof(name), t);
		ck_fail(ck, "%s may be read before anything writes it", name);
		return;
	}
	for (size_t i = 0; i < fn->nblks && !ck->failed; i++) {
		ck->b = fn->blks[i];
		ck_calls(ck, fn->blks[i], &out[i], &live);
	}
}

int ir_check(const ir_func_t *fn, char *errbuf, size_t errsz)
{
	ir_checker_t ck = { .fn = fn, .err = errbuf, .errsz = errsz,
			    .idx = -1 };

	if (fn->nblks == 0)
		ck_fail(&ck, "function without blocks");
	if (fn->ntmp < IR_NPHYS)
		ck_fail(&ck, "ntmp below the physical registers");
	if (fn->frame < 0 || fn->frame > 512 || fn->frame % 8 != 0)
		ck_fail(&ck, "bad frame size %d", fn->frame);
	for (size_t i = 0; i < fn->nblks && !ck.failed; i++) {
		ck.b = fn->blks[i];
		if (ck.b == NULL || ck.b->id != (int)i) {
			ck.b = NULL;
			ck_fail(&ck, "block %zu is misnumbered", i);
			break;
		}
		ck_block(&ck, ck.b);
	}
	if (!ck.failed)
		ck_live(&ck);
	return ck.failed ? -1 : 0;
}
