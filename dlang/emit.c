/*
 * emit.c - allocated IR -> struct bpf_insn.
 *
 * Two passes over the blocks in layout order.  The first sizes every block
 * (instructions, two slots for an ld_imm64, and what its terminator needs
 * given the block laid out after it), so every block's first instruction
 * index is known; the second writes the instructions with each jump's
 * offset resolved (target - (pc + 1), which must fit the 16-bit field:
 * if one does not, the code is emitted anyway, and bpf_emit returns -1
 * with the distance in out->toofar).
 *
 * Terminators: RET is "exit" (isel put the value in r0).  JMP to the next
 * block is elided; JCMP/JNZ branch to s1 and fall through to s2, or, when
 * s1 is the next block, branch to s2 on the negated comparison; when
 * neither follows, a "goto" to s2 comes after the branch.
 *
 * Each LDMAP becomes an ld_imm64 with src_reg BPF_PSEUDO_MAP_FD and the map
 * index in imm, plus a bpf_reloc_t: the loader replaces imm with the map's
 * fd.  An LDFN (the address of a callback, for bpf_loop) becomes an
 * ld_imm64 with src_reg BPF_PSEUDO_FUNC and the distance to the callback,
 * a fixed subprogram appended after the program (em_callbacks) when used.  Instruction encodings come from one table indexed by IR opcode.
 * Each instruction is also given its block's clause (out->clause), so that
 * the loader can name the D clause where the verifier gave up.
 *
 * Requires: IR_STAGE_ALLOCATED that passes ir_check.  Produces: out, with
 * instructions and relocations allocated from the given arena.
 * Invalidates: nothing.
 */
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

typedef struct emitter {
	const ir_func_t *fn;
	struct bpf_insn *insns;
	size_t pc;
	bpf_reloc_t *relocs;
	size_t nrelocs;
	size_t *start;		/* per block: index of its first instruction */
	size_t *jpc;		/* per block: index of its terminator */
	const ir_blk_t *cur;	/* the block being written */
	long toofar;		/* a jump that does not fit 16 bits, or 0 */
	size_t *fnpc;		/* where the LDFNs are */
	size_t nfn;
} emitter_t;

typedef void (*emit_fn_t)(emitter_t *e, const ir_ins_t *in, uint8_t code);

/* ---- instruction encoders ------------------------------------------------ */

static struct bpf_insn *em_put(emitter_t *e, uint8_t code, int dst, int src,
			       int16_t off, int32_t imm)
{
	struct bpf_insn *i = &e->insns[e->pc++];

	memset(i, 0, sizeof(*i));
	i->code = code;
	i->dst_reg = (uint8_t)dst;
	i->src_reg = (uint8_t)src;
	i->off = off;
	i->imm = imm;
	return i;
}

static int em_reg(ir_ref_t r)
{
	if (!ir_is_tmp(r) || r.val >= IR_NPHYS) {
		fprintf(stderr, "%s:%d: emit: operand is not a register\n",
			__FILE__, __LINE__);
		abort();
	}
	return (int)r.val;
}

static int32_t em_imm(const emitter_t *e, ir_ref_t r)
{
	return (int32_t)ir_conval(e->fn, r);
}

static void em_ld64(emitter_t *e, int dst, int src, uint64_t v)
{
	em_put(e, BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int32_t)(uint32_t)v);
	em_put(e, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* ALU with a register or an immediate second operand; code is the op. */
static void em_alu(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	ir_ref_t b = in->op == IR_COPY ? in->a[0] : in->a[1];

	if (ir_is_con(b))
		em_put(e, BPF_ALU64 | code | BPF_K, em_reg(in->to), 0, 0,
		       em_imm(e, b));
	else
		em_put(e, BPF_ALU64 | code | BPF_X, em_reg(in->to), em_reg(b),
		       0, 0);
}

static void em_neg(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	em_put(e, BPF_ALU64 | BPF_NEG | BPF_K, em_reg(in->to), 0, 0, 0);
}

static void em_zext32(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	em_put(e, BPF_ALU | BPF_MOV | BPF_X, em_reg(in->to), em_reg(in->a[0]),
	       0, 0);
}

static void em_ldi64(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	em_ld64(e, em_reg(in->to), 0, (uint64_t)ir_conval(e->fn, in->a[0]));
}

static void em_ldmap(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	e->relocs[e->nrelocs++] = (bpf_reloc_t){ (uint32_t)e->pc,
						 (uint32_t)in->off };
	em_ld64(e, em_reg(in->to), BPF_PSEUDO_MAP_FD, (uint32_t)in->off);
}

static void em_ldfn(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	e->fnpc[e->nfn++] = e->pc;	/* the distance comes later */
	em_ld64(e, em_reg(in->to), BPF_PSEUDO_FUNC, 0);
}

/*
 * The callbacks, after the program.  DL_CB_SPIN, a bpf_loop callback
 * (index in r1, context in r2): stop (return 1) once bpf_ktime_get_ns()
 * reaches the u64 deadline the context points to, else go on (0).
 */
#define EM_CB_SPIN_LEN 8
static void em_callbacks(emitter_t *e)
{
	size_t start = e->pc;

	em_put(e, BPF_ALU64 | BPF_MOV | BPF_X, 6, 2, 0, 0);	/* r6 = r2 */
	em_put(e, BPF_JMP | BPF_CALL, 0, 0, 0, 5);	/* ktime_get_ns */
	em_put(e, BPF_LDX | BPF_MEM | BPF_DW, 1, 6, 0, 0);
	em_put(e, BPF_JMP | BPF_JGE | BPF_X, 0, 1, 2, 0);
	em_put(e, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	em_put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	em_put(e, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	em_put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < e->nfn; i++)
		e->insns[e->fnpc[i]].imm = (int32_t)(start - e->fnpc[i] - 1);
}

static void em_load(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	em_put(e, BPF_LDX | BPF_MEM | code, em_reg(in->to), em_reg(in->a[0]),
	       (int16_t)in->off, 0);
}

static void em_store(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	if (ir_is_con(in->a[1]))
		em_put(e, BPF_ST | BPF_MEM | code, em_reg(in->a[0]), 0,
		       (int16_t)in->off, em_imm(e, in->a[1]));
	else
		em_put(e, BPF_STX | BPF_MEM | code, em_reg(in->a[0]),
		       em_reg(in->a[1]), (int16_t)in->off, 0);
}

/* xchg8: BPF's source register gets the old value (to == a0, isel) */
static void em_atomic(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	em_put(e, BPF_STX | BPF_ATOMIC | BPF_DW, em_reg(in->a[1]),
	       em_reg(in->a[0]), (int16_t)in->off, code);
}

static void em_call(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	em_put(e, BPF_JMP | BPF_CALL, 0, 0, 0, in->off);
}

/* IR_PC: the index of the branch that leads here (a conditional one if
   any predecessor has one), or of this instruction if none does. */
static void em_pc(emitter_t *e, const ir_ins_t *in, uint8_t code)
{
	long pc = -1;

	for (size_t i = 0; i < e->fn->nblks; i++) {
		const ir_jump_t *j = &e->fn->blks[i]->jmp;
		if (j->s1 != e->cur && j->s2 != e->cur)
			continue;
		if (j->kind == IR_J_JNZ || j->kind == IR_J_JCMP) {
			pc = (long)e->jpc[i];
			break;
		}
		if (pc < 0)
			pc = (long)e->jpc[i];
	}
	if (pc < 0)
		pc = (long)e->pc;
	em_put(e, BPF_ALU64 | BPF_MOV | BPF_K, em_reg(in->to), 0, 0,
	       (int32_t)pc);
}

static const struct {
	emit_fn_t fn;
	uint8_t code;		/* BPF op or size bits the encoder needs */
	uint8_t slots;		/* instructions it takes */
} emit_tab[IR_NOPS] = {
	[IR_COPY] = { em_alu, BPF_MOV, 1 },
	[IR_LDI64] = { em_ldi64, 0, 2 },
	[IR_LDMAP] = { em_ldmap, 0, 2 },
	[IR_LDFN] = { em_ldfn, 0, 2 },
	[IR_ADD] = { em_alu, BPF_ADD, 1 }, [IR_SUB] = { em_alu, BPF_SUB, 1 },
	[IR_MUL] = { em_alu, BPF_MUL, 1 }, [IR_UDIV] = { em_alu, BPF_DIV, 1 },
	[IR_UREM] = { em_alu, BPF_MOD, 1 }, [IR_AND] = { em_alu, BPF_AND, 1 },
	[IR_OR] = { em_alu, BPF_OR, 1 }, [IR_XOR] = { em_alu, BPF_XOR, 1 },
	[IR_SHL] = { em_alu, BPF_LSH, 1 }, [IR_SHR] = { em_alu, BPF_RSH, 1 },
	[IR_SAR] = { em_alu, BPF_ARSH, 1 }, [IR_NEG] = { em_neg, 0, 1 },
	[IR_ZEXT32] = { em_zext32, 0, 1 },
	[IR_LOAD1] = { em_load, BPF_B, 1 }, [IR_LOAD2] = { em_load, BPF_H, 1 },
	[IR_LOAD4] = { em_load, BPF_W, 1 }, [IR_LOAD8] = { em_load, BPF_DW, 1 },
	[IR_STORE1] = { em_store, BPF_B, 1 },
	[IR_STORE2] = { em_store, BPF_H, 1 },
	[IR_STORE4] = { em_store, BPF_W, 1 },
	[IR_STORE8] = { em_store, BPF_DW, 1 },
	[IR_XCHG8] = { em_atomic, BPF_XCHG, 1 },
	[IR_XADD8] = { em_atomic, BPF_ADD, 1 },
	[IR_CALL] = { em_call, 0, 1 }, [IR_PC] = { em_pc, 0, 1 },
};

/* BPF_JMP conditions of the comparison opcodes. */
static const uint8_t emit_jcc[IR_NOPS] = {
	[IR_CEQ] = BPF_JEQ, [IR_CNE] = BPF_JNE,
	[IR_CULT] = BPF_JLT, [IR_CULE] = BPF_JLE,
	[IR_CUGT] = BPF_JGT, [IR_CUGE] = BPF_JGE,
	[IR_CSLT] = BPF_JSLT, [IR_CSLE] = BPF_JSLE,
	[IR_CSGT] = BPF_JSGT, [IR_CSGE] = BPF_JSGE,
};

/* ---- terminators --------------------------------------------------------- */

static const ir_blk_t *em_next(const ir_func_t *fn, const ir_blk_t *b)
{
	return (size_t)b->id + 1 < fn->nblks ? fn->blks[b->id + 1] : NULL;
}

static size_t em_jump_size(const ir_func_t *fn, const ir_blk_t *b)
{
	const ir_blk_t *next = em_next(fn, b);
	const ir_jump_t *j = &b->jmp;

	switch (j->kind) {
	case IR_J_RET:
		return 1;
	case IR_J_JMP:
		return j->s1 == next ? 0 : 1;
	case IR_J_JNZ:
	case IR_J_JCMP:
		return j->s1 == next || j->s2 == next ? 1 : 2;
	default:
		return 0;
	}
}

static int16_t em_off(emitter_t *e, const ir_blk_t *target)
{
	long d = (long)e->start[target->id] - (long)(e->pc + 1);

	if (d < INT16_MIN || d > INT16_MAX) {
		e->toofar = d;
		return 0;
	}
	return (int16_t)d;
}

static void em_branch(emitter_t *e, ir_op_t cmp, ir_ref_t a, ir_ref_t b,
		      const ir_blk_t *target)
{
	uint8_t code = BPF_JMP | emit_jcc[cmp];
	int16_t off = em_off(e, target);

	if (ir_is_con(b))
		em_put(e, code | BPF_K, em_reg(a), 0, off, em_imm(e, b));
	else
		em_put(e, code | BPF_X, em_reg(a), em_reg(b), off, 0);
}

static void em_goto(emitter_t *e, const ir_blk_t *target)
{
	em_put(e, BPF_JMP | BPF_JA, 0, 0, em_off(e, target), 0);
}

static void em_jump(emitter_t *e, const ir_blk_t *b)
{
	const ir_blk_t *next = em_next(e->fn, b);
	const ir_jump_t *j = &b->jmp;
	ir_op_t cmp = j->kind == IR_J_JCMP ? j->cmp : IR_CNE;
	ir_ref_t rhs = j->kind == IR_J_JCMP ? j->arg[1] : IR_NONE;

	if (j->kind == IR_J_RET) {
		em_put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return;
	}
	if (j->kind == IR_J_JMP) {
		if (j->s1 != next)
			em_goto(e, j->s1);
		return;
	}
	if (j->kind == IR_J_JNZ) {
		/* "!= 0" as an immediate: the pool may lack a 0 constant */
		int16_t off;
		const ir_blk_t *t = j->s1 == next ? j->s2 : j->s1;
		off = em_off(e, t);
		em_put(e, BPF_JMP | (j->s1 == next ? BPF_JEQ : BPF_JNE) | BPF_K,
		       em_reg(j->arg[0]), 0, off, 0);
		if (j->s1 != next && j->s2 != next)
			em_goto(e, j->s2);
		return;
	}
	if (j->s1 == next) {
		em_branch(e, ir_cmp_negate(cmp), j->arg[0], rhs, j->s2);
		return;
	}
	em_branch(e, cmp, j->arg[0], rhs, j->s1);
	if (j->s2 != next)
		em_goto(e, j->s2);
}

/* ---- driver -------------------------------------------------------------- */

int bpf_emit(const ir_func_t *fn, dl_arena_t *a, bpf_code_t *out)
{
	emitter_t e = { .fn = fn };
	size_t total = 0, nmaps = 0, nfn = 0;

	e.start = dl_alloc(a, (fn->nblks + 1) * sizeof(*e.start));
	e.jpc = dl_alloc(a, (fn->nblks + 1) * sizeof(*e.jpc));
	for (size_t i = 0; i < fn->nblks; i++) {
		const ir_blk_t *b = fn->blks[i];
		e.start[i] = total;
		for (size_t k = 0; k < b->nins; k++) {
			if (emit_tab[b->ins[k].op].fn == NULL) {
				fprintf(stderr, "%s:%d: emit: cannot encode %s\n",
					__FILE__, __LINE__,
					ir_opinfo[b->ins[k].op].text);
				abort();
			}
			total += emit_tab[b->ins[k].op].slots;
			nmaps += b->ins[k].op == IR_LDMAP;
			nfn += b->ins[k].op == IR_LDFN;
		}
		e.jpc[i] = total;
		total += em_jump_size(fn, b);
	}
	size_t body = total;
	total += nfn > 0 ? EM_CB_SPIN_LEN : 0;
	e.fnpc = dl_alloc(a, (nfn + 1) * sizeof(*e.fnpc));
	e.insns = dl_alloc(a, (total + 1) * sizeof(*e.insns));
	e.relocs = dl_alloc(a, (nmaps + 1) * sizeof(*e.relocs));
	out->clause = dl_alloc(a, (total + 1) * sizeof(*out->clause));
	for (size_t i = 0; i < fn->nblks; i++) {
		const ir_blk_t *b = fn->blks[i];
		e.cur = b;
		for (size_t k = 0; k < b->nins; k++) {
			const ir_ins_t *in = &b->ins[k];
			emit_tab[in->op].fn(&e, in, emit_tab[in->op].code);
		}
		em_jump(&e, b);
		for (size_t pc = e.start[i]; pc < e.pc; pc++)
			out->clause[pc] = b->clause;
	}
	if (nfn > 0)
		em_callbacks(&e);
	for (size_t pc = body; pc < e.pc; pc++)
		out->clause[pc] = 0;
	out->insns = e.insns;
	out->ninsns = e.pc;
	out->relocs = e.relocs;
	out->nrelocs = e.nrelocs;
	out->toofar = e.toofar;
	out->cbstart = nfn > 0 ? body : 0;
	return e.toofar != 0 ? -1 : 0;
}
