/*
 * ir.h - the compiler's intermediate representation and back end.
 *
 * Shaped like QBE's IR: a function is an array of blocks in layout order;
 * a block is a flat array of instructions and one terminator.  Operands are
 * small tagged references (ir_ref_t).  All values are 64-bit integers; memory
 * operations carry their width.  There are no phis: D has no loops, and
 * values that cross blocks live in temporaries assigned on every path.
 *
 * Temporaries 0..10 ARE the BPF registers r0..r10 (IR_NPHYS); temporaries
 * from IR_NPHYS up are virtual.  Lowering may name physical registers where
 * the machine demands it (the context arrives in r1, r10 is the frame
 * pointer); instruction selection (isel.c), spilling and register allocation
 * (regalloc.c) then rewrite the same function in place until only physical
 * registers remain, and emit.c turns it into struct bpf_insn.
 *
 * The stages and their contracts, in the order dl_backend() runs them:
 *
 *   ir_fold     constant folding and algebraic simplification      (any IR)
 *   ir_dce      removes instructions whose results are unused and
 *               blocks that cannot be reached                      (any IR)
 *   ir_isel     3-address IR -> BPF-shaped 2-address IR: ARG/CALL
 *               become copies into r1..r5 and a call defining r0,
 *               64-bit constants that do not fit an imm32 go through
 *               a temporary (LDI64), signed div/mod are expanded,
 *               compare+JNZ fuse into IR_JCMP terminators, every
 *               binary op becomes "to = a; to op= b" (a[0] == to)
 *   ir_regalloc assigns r0..r9 to virtual temporaries, respecting
 *               that calls clobber r0..r5; spills to 8-byte frame
 *               slots (ir_frame_alloc) when out of registers
 *   bpf_emit    lays out blocks, resolves jumps, emits struct bpf_insn
 *               with map relocations
 *
 * ir_check() verifies the invariants of a stage (see ir_stage_t) and runs
 * after every pass in test builds and with -x irchk.  Every stage can be
 * printed (ir_print) and, for tests, parsed back (ir_parse).
 */
#ifndef DLANG_IR_H
#define DLANG_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dlang.h"

struct bpf_insn;

/* ---- operands ------------------------------------------------------------ */

typedef enum {
	IR_R_NONE = 0,	/* no operand */
	IR_R_TMP,	/* temporary: .val is its number */
	IR_R_CON,	/* constant: .val indexes fn->cons */
} ir_refkind_t;

typedef struct ir_ref {
	uint32_t kind : 2;
	uint32_t val : 30;
} ir_ref_t;

#define IR_NPHYS 11		/* r0..r10 */
#define IR_FP 10		/* r10, read-only frame pointer */
#define IR_NONE ((ir_ref_t){ IR_R_NONE, 0 })

static inline bool ir_is_none(ir_ref_t r) { return r.kind == IR_R_NONE; }
static inline bool ir_is_tmp(ir_ref_t r) { return r.kind == IR_R_TMP; }
static inline bool ir_is_con(ir_ref_t r) { return r.kind == IR_R_CON; }
static inline bool ir_is_phys(ir_ref_t r)
{
	return r.kind == IR_R_TMP && r.val < IR_NPHYS;
}
static inline bool ir_ref_eq(ir_ref_t a, ir_ref_t b)
{
	return a.kind == b.kind && a.val == b.val;
}

/* ---- opcodes: one table, see ir_ops.h ------------------------------------ */

typedef enum {
#define IR_OP(name, text, nargs, flags) IR_##name,
#include "ir_ops.h"
#undef IR_OP
	IR_NOPS
} ir_op_t;

/* Properties of each opcode, from ir_ops.h. */
enum {
	IRF_DEF = 1 << 0,	/* defines .to */
	IRF_COMM = 1 << 1,	/* commutative */
	IRF_SIDE = 1 << 2,	/* has side effects: never removed by DCE */
	IRF_LOAD = 1 << 3,	/* memory read: to = *(uN *)(a0 + off) */
	IRF_STORE = 1 << 4,	/* memory write: *(uN *)(a0 + off) = a1 */
	IRF_CMP = 1 << 5,	/* comparison producing 0 or 1 */
	IRF_BIN = 1 << 6,	/* binary ALU operation */
	IRF_ATOMIC = 1 << 7,	/* atomic memory op: *(u64 *)(a1 + off) op= a0 */
};

typedef struct ir_opinfo {
	const char *text;	/* mnemonic in the text form */
	int nargs;		/* operands used in a[] */
	unsigned flags;		/* IRF_* */
} ir_opinfo_t;

extern const ir_opinfo_t ir_opinfo[IR_NOPS];

/* Width in bytes of a load/store opcode (1, 2, 4 or 8). */
int ir_memwidth(ir_op_t op);

/* ---- instructions, blocks, functions ------------------------------------ */

typedef struct ir_ins {
	uint16_t op;		/* ir_op_t */
	int32_t off;		/* memory ops: byte offset; LDMAP: map index;
				   CALL: BPF helper id */
	ir_ref_t to;		/* result, or IR_NONE */
	ir_ref_t a[2];		/* operands */
} ir_ins_t;

typedef enum {
	IR_J_NONE,	/* not yet terminated (invalid after lowering) */
	IR_J_RET,	/* return arg[0] (r0 after isel) */
	IR_J_JMP,	/* goto s1 */
	IR_J_JNZ,	/* if (arg[0] != 0) goto s1 else goto s2 */
	IR_J_JCMP,	/* if (arg[0] <cmp> arg[1]) goto s1 else goto s2;
			   after isel only; cmp is a comparison ir_op_t */
} ir_jkind_t;

typedef struct ir_blk ir_blk_t;

typedef struct ir_jump {
	ir_jkind_t kind;
	ir_op_t cmp;		/* IR_J_JCMP: IR_CEQ, IR_CULT, ... */
	ir_ref_t arg[2];
	ir_blk_t *s1, *s2;
} ir_jump_t;

/* A set of temporaries as a sorted array: what liveness keeps per block,
   so that its size is what is live there, not the function's ntmp. */
typedef struct ir_tset {
	uint32_t *t;
	uint32_t n, cap;
} ir_tset_t;

struct ir_blk {
	const char *name;	/* label in the text form, e.g. "b3" */
	int id;			/* index in fn->blks */
	ir_ins_t *ins;
	size_t nins, cap;
	ir_jump_t jmp;
	/* analysis results, valid after the pass that computes them */
	ir_tset_t live_in, live_out;	/* temporaries live at its ends */
	int *preds;			/* predecessor block ids */
	size_t npreds;
	int32_t clause;		/* the clause it lowers, 1-based; 0 for the
				   prologue and exit (verifier reports) */
};

typedef enum {
	IR_STAGE_LOWERED,	/* 3-address, virtual temps, ARG/CALL */
	IR_STAGE_SELECTED,	/* 2-address BPF shape, virtual temps */
	IR_STAGE_ALLOCATED,	/* only physical registers r0..r10 */
} ir_stage_t;

/*
 * A sparse set over 0..max-1 (Briggs and Torczon): add, delete, test and
 * clear in constant time, members in dense[0..n) in no order.  The
 * scratch "live" set of the passes that walk a block backwards, so that a
 * block costs what is live in it, not the function's ntmp / 64 words.
 */
typedef struct ir_sset {
	uint32_t *dense, *sparse;
	uint32_t n, max;
} ir_sset_t;
void ir_sset_init(dl_arena_t *a, ir_sset_t *s, uint32_t max);
/* The function's scratch set over its ntmp temporaries, empty, for one
   pass's walk at a time (ir_liveness has its own). */
struct ir_func;
ir_sset_t *ir_func_scratch(struct ir_func *fn);
static inline bool ir_sset_has(const ir_sset_t *s, uint32_t i)
{
	return i < s->max && s->sparse[i] < s->n && s->dense[s->sparse[i]] == i;
}
static inline void ir_sset_add(ir_sset_t *s, uint32_t i)
{
	if (i < s->max && !ir_sset_has(s, i)) {
		s->sparse[i] = s->n;
		s->dense[s->n++] = i;
	}
}
static inline void ir_sset_del(ir_sset_t *s, uint32_t i)
{
	if (ir_sset_has(s, i)) {
		uint32_t last = s->dense[--s->n];
		s->dense[s->sparse[i]] = last;
		s->sparse[last] = s->sparse[i];
	}
}
static inline void ir_sset_clear(ir_sset_t *s)
{
	s->n = 0;
}
/* s = t's members */
static inline void ir_sset_load(ir_sset_t *s, const ir_tset_t *t)
{
	s->n = 0;
	for (uint32_t k = 0; k < t->n; k++)
		ir_sset_add(s, t->t[k]);
}

typedef struct ir_func {
	dl_arena_t *arena;
	const char *name;
	ir_blk_t **blks;	/* layout order; blks[0] is the entry */
	size_t nblks, blkcap;
	int64_t *cons;		/* constant pool */
	size_t ncons, concap;
	uint32_t *conidx;	/* its index: open addressing, pool index + 1 */
	size_t conidxcap;	/* (a power of two, or 0) */
	uint32_t ntmp;		/* temporaries in use (>= IR_NPHYS) */
	int32_t frame;		/* bytes of stack used below r10 (<= 512) */
	ir_stage_t stage;
	int32_t clause;		/* what new blocks appended get as their
				   clause (set while lowering) */
	/* called, if set, when ir_frame_alloc finds the frame full; it must
	   not return (lowering reports a user error) */
	void (*frame_full)(void *arg, int32_t need);
	void *frame_full_arg;
	long nextlabel;		/* no block is named "bN" with N >= this */
	ir_sset_t live_ss;	/* live.c's scratch set */
	ir_sset_t pass_ss;	/* ir_func_scratch's */
} ir_func_t;

/* ---- building (ir.c) ----------------------------------------------------- */

ir_func_t *ir_func_new(dl_arena_t *a, const char *name);
ir_blk_t *ir_blk_new(ir_func_t *fn);		/* appended to the layout */
ir_ref_t ir_tmp(ir_func_t *fn);			/* a fresh virtual temp */
ir_ref_t ir_reg(int r);				/* physical register rN */
ir_ref_t ir_con(ir_func_t *fn, int64_t v);	/* interned constant */
int64_t ir_conval(const ir_func_t *fn, ir_ref_t c);
/* Reserve size bytes of stack, 8-aligned; returns the (negative) offset
   from r10.  Aborts (internal error) past 512 bytes: callers check first
   with ir_frame_left(). */
#define IR_FRAME_MAX 512	/* the BPF stack */
int32_t ir_frame_alloc(ir_func_t *fn, int32_t size);
int32_t ir_frame_left(const ir_func_t *fn);

/* Append an instruction to b; returns it. */
ir_ins_t *ir_emit(ir_func_t *fn, ir_blk_t *b, ir_op_t op, ir_ref_t to,
		  ir_ref_t a0, ir_ref_t a1);
/* Shorthands for the common shapes. */
ir_ref_t ir_bin(ir_func_t *fn, ir_blk_t *b, ir_op_t op, ir_ref_t x, ir_ref_t y);
ir_ref_t ir_load(ir_func_t *fn, ir_blk_t *b, int width, ir_ref_t base,
		 int32_t off);
void ir_store(ir_func_t *fn, ir_blk_t *b, int width, ir_ref_t base,
	      int32_t off, ir_ref_t val);
/* A helper call: args (at most 5) are emitted as IR_ARG, then IR_CALL with
   .off = helper id; returns the result temp. */
ir_ref_t ir_call(ir_func_t *fn, ir_blk_t *b, int helper, int nargs,
		 const ir_ref_t *args);
ir_ref_t ir_ldmap(ir_func_t *fn, ir_blk_t *b, int mapidx);

void ir_jmp(ir_blk_t *b, ir_blk_t *to);
void ir_jnz(ir_blk_t *b, ir_ref_t cond, ir_blk_t *t, ir_blk_t *f);
void ir_ret(ir_blk_t *b, ir_ref_t val);

/* ---- text form (ir_text.c) ---------------------------------------------- */

/*
 * Text form, one function:
 *
 *   function clause0 stage lowered frame 16 {
 *   @b0
 *           %t11 = copy %r1
 *           %t12 = call 14                   # helper id in off
 *           %t13 = shr %t12, 32
 *           %t14 = load4 %t11, 16            # to = *(u32 *)(a0 + off)
 *           store8 %r10, -8, %t13            # *(u64 *)(a0 + off) = a1
 *           arg %t13
 *           %t15 = ldmap 0
 *           jnz %t13, @b1, @b2
 *   @b1
 *           ret 0
 *   @b2
 *           jcmp sgt %t14, 5, @b1, @b2
 *   }
 *
 * Temporaries print as %rN (physical) or %tN (virtual), constants as
 * decimal integers.  ir_parse() reads exactly what ir_print() writes.
 */
void ir_print(FILE *out, const ir_func_t *fn);
/* Parse one function; returns NULL and fills errbuf on a syntax error. */
ir_func_t *ir_parse(dl_arena_t *a, const char *text, char *errbuf,
		    size_t errsz);

/* ---- checking (ir_check.c) ---------------------------------------------- */

/* Returns 0, or -1 with a description of the first violated invariant. */
int ir_check(const ir_func_t *fn, char *errbuf, size_t errsz);

/* ---- passes -------------------------------------------------------------- */

void ir_fold(ir_func_t *fn);		/* ir_fold.c */
void ir_dce(ir_func_t *fn);		/* ir_dce.c */
void ir_isel(ir_func_t *fn);		/* isel.c */
/* Returns 0, or -1 if the function needs more than 512 bytes of stack. */
int ir_regalloc(ir_func_t *fn);		/* regalloc.c */
void ir_liveness(ir_func_t *fn);	/* live.c: fills live_in/live_out */
void ir_preds(ir_func_t *fn);		/* ir.c: fills preds */

/* ---- BPF emission and disassembly (emit.c, bpf_dis.c) -------------------- */

/* A map reference in emitted code: insns[insn] is an LD_IMM64 whose first
   half must get the fd of map number mapidx. */
typedef struct bpf_reloc {
	uint32_t insn;
	uint32_t mapidx;
} bpf_reloc_t;

typedef struct bpf_code {
	struct bpf_insn *insns;
	size_t ninsns;
	bpf_reloc_t *relocs;
	size_t nrelocs;
	int32_t *clause;	/* per instruction: its block's clause, so a
				   verifier rejection names the D clause */
	long toofar;		/* a jump past 16-bit offsets, or 0 */
	size_t cbstart;		/* where the callbacks begin (a subprogram,
				   which the kernel wants described in BTF
				   func_info), or 0: none */
} bpf_code_t;

/* Emit an allocated function (stage IR_STAGE_ALLOCATED); -1 if a jump
   does not fit BPF's 16-bit offsets (out->toofar says how far it went). */
int bpf_emit(const ir_func_t *fn, dl_arena_t *a, bpf_code_t *out);

/* Print the instructions in the kernel verifier's syntax, one per line:
   "  12: (bf) r1 = r6".  mapnames (may be NULL) names LD_IMM64 map refs. */
void bpf_disasm(FILE *out, const struct bpf_insn *insns, size_t n,
		const char *const *mapnames, size_t nmaps);

/* ---- BPF helpers: one table, see bpf_helpers.h --------------------------- */

typedef struct bpf_helper {
	int id;			/* BPF_FUNC_* */
	const char *name;	/* "ringbuf_reserve" */
	int nargs;
} bpf_helper_t;

const bpf_helper_t *bpf_helper_by_id(int id);

/* ---- the driver (backend.c) ---------------------------------------------- */

/* Run fold -> dce -> isel -> regalloc -> emit on a lowered function, with
   ir_check after every pass when check is true.  Emitted code is allocated
   from a.  Returns 0, or -1 with a message in err (stack exhausted, or a
   failed check: an internal error worth reporting). */
int dl_backend(ir_func_t *fn, dl_arena_t *a, bool check, bpf_code_t *out,
	       char *err, size_t errsz);

/* ---- back-end internals shared by the passes (ir.c, live.c, ir_fold.c) --- */

/* Bit sets over small numbers (regalloc's interference rows). */
static inline bool ir_set_has(const uint64_t *s, uint32_t i)
{
	return (s[i / 64] >> (i % 64)) & 1;
}
static inline void ir_set_add(uint64_t *s, uint32_t i)
{
	s[i / 64] |= (uint64_t)1 << (i % 64);
}
static inline void ir_set_del(uint64_t *s, uint32_t i)
{
	s[i / 64] &= ~((uint64_t)1 << (i % 64));
}

bool ir_tset_has(const ir_tset_t *s, uint32_t t);	/* binary search */

/* The temporaries an instruction or terminator reads and writes (at most
   IR_MAXREFS each).  After isel a call reads r1..rN (N from the helper
   table, 5 if unknown); in every stage it clobbers r0..r5. */
#define IR_MAXREFS 8
int ir_ins_uses(const ir_func_t *fn, const ir_ins_t *in, uint32_t *t);
int ir_ins_defs(const ir_ins_t *in, uint32_t *t);
int ir_jump_uses(const ir_jump_t *j, uint32_t *t);
int ir_succs(const ir_blk_t *b, ir_blk_t **s);	/* 0, 1 or 2 */
int ir_call_nargs(int helper);

/* Liveness into caller-provided per-block set arrays, allocated from a. */
void ir_live_compute(const ir_func_t *fn, dl_arena_t *a, ir_tset_t *in,
		     ir_tset_t *out);

/* Insert a new, unterminated block at layout position pos. */
ir_blk_t *ir_blk_insert(ir_func_t *fn, size_t pos);
/* Drop the blocks for which keep[id] is false, renumbering the rest. */
void ir_blk_compact(ir_func_t *fn, const bool *keep);

ir_op_t ir_cmp_mirror(ir_op_t cmp);	/* (a < b) == (b > a) */
ir_op_t ir_cmp_negate(ir_op_t cmp);	/* !(a < b) == (a >= b) */
bool ir_fits_imm32(int64_t v);
/* ir_fold.c: op on constants with BPF semantics (unary ops ignore b). */
int64_t ir_eval(ir_op_t op, int64_t a, int64_t b);

/* ---- dpath.c: d_path()'s walk, for lower.c ------------------------------ */

/* What the walk needs of the lowering it is part of. */
typedef struct dl_dpath_env {
	dl_ctx_t *cx;
	ir_func_t *fn;
	ir_blk_t *b;		/* code goes here; left where code goes on */
	ir_ref_t scratch;	/* this CPU's scratch value */
	void *lx;		/* the lowering's own state */
	/* the offset of size fresh bytes of scratch */
	uint32_t (*reserve)(struct dl_dpath_env *e, uint32_t size);
	/* DTrace's fault kind (about val) when cond is nonzero */
	void (*fault)(struct dl_dpath_env *e, ir_ref_t cond, uint32_t kind,
		      ir_ref_t val);
} dl_dpath_env_t;

/* d_path(path): the address of the strsize-byte string built in
   scratch. */
ir_ref_t dl_dpath_lower(dl_dpath_env_t *e, dl_loc_t loc, ir_ref_t path);

#endif /* DLANG_IR_H */
