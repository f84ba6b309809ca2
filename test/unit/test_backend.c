/*
 * test_backend.c - register allocation, emission, disassembly, and the
 * whole back end (dl_backend) proven by running what it generates.
 *
 * Generated code is run two ways:
 *   - by a small BPF interpreter in this file (no root needed): it poisons
 *     r1..r5 after every call and refuses to read a register nobody wrote
 *     or memory outside the stack, the context and the map value, which
 *     catches register allocation mistakes the way the verifier would;
 *   - by the kernel: loaded with bpf_prog_load (the verifier must accept
 *     it) and run with BPF_PROG_TEST_RUN on a raw tracepoint context
 *     (skipped when not root).
 * Randomly generated expressions over every IR operation, with interesting
 * constants (64-bit ones, INT64_MIN, -1, 0) and many values live at once
 * and across helper calls, are compiled and run both ways and compared to
 * the same expression computed in C.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ir.h"

/* ---- a small BPF interpreter --------------------------------------------- */

#define TBK_NVAL 64		/* u64 slots in the test map's value */

typedef struct tbk_vm {
	uint64_t r[11];
	bool init[11];
	_Alignas(8) uint8_t stack[512];
	uint64_t *ctx;
	size_t ctxsz;
	uint64_t mapval[TBK_NVAL];
	uint8_t maps[4];	/* what ld_imm64 of map i points at */
	char err[128];
	unsigned ncalls;
} tbk_vm_t;

static bool tbk_in(const void *p, size_t n, const void *base, size_t size)
{
	const uint8_t *x = p, *b = base;

	return x >= b && x + n <= b + size;
}

static void *tbk_mem(tbk_vm_t *vm, uint64_t addr, int16_t off, size_t n)
{
	uint8_t *p = (uint8_t *)(uintptr_t)(addr + (uint64_t)(int64_t)off);

	if (tbk_in(p, n, vm->stack, sizeof(vm->stack)) ||
	    tbk_in(p, n, vm->ctx, vm->ctxsz) ||
	    tbk_in(p, n, vm->mapval, sizeof(vm->mapval)))
		return p;
	snprintf(vm->err, sizeof(vm->err), "bad memory access %p+%d", (void *)p,
		 off);
	return NULL;
}

static uint64_t tbk_rd(tbk_vm_t *vm, int r)
{
	if (!vm->init[r] && vm->err[0] == '\0')
		snprintf(vm->err, sizeof(vm->err), "r%d !read_ok", r);
	return vm->r[r];
}

static void tbk_wr(tbk_vm_t *vm, int r, uint64_t v)
{
	if (r == 10 && vm->err[0] == '\0')
		snprintf(vm->err, sizeof(vm->err), "write to r10");
	vm->r[r] = v;
	vm->init[r] = true;
}

static uint64_t tbk_alu(int op, uint64_t a, uint64_t b)
{
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_DIV: return b ? a / b : 0;
	case BPF_MOD: return b ? a % b : a;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & 63);
	case BPF_RSH: return a >> (b & 63);
	case BPF_ARSH:
		return (int64_t)a < 0 ? ~(~a >> (b & 63)) : a >> (b & 63);
	case BPF_MOV: return b;
	case BPF_NEG: return -a;
	}
	return 0xdeadbeef;
}

static bool tbk_cond(int op, uint64_t a, uint64_t b)
{
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return (int64_t)a > (int64_t)b;
	case BPF_JSGE: return (int64_t)a >= (int64_t)b;
	case BPF_JSLT: return (int64_t)a < (int64_t)b;
	case BPF_JSLE: return (int64_t)a <= (int64_t)b;
	case BPF_JSET: return (a & b) != 0;
	}
	return false;
}

/* Helpers: map_lookup_elem finds the test value for key 0; the others
   return something fixed.  r1..r5 are garbage afterwards. */
static uint64_t tbk_helper(tbk_vm_t *vm, int id)
{
	uint64_t r1 = vm->r[1], r2 = vm->r[2], ret = 0;
	const bpf_helper_t *h = bpf_helper_by_id(id);

	vm->ncalls++;
	for (int r = 1; h != NULL && r <= h->nargs; r++)
		tbk_rd(vm, r);
	if (id == 1) {
		uint32_t *key = tbk_mem(vm, r2, 0, 4);
		if (r1 == (uintptr_t)&vm->maps[0] && key != NULL && *key == 0)
			ret = (uintptr_t)vm->mapval;
	} else if (id == 113) {		/* probe_read_kernel(dst, size, src) */
		uint32_t n = (uint32_t)r2;
		void *dst = tbk_mem(vm, r1, 0, n), *src = tbk_mem(vm, vm->r[3], 0, n);
		if (dst != NULL && src != NULL)
			memmove(dst, src, n);
	} else if (id == 7) {
		ret = 0x12345678;
	} else if (id == 14) {
		ret = (uint64_t)getpid() << 32 | 99;
	}
	for (int r = 1; r <= 5; r++) {
		vm->r[r] = 0xbad0bad0bad0bad0ULL;
		vm->init[r] = false;
	}
	return ret;
}

/* One ALU or ALU64 instruction. */
static void tbk_exec_alu(tbk_vm_t *vm, const struct bpf_insn *i)
{
	int op = BPF_OP(i->code);
	uint64_t b = BPF_SRC(i->code) == BPF_X ? tbk_rd(vm, i->src_reg)
					      : (uint64_t)(int64_t)i->imm;
	uint64_t a = op == BPF_MOV ? 0 : tbk_rd(vm, i->dst_reg);

	if (BPF_CLASS(i->code) == BPF_ALU) {
		if (op != BPF_MOV) {
			snprintf(vm->err, sizeof(vm->err), "alu32 op %#x",
				 i->code);
			return;
		}
		b = (uint32_t)b;
	}
	tbk_wr(vm, i->dst_reg, tbk_alu(op, a, b));
}

static void tbk_exec_mem(tbk_vm_t *vm, const struct bpf_insn *i)
{
	static const size_t sizes[4] = { 4, 2, 1, 8 };
	size_t n = sizes[BPF_SIZE(i->code) >> 3];
	uint64_t v = 0;
	void *p;

	if (BPF_CLASS(i->code) == BPF_LDX) {
		if ((p = tbk_mem(vm, tbk_rd(vm, i->src_reg), i->off, n)) != NULL)
			memcpy(&v, p, n);	/* little endian */
		tbk_wr(vm, i->dst_reg, v);
		return;
	}
	v = BPF_CLASS(i->code) == BPF_STX ? tbk_rd(vm, i->src_reg)
					  : (uint64_t)(int64_t)i->imm;
	p = tbk_mem(vm, tbk_rd(vm, i->dst_reg), i->off, n);
	if (BPF_MODE(i->code) == BPF_ATOMIC && i->imm == BPF_ADD && n == 8) {
		uint64_t cur = 0;
		if (p != NULL)
			memcpy(&cur, p, n);
		v += cur;
	} else if (BPF_MODE(i->code) == BPF_ATOMIC) {	/* BPF_XCHG */
		uint64_t old = 0;
		if (i->imm != BPF_XCHG || n != 8) {
			snprintf(vm->err, sizeof(vm->err), "atomic %#x",
				 (unsigned)i->imm);
			return;
		}
		if (p != NULL)
			memcpy(&old, p, n);
		tbk_wr(vm, i->src_reg, old);
	}
	if (p != NULL)
		memcpy(p, &v, n);
}

/* A jump instruction; returns the new pc, or -1 at exit. */
static long tbk_exec_jmp(tbk_vm_t *vm, const struct bpf_insn *i, long pc)
{
	int op = BPF_OP(i->code);
	uint64_t b;

	if (op == BPF_EXIT)
		return -1;
	if (op == BPF_CALL) {
		tbk_wr(vm, 0, tbk_helper(vm, i->imm));
		return pc + 1;
	}
	if (op == BPF_JA)
		return pc + 1 + i->off;
	b = BPF_SRC(i->code) == BPF_X ? tbk_rd(vm, i->src_reg)
				      : (uint64_t)(int64_t)i->imm;
	if (tbk_cond(op, tbk_rd(vm, i->dst_reg), b))
		return pc + 1 + i->off;
	return pc + 1;
}

/* Run code on ctx; returns r0, or sets vm->err. */
static uint64_t tbk_run(tbk_vm_t *vm, const bpf_code_t *code, uint64_t *ctx,
			size_t ctxsz)
{
	long pc = 0;

	memset(vm->init, 0, sizeof(vm->init));
	vm->err[0] = '\0';
	vm->ctx = ctx;
	vm->ctxsz = ctxsz;
	tbk_wr(vm, 1, (uintptr_t)ctx);
	vm->r[10] = (uintptr_t)(vm->stack + sizeof(vm->stack));
	vm->init[10] = true;
	for (long steps = 0; steps < 100000 && vm->err[0] == '\0'; steps++) {
		const struct bpf_insn *i;
		if (pc < 0 || (size_t)pc >= code->ninsns) {
			snprintf(vm->err, sizeof(vm->err), "pc %ld out", pc);
			break;
		}
		i = &code->insns[pc];
		switch (BPF_CLASS(i->code)) {
		case BPF_ALU: case BPF_ALU64:
			tbk_exec_alu(vm, i);
			pc++;
			break;
		case BPF_LDX: case BPF_ST: case BPF_STX:
			tbk_exec_mem(vm, i);
			pc++;
			break;
		case BPF_LD: {
			uint64_t v = (uint32_t)i->imm |
				     (uint64_t)(uint32_t)i[1].imm << 32;
			if (i->src_reg == BPF_PSEUDO_MAP_FD)
				v = (uintptr_t)&vm->maps[i->imm & 3];
			tbk_wr(vm, i->dst_reg, v);
			pc += 2;
			break;
		}
		case BPF_JMP:
			pc = tbk_exec_jmp(vm, i, pc);
			if (pc < 0)
				return tbk_rd(vm, 0);
			break;
		default:
			snprintf(vm->err, sizeof(vm->err), "insn %#x", i->code);
		}
	}
	if (vm->err[0] == '\0')
		snprintf(vm->err, sizeof(vm->err), "no exit");
	return 0;
}

/* ---- compiling ----------------------------------------------------------- */

static char *tbk_print_ir(const ir_func_t *fn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ir_print(f, fn);
	fclose(f);
	return buf;
}

static char *tbk_disasm(const bpf_code_t *code)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	bpf_disasm(f, code->insns, code->ninsns, NULL, 0);
	fclose(f);
	return buf;
}

/* dl_backend with checks; fails the test on an error. */
static void tbk_compile(ir_func_t *fn, bpf_code_t *code)
{
	char err[512];

	cr_assert_eq(dl_backend(fn, fn->arena, true, code, err, sizeof(err)), 0,
		     "%s", err);
}

/* ---- the kernel ----------------------------------------------------------- */

static bool tbk_root(void)
{
	return geteuid() == 0;
}

/* Load code as a raw tracepoint program with map fds patched in. */
static int tbk_load(const bpf_code_t *code, const int *fds)
{
	static char log[1 << 20];
	size_t n = code->ninsns;
	struct bpf_insn *insns = malloc(n * sizeof(*insns));
	int fd;

	memcpy(insns, code->insns, n * sizeof(*insns));
	for (size_t i = 0; i < code->nrelocs; i++)
		insns[code->relocs[i].insn].imm = fds[code->relocs[i].mapidx];
	fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "tbk", "GPL", insns,
			   n, NULL);
	if (fd < 0) {
		LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log,
			    .log_size = sizeof(log), .log_level = 1);
		log[0] = '\0';
		fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "tbk", "GPL",
				   insns, n, &o);
		if (fd < 0) {
			size_t len = strlen(log);
			char *dis = tbk_disasm(code);
			cr_log_error("%s\nverifier:\n%s", dis,
				     len > 6000 ? log + len - 6000 : log);
			free(dis);
		}
	}
	free(insns);
	return fd;
}

static uint64_t tbk_test_run(int fd, uint64_t *ctx, size_t ctxsz)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = ctx, .ctx_size_in = ctxsz);

	cr_assert_eq(bpf_prog_test_run_opts(fd, &t), 0, "test run: %s",
		     strerror(errno));
	return t.retval;
}

static int tbk_array_map(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tbk_vals", 4,
				TBK_NVAL * 8, 1, NULL);

	cr_assert_geq(fd, 0, "map create: %s", strerror(errno));
	return fd;
}

/* ---- random expressions and their value in C ------------------------------ */

typedef struct tbk_expr {
	int kind;		/* 0 argument, 1 constant, 2 unary, 3 binary */
	ir_op_t op;
	int arg;		/* kind 0: ctx argument 0..5 */
	int64_t con;		/* kind 1 */
	struct tbk_expr *l, *r;
} tbk_expr_t;

static const ir_op_t tbk_binops[] = {
	IR_ADD, IR_SUB, IR_MUL, IR_UDIV, IR_UREM, IR_SDIV, IR_SREM, IR_AND,
	IR_OR, IR_XOR, IR_SHL, IR_SHR, IR_SAR, IR_CEQ, IR_CNE, IR_CULT,
	IR_CULE, IR_CUGT, IR_CUGE, IR_CSLT, IR_CSLE, IR_CSGT, IR_CSGE,
};
static const ir_op_t tbk_unops[] = {
	IR_NEG, IR_SEXT8, IR_SEXT16, IR_SEXT32, IR_ZEXT8, IR_ZEXT16,
	IR_ZEXT32, IR_COPY,
};
static const int64_t tbk_consts[] = {
	0, 1, -1, 2, 3, 7, -7, 63, 64, 255, 0x7fffffff, -0x80000000LL,
	0x80000000LL, 0xffffffffLL, 0x100000000LL, 0x123456789abcdefLL,
	INT64_MAX, INT64_MIN, -0x80000001LL,
};
#define TBK_NCONSTS (sizeof(tbk_consts) / sizeof(tbk_consts[0]))

static uint64_t tbk_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int64_t tbk_value(uint64_t *s)
{
	uint64_t r = tbk_rand(s);

	if (r % 3 == 0)
		return (int64_t)tbk_rand(s);
	if (r % 3 == 1)
		return (int64_t)(tbk_rand(s) % 41) - 20;
	return tbk_consts[tbk_rand(s) % TBK_NCONSTS];
}

static tbk_expr_t *tbk_leaf(dl_arena_t *a, int kind, int arg, int64_t con)
{
	tbk_expr_t *e = dl_alloc(a, sizeof(*e));

	e->kind = kind;
	e->arg = arg;
	e->con = con;
	return e;
}

static tbk_expr_t *tbk_node(dl_arena_t *a, ir_op_t op, tbk_expr_t *l,
			    tbk_expr_t *r)
{
	tbk_expr_t *e = dl_alloc(a, sizeof(*e));

	e->kind = r != NULL ? 3 : 2;
	e->op = op;
	e->l = l;
	e->r = r;
	return e;
}

static tbk_expr_t *tbk_gen(dl_arena_t *a, uint64_t *s, int depth)
{
	uint64_t r = tbk_rand(s);

	if (depth == 0 || r % 5 == 0)
		return r % 3 == 0 ? tbk_leaf(a, 1, 0, tbk_value(s))
				  : tbk_leaf(a, 0, (int)(tbk_rand(s) % 6), 0);
	if (r % 4 == 1)
		return tbk_node(a, tbk_unops[tbk_rand(s) % 8],
				tbk_gen(a, s, depth - 1), NULL);
	return tbk_node(a, tbk_binops[tbk_rand(s) % 23],
			tbk_gen(a, s, depth - 1), tbk_gen(a, s, depth - 1));
}

/* C's own arithmetic with BPF's rules for division by 0 and shifts;
   written independently of ir_eval. */
static int64_t tbk_c(ir_op_t op, int64_t a, int64_t b)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

	switch (op) {
	case IR_ADD: return (int64_t)(ua + ub);
	case IR_SUB: return (int64_t)(ua - ub);
	case IR_MUL: return (int64_t)(ua * ub);
	case IR_UDIV: return ub == 0 ? 0 : (int64_t)(ua / ub);
	case IR_UREM: return ub == 0 ? a : (int64_t)(ua % ub);
	case IR_SDIV:
		if (b == 0)
			return 0;
		return a == INT64_MIN && b == -1 ? INT64_MIN : a / b;
	case IR_SREM:
		if (b == 0)
			return a;
		return b == -1 ? 0 : a % b;
	case IR_AND: return a & b;
	case IR_OR: return a | b;
	case IR_XOR: return a ^ b;
	case IR_SHL: return (int64_t)(ua << (b & 63));
	case IR_SHR: return (int64_t)(ua >> (b & 63));
	case IR_SAR: return a >> (b & 63);	/* gcc: arithmetic */
	case IR_CEQ: return a == b;
	case IR_CNE: return a != b;
	case IR_CULT: return ua < ub;
	case IR_CULE: return ua <= ub;
	case IR_CUGT: return ua > ub;
	case IR_CUGE: return ua >= ub;
	case IR_CSLT: return a < b;
	case IR_CSLE: return a <= b;
	case IR_CSGT: return a > b;
	case IR_CSGE: return a >= b;
	case IR_NEG: return (int64_t)(0 - ua);
	case IR_SEXT8: return (int8_t)a;
	case IR_SEXT16: return (int16_t)a;
	case IR_SEXT32: return (int32_t)a;
	case IR_ZEXT8: return (uint8_t)a;
	case IR_ZEXT16: return (uint16_t)a;
	case IR_ZEXT32: return (uint32_t)a;
	case IR_COPY: return a;
	default: cr_assert_fail("no C for op %d", op);
	}
	return 0;
}

static int64_t tbk_eval(const tbk_expr_t *e, const uint64_t *x)
{
	if (e->kind == 0)
		return (int64_t)x[e->arg];
	if (e->kind == 1)
		return e->con;
	return tbk_c(e->op, tbk_eval(e->l, x),
		     e->kind == 3 ? tbk_eval(e->r, x) : 0);
}

static void tbk_str(const tbk_expr_t *e, char *buf, size_t sz)
{
	size_t n = strlen(buf);

	if (n + 32 >= sz)
		return;
	if (e->kind == 0) {
		snprintf(buf + n, sz - n, "x%d", e->arg);
	} else if (e->kind == 1) {
		snprintf(buf + n, sz - n, "%lld", (long long)e->con);
	} else {
		snprintf(buf + n, sz - n, "%s(", ir_opinfo[e->op].text);
		tbk_str(e->l, buf, sz);
		if (e->kind == 3) {
			strncat(buf, ", ", sz - strlen(buf) - 1);
			tbk_str(e->r, buf, sz);
		}
		strncat(buf, ")", sz - strlen(buf) - 1);
	}
}

static ir_ref_t tbk_lower(ir_func_t *fn, ir_blk_t *b, const ir_ref_t *x,
			  const tbk_expr_t *e)
{
	ir_ref_t l, t;

	if (e->kind == 0)
		return x[e->arg];
	if (e->kind == 1)
		return ir_con(fn, e->con);
	l = tbk_lower(fn, b, x, e->l);
	if (e->kind == 3)
		return ir_bin(fn, b, e->op, l, tbk_lower(fn, b, x, e->r));
	t = ir_tmp(fn);
	ir_emit(fn, b, e->op, t, l, IR_NONE);
	return t;
}

/* ---- batches of expressions, run both ways -------------------------------- */

/*
 * The program: load x0..x5 from the context, compute every expression
 * (optionally with a helper call after every callevery of them, so that
 * earlier results live across calls), look up key 0 of the array map and
 * store result j at offset 8*j of its value.  All results are live until
 * the stores: with dozens of expressions that is far more than 10
 * registers, and across calls only r6..r9 survive.
 */
/* A round trip through a helper with arguments: store r at fp-8,
   probe_read_kernel(fp-16, 8, fp-8), load fp-16. */
static ir_ref_t tbk_through_helper(ir_func_t *fn, ir_blk_t *b, ir_ref_t r)
{
	ir_ref_t args[3];

	ir_store(fn, b, 8, ir_reg(IR_FP), -8, r);
	args[0] = ir_bin(fn, b, IR_ADD, ir_reg(IR_FP), ir_con(fn, -16));
	args[1] = ir_con(fn, 8);
	args[2] = ir_bin(fn, b, IR_ADD, ir_reg(IR_FP), ir_con(fn, -8));
	ir_call(fn, b, 113, 3, args);
	return ir_load(fn, b, 8, ir_reg(IR_FP), -16);
}

/* callevery < 0: every result goes through tbk_through_helper. */
static ir_func_t *tbk_build(dl_arena_t *a, tbk_expr_t **ex, int n,
			    int callevery)
{
	ir_func_t *fn = ir_func_new(a, "batch");
	ir_blk_t *b = ir_blk_new(fn), *ok, *out;
	ir_ref_t ctx = ir_tmp(fn), x[6], res[TBK_NVAL], args[2], v;
	int32_t key;

	if (callevery < 0)
		ir_frame_alloc(fn, 16);
	ir_emit(fn, b, IR_COPY, ctx, ir_reg(1), IR_NONE);
	for (int i = 0; i < 6; i++)
		x[i] = ir_load(fn, b, 8, ctx, 8 * i);
	for (int j = 0; j < n; j++) {
		res[j] = tbk_lower(fn, b, x, ex[j]);
		if (callevery < 0)
			res[j] = tbk_through_helper(fn, b, res[j]);
		if (callevery > 0 && j % callevery == callevery - 1)
			ir_call(fn, b, 7, 0, NULL);
	}
	key = ir_frame_alloc(fn, 8);
	ir_store(fn, b, 4, ir_reg(IR_FP), key, ir_con(fn, 0));
	args[0] = ir_ldmap(fn, b, 0);
	args[1] = ir_bin(fn, b, IR_ADD, ir_reg(IR_FP), ir_con(fn, key));
	v = ir_call(fn, b, 1, 2, args);
	ok = ir_blk_new(fn);
	out = ir_blk_new(fn);
	ir_jnz(b, v, ok, out);
	for (int j = 0; j < n; j++)
		ir_store(fn, ok, 8, v, 8 * j, res[j]);
	ir_jmp(ok, out);
	ir_ret(out, ir_con(fn, 0));
	return fn;
}

static void tbk_mismatch(const tbk_expr_t *e, const uint64_t *x, int64_t got,
			 int64_t want, const char *where)
{
	char s[1024] = "";

	tbk_str(e, s, sizeof(s));
	cr_assert_fail("%s: %s with x = %lld %lld %lld %lld %lld %lld: got %lld "
		       "(%#llx), want %lld (%#llx)", where, s,
		       (long long)x[0], (long long)x[1], (long long)x[2],
		       (long long)x[3], (long long)x[4], (long long)x[5],
		       (long long)got, (unsigned long long)got,
		       (long long)want, (unsigned long long)want);
}

static void tbk_check_vm(const bpf_code_t *code, tbk_expr_t **ex, int n,
			 uint64_t *x)
{
	tbk_vm_t vm;

	memset(&vm, 0, sizeof(vm));
	memset(vm.mapval, 0xaa, sizeof(vm.mapval));
	tbk_run(&vm, code, x, 6 * 8);
	if (vm.err[0] != '\0') {
		char *dis = tbk_disasm(code);
		cr_log_error("%s", dis);
		free(dis);
		cr_assert_fail("interpreter: %s", vm.err);
	}
	for (int j = 0; j < n; j++) {
		int64_t want = tbk_eval(ex[j], x);
		if ((int64_t)vm.mapval[j] != want)
			tbk_mismatch(ex[j], x, (int64_t)vm.mapval[j], want,
				     "interpreter");
	}
}

static void tbk_check_kernel(int pfd, int mapfd, tbk_expr_t **ex, int n,
			     uint64_t *x)
{
	uint64_t vals[TBK_NVAL];
	uint32_t key = 0;

	memset(vals, 0xaa, sizeof(vals));
	cr_assert_eq(bpf_map_update_elem(mapfd, &key, vals, BPF_ANY), 0);
	cr_assert_eq(tbk_test_run(pfd, x, 6 * 8), 0);
	cr_assert_eq(bpf_map_lookup_elem(mapfd, &key, vals), 0);
	for (int j = 0; j < n; j++) {
		int64_t want = tbk_eval(ex[j], x);
		if ((int64_t)vals[j] != want)
			tbk_mismatch(ex[j], x, (int64_t)vals[j], want, "kernel");
	}
}

/* Compile a batch, then run it on every input, in the interpreter and
   (as root) in the kernel.  Returns the frame size it needed. */
static int32_t tbk_batch(tbk_expr_t **ex, int n, int callevery,
			 uint64_t (*inputs)[6], int ninputs)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = tbk_build(a, ex, n, callevery);
	bpf_code_t code;
	int mapfd = -1, pfd = -1;
	int32_t frame;

	tbk_compile(fn, &code);
	frame = fn->frame;
	if (tbk_root()) {
		mapfd = tbk_array_map();
		pfd = tbk_load(&code, &mapfd);
		cr_assert_geq(pfd, 0, "the verifier rejected the program");
	}
	for (int k = 0; k < ninputs; k++) {
		tbk_check_vm(&code, ex, n, inputs[k]);
		if (pfd >= 0)
			tbk_check_kernel(pfd, mapfd, ex, n, inputs[k]);
	}
	if (pfd >= 0) {
		close(pfd);
		close(mapfd);
	}
	dl_arena_destroy(a);
	return frame;
}

static const int64_t tbk_inputs1[] = {
	0, 1, -1, 2, -2, 7, -7, 63, 64, 0x7fffffff, 0x80000000LL,
	0xffffffffLL, INT64_MAX, INT64_MIN, 0x123456789abcdefLL,
};
#define TBK_NINPUTS1 (sizeof(tbk_inputs1) / sizeof(tbk_inputs1[0]))

static tbk_expr_t *tbk_scalarize(dl_arena_t *a, tbk_expr_t *x)
{
	tbk_expr_t *five = tbk_leaf(a, 1, 0, 5);

	return tbk_node(a, IR_XOR, tbk_node(a, IR_XOR, x, five), five);
}

/* Every binary operation with register and constant operands, on every
   pair of interesting inputs; comparisons both branchy and branch-free. */
Test(backend, every_binary_op_edge_cases)
{
	static uint64_t in[TBK_NINPUTS1 * TBK_NINPUTS1][6];
	dl_arena_t *a = dl_arena_create();
	int nin = 0;

	for (size_t i = 0; i < TBK_NINPUTS1; i++)
		for (size_t k = 0; k < TBK_NINPUTS1; k++, nin++) {
			memset(in[nin], 0, sizeof(in[nin]));
			in[nin][0] = (uint64_t)tbk_inputs1[i];
			in[nin][1] = (uint64_t)tbk_inputs1[k];
		}
	for (size_t o = 0; o < 2 * sizeof(tbk_binops) / sizeof(tbk_binops[0]);
	     o++) {
		tbk_expr_t *ex[TBK_NVAL];
		tbk_expr_t *x0 = tbk_leaf(a, 0, 0, 0), *x1 = tbk_leaf(a, 0, 1, 0);
		ir_op_t op = tbk_binops[o / 2];
		int n = 0;
		if (o % 2 == 1) {
			/* (x ^ 5) ^ 5: the same value, but one isel knows is
			   no pointer, so comparisons of it are branch-free */
			x0 = tbk_scalarize(a, x0);
			x1 = tbk_scalarize(a, x1);
		}
		ex[n++] = tbk_node(a, op, x0, x1);
		ex[n++] = tbk_node(a, op, x1, x0);
		ex[n++] = tbk_node(a, op, x0, x0);
		for (size_t c = 0; c < TBK_NCONSTS; c++) {
			tbk_expr_t *k = tbk_leaf(a, 1, 0, tbk_consts[c]);
			ex[n++] = tbk_node(a, op, x0, k);
			ex[n++] = tbk_node(a, op, k, x1);
		}
		tbk_batch(ex, n, 0, in, nin);
	}
	dl_arena_destroy(a);
}

Test(backend, every_unary_op_edge_cases)
{
	static uint64_t in[TBK_NINPUTS1][6];
	dl_arena_t *a = dl_arena_create();
	tbk_expr_t *ex[TBK_NVAL];
	int n = 0;

	for (size_t i = 0; i < TBK_NINPUTS1; i++) {
		memset(in[i], 0, sizeof(in[i]));
		in[i][0] = (uint64_t)tbk_inputs1[i];
		in[i][1] = (uint64_t)tbk_inputs1[TBK_NINPUTS1 - 1 - i];
	}
	for (size_t o = 0; o < sizeof(tbk_unops) / sizeof(tbk_unops[0]); o++) {
		ex[n++] = tbk_node(a, tbk_unops[o], tbk_leaf(a, 0, 0, 0), NULL);
		ex[n++] = tbk_node(a, tbk_unops[o], tbk_leaf(a, 0, 1, 0), NULL);
		ex[n++] = tbk_node(a, tbk_unops[o],
				   tbk_leaf(a, 1, 0, 0x8081828384858687LL), NULL);
	}
	tbk_batch(ex, n, 0, in, (int)TBK_NINPUTS1);
	dl_arena_destroy(a);
}

/* Random expression trees: folding, selection and allocation together. */
Test(backend, random_expressions)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL, in[8][6];
	dl_arena_t *a = dl_arena_create();

	for (int prog = 0; prog < 60; prog++) {
		tbk_expr_t *ex[TBK_NVAL];
		int n = 8 + (int)(tbk_rand(&seed) % 32);
		int callevery = (int)(tbk_rand(&seed) % 5);
		for (int j = 0; j < n; j++)
			ex[j] = tbk_gen(a, &seed, 1 + (int)(tbk_rand(&seed) % 4));
		for (int k = 0; k < 8; k++)
			for (int i = 0; i < 6; i++)
				in[k][i] = (uint64_t)tbk_value(&seed);
		tbk_batch(ex, n, callevery, in, 8);
	}
	dl_arena_destroy(a);
}

/* Results through a helper call with arguments, each. */
Test(backend, random_expressions_through_helpers)
{
	uint64_t seed = 0x2545f4914f6cdd1dULL, in[4][6];
	dl_arena_t *a = dl_arena_create();

	for (int prog = 0; prog < 10; prog++) {
		tbk_expr_t *ex[TBK_NVAL];
		int n = 4 + (int)(tbk_rand(&seed) % 24);
		for (int j = 0; j < n; j++)
			ex[j] = tbk_gen(a, &seed, 1 + (int)(tbk_rand(&seed) % 3));
		for (int k = 0; k < 4; k++)
			for (int i = 0; i < 6; i++)
				in[k][i] = (uint64_t)tbk_value(&seed);
		tbk_batch(ex, n, -1, in, 4);
	}
	dl_arena_destroy(a);
}

/* 48 results, all live at once and across a helper call after each one:
   only r6..r9 survive calls, so most of them live on the stack. */
Test(backend, pressure_across_calls)
{
	uint64_t seed = 42, in[4][6];
	dl_arena_t *a = dl_arena_create();
	tbk_expr_t *ex[48];
	int32_t frame;

	for (int j = 0; j < 48; j++)
		ex[j] = tbk_node(a, tbk_binops[j % 13],
				 tbk_leaf(a, 0, j % 6, 0),
				 tbk_node(a, IR_ADD, tbk_leaf(a, 0, (j + 1) % 6, 0),
					  tbk_leaf(a, 1, 0, j)));
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 6; i++)
			in[k][i] = (uint64_t)tbk_value(&seed);
	frame = tbk_batch(ex, 48, 1, in, 4);
	cr_expect_gt(frame, 8 * 30, "frame %d: results were not spilled", frame);
	frame = tbk_batch(ex, 48, 0, in, 4);
	cr_expect_gt(frame, 8 * 30, "frame %d", frame);
	dl_arena_destroy(a);
}

/* ---- the ring buffer program of the design brief --------------------------- */

static int tbk_rb_cb(void *ctx, void *data, size_t size)
{
	if (size == 16)
		memcpy(ctx, data, 16);
	return 0;
}

/* pid_tgid = get_current_pid_tgid(); if (tgid != 0) { store tgid and pid
   on the stack; ringbuf_output(map, fp-16, 16, 0); } return 0 */
static ir_func_t *tbk_build_ringbuf(dl_arena_t *a)
{
	ir_func_t *fn = ir_func_new(a, "rb");
	ir_blk_t *b0 = ir_blk_new(fn), *b1 = ir_blk_new(fn), *b2 = ir_blk_new(fn);
	ir_ref_t ctx = ir_tmp(fn), id, tgid, pid, args[4];
	int32_t buf;

	ir_emit(fn, b0, IR_COPY, ctx, ir_reg(1), IR_NONE);
	id = ir_call(fn, b0, 14, 0, NULL);
	tgid = ir_bin(fn, b0, IR_SHR, id, ir_con(fn, 32));
	pid = ir_tmp(fn);
	ir_emit(fn, b0, IR_ZEXT32, pid, id, IR_NONE);
	ir_jnz(b0, ir_bin(fn, b0, IR_CNE, tgid, ir_con(fn, 0)), b1, b2);
	buf = ir_frame_alloc(fn, 16);
	ir_store(fn, b1, 8, ir_reg(IR_FP), buf, tgid);
	ir_store(fn, b1, 8, ir_reg(IR_FP), buf + 8, pid);
	args[0] = ir_ldmap(fn, b1, 0);
	args[1] = ir_bin(fn, b1, IR_ADD, ir_reg(IR_FP), ir_con(fn, buf));
	args[2] = ir_con(fn, 16);
	args[3] = ir_con(fn, 0);
	ir_call(fn, b1, 130, 4, args);
	ir_jmp(b1, b2);
	ir_ret(b2, ir_con(fn, 0));
	return fn;
}

Test(backend, ringbuf_program_loads_and_runs)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = tbk_build_ringbuf(a);
	bpf_code_t code;
	uint64_t got[2] = { 0, 0 }, ctx[1] = { 0 };
	int mapfd, pfd;
	struct ring_buffer *rb;

	tbk_compile(fn, &code);
	cr_assert_eq(code.nrelocs, 1);
	cr_assert_eq(code.insns[code.relocs[0].insn].code,
		     BPF_LD | BPF_DW | BPF_IMM);
	if (!tbk_root()) {
		dl_arena_destroy(a);
		cr_skip_test("not root");
	}
	mapfd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tbk_rb", 0, 0, 4096, NULL);
	cr_assert_geq(mapfd, 0, "ringbuf: %s", strerror(errno));
	pfd = tbk_load(&code, &mapfd);
	cr_assert_geq(pfd, 0, "the verifier rejected the program");
	cr_assert_eq(tbk_test_run(pfd, ctx, sizeof(ctx)), 0);
	rb = ring_buffer__new(mapfd, tbk_rb_cb, got, NULL);
	cr_assert_not_null(rb);
	cr_assert_eq(ring_buffer__consume(rb), 1);
	cr_expect_eq(got[0], (uint64_t)getpid());
	cr_expect_eq(got[1], (uint64_t)gettid());
	ring_buffer__free(rb);
	close(pfd);
	close(mapfd);
	dl_arena_destroy(a);
}

/* The same code is accepted as a perf tracepoint program. */
Test(backend, ringbuf_program_loads_as_tracepoint)
{
	dl_arena_t *a = dl_arena_create();
	bpf_code_t code;
	int mapfd, pfd;

	tbk_compile(tbk_build_ringbuf(a), &code);
	if (!tbk_root()) {
		dl_arena_destroy(a);
		cr_skip_test("not root");
	}
	mapfd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tbk_rb", 0, 0, 4096, NULL);
	cr_assert_geq(mapfd, 0);
	for (size_t i = 0; i < code.nrelocs; i++)
		code.insns[code.relocs[i].insn].imm = mapfd;
	pfd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "tbk", "GPL", code.insns,
			    code.ninsns, NULL);
	cr_assert_geq(pfd, 0, "load: %s", strerror(errno));
	close(pfd);
	close(mapfd);
	dl_arena_destroy(a);
}

Test(backend, ringbuf_program_disassembly)
{
	dl_arena_t *a = dl_arena_create();
	bpf_code_t code;
	char *dis;

	tbk_compile(tbk_build_ringbuf(a), &code);
	dis = tbk_disasm(&code);
	cr_expect_str_eq(dis,
		"   0: (85) call bpf_get_current_pid_tgid#14\n"
		"   1: (bf) r1 = r0\n"
		"   2: (77) r1 >>= 32\n"
		"   3: (bc) w0 = w0\n"
		"   4: (15) if r1 == 0x0 goto pc+9\n"
		"   5: (7b) *(u64 *)(r10 -16) = r1\n"
		"   6: (7b) *(u64 *)(r10 -8) = r0\n"
		"   7: (18) r1 = map[id:0]\n"
		"   9: (bf) r2 = r10\n"
		"  10: (07) r2 += -16\n"
		"  11: (b7) r3 = 16\n"
		"  12: (b7) r4 = 0\n"
		"  13: (85) call bpf_ringbuf_output#130\n"
		"  14: (b7) r0 = 0\n"
		"  15: (95) exit\n", "%s", dis);
	free(dis);
	dl_arena_destroy(a);
}

/* ---- limits and errors ------------------------------------------------------ */

Test(backend, stack_exhaustion_is_reported)
{
	dl_arena_t *a = dl_arena_create();
	tbk_expr_t *ex[40];
	ir_func_t *fn;
	bpf_code_t code;
	char err[256];

	for (int j = 0; j < 40; j++)
		ex[j] = tbk_node(a, IR_MUL, tbk_leaf(a, 0, j % 6, 0),
				 tbk_leaf(a, 1, 0, j + 3));
	fn = tbk_build(a, ex, 40, 1);
	fn->frame = 504;	/* the program's own data left 8 bytes */
	cr_assert_eq(dl_backend(fn, a, true, &code, err, sizeof(err)), -1);
	cr_expect(strstr(err, "limit is 512") != NULL, "%s", err);
	dl_arena_destroy(a);
}

Test(backend, bad_input_is_reported)
{
	dl_arena_t *a = dl_arena_create();
	char err[256];
	bpf_code_t code;
	ir_func_t *fn = ir_parse(a, "function g stage lowered frame 0 {\n"
				 "@b0\n\t%t11 = add %t12, 1\n\tret %t11\n}\n",
				 err, sizeof(err));

	cr_assert_not_null(fn);
	cr_assert_eq(dl_backend(fn, a, true, &code, err, sizeof(err)), -1);
	cr_expect(strstr(err, "g: bad IR on input: %t12 may be read") != NULL,
		  "%s", err);
	dl_arena_destroy(a);
}

/* A branch over 40000 instructions does not fit BPF's 16-bit offsets:
   an error (a D_LIMIT for the user), not an abort. */
Test(backend, far_jump_is_reported)
{
	dl_arena_t *a = dl_arena_create();
	char err[256], *text = NULL;
	size_t len = 0;
	bpf_code_t code;
	FILE *f = open_memstream(&text, &len);

	fprintf(f, "function far stage lowered frame 0 {\n@b0\n"
		"\t%%t11 = load8 %%r1, 0\n\tjnz %%t11, @b1, @b2\n@b1\n");
	for (int i = 0; i < 40000; i++)
		fprintf(f, "\t%%t11 = add %%t11, %d\n", i + 1);
	fprintf(f, "\tret %%t11\n@b2\n\tret 0\n}\n");
	fclose(f);
	ir_func_t *fn = ir_parse(a, text, err, sizeof(err));
	cr_assert_not_null(fn, "%s", err);
	cr_assert_eq(dl_backend(fn, a, false, &code, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "program far is too large: a jump of 40001 "
			 "instructions does not fit (limit is 32767)");
	free(text);
	dl_arena_destroy(a);
}

/* ---- emission and disassembly ----------------------------------------------- */

static char *tbk_emit_text(const char *ir, const char *const *names,
			   size_t nnames, bpf_code_t *code, dl_arena_t *a)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	ir_func_t *fn = ir_parse(a, ir, err, sizeof(err));
	FILE *f;

	cr_assert_not_null(fn, "%s", err);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "%s", err);
	bpf_emit(fn, a, code);
	f = open_memstream(&buf, &len);
	bpf_disasm(f, code->insns, code->ninsns, names, nnames);
	fclose(f);
	return buf;
}

/* Fallthrough elision, negated branches, branch + goto, backward jumps,
   ld_imm64 and map relocations. */
Test(backend, emit_layout_and_jumps)
{
	static const char *const names[] = { "a", "b", "c", "d", "e", "events" };
	dl_arena_t *a = dl_arena_create();
	bpf_code_t code;
	char *dis = tbk_emit_text("function j stage allocated frame 0 {\n"
		"@b0\n\t%r0 = load8 %r1, 0\n\tjcmp ult %r0, 5, @b1, @b2\n"
		"@b1\n\tjcmp sgt %r0, %r1, @b3, @b2\n"
		"@b2\n\tjnz %r0, @b3, @b4\n"
		"@b3\n\tjcmp eq %r0, -1, @b4, @b5\n"
		"@b4\n\tjcmp sle %r0, 3, @b6, @b7\n"
		"@b5\n\tjmp @b6\n"
		"@b6\n\t%r0 = copy 1\n\tjmp @b8\n"
		"@b7\n\t%r0 = ldi64 -81985529216486896\n\t%r2 = ldmap 5\n"
		"\tret %r0\n"
		"@b8\n\tjnz %r0, @b7, @b9\n"
		"@b9\n\tret %r0\n"
		"}\n", names, 6, &code, a);

	cr_expect_str_eq(dis,
		"   0: (79) r0 = *(u64 *)(r1 +0)\n"
		"   1: (35) if r0 >= 0x5 goto pc+1\n"
		"   2: (6d) if r0 s> r1 goto pc+1\n"
		"   3: (15) if r0 == 0x0 goto pc+1\n"
		"   4: (55) if r0 != 0xffffffff goto pc+2\n"
		"   5: (d5) if r0 s<= 0x3 goto pc+1\n"
		"   6: (05) goto pc+2\n"
		"   7: (b7) r0 = 1\n"
		"   8: (05) goto pc+5\n"
		"   9: (18) r0 = 0xfedcba9876543210\n"
		"  11: (18) r2 = map[events]\n"
		"  13: (95) exit\n"
		"  14: (55) if r0 != 0x0 goto pc-6\n"
		"  15: (95) exit\n", "%s", dis);
	cr_assert_eq(code.ninsns, 16);
	cr_assert_eq(code.nrelocs, 1);
	cr_expect_eq(code.relocs[0].insn, 11);
	cr_expect_eq(code.relocs[0].mapidx, 5);
	cr_expect_eq(code.insns[11].src_reg, BPF_PSEUDO_MAP_FD);
	cr_expect_eq(code.insns[11].imm, 5);
	cr_expect_eq((uint32_t)code.insns[10].imm, 0xfedcba98u);
	free(dis);
	dl_arena_destroy(a);
}

/* An ldfn is the address of the callback chill() gives bpf_loop: the
   callback comes after the program, the ld_imm64 (BPF_PSEUDO_FUNC) says
   how far, and cbstart where it begins (for its BTF func_info). */
Test(backend, emit_callback)
{
	dl_arena_t *a = dl_arena_create();
	bpf_code_t code;
	char *dis = tbk_emit_text("function f stage allocated frame 0 {\n"
		"@b0\n\t%r2 = ldfn 0\n\t%r0 = copy 0\n\tret %r0\n"
		"}\n", NULL, 0, &code, a);

	cr_expect_str_eq(dis,
		"   0: (18) r2 = func[4]\n"
		"   2: (b7) r0 = 0\n"
		"   3: (95) exit\n"
		"   4: (bf) r6 = r2\n"
		"   5: (85) call bpf_ktime_get_ns#5\n"
		"   6: (79) r1 = *(u64 *)(r6 +0)\n"
		"   7: (3d) if r0 >= r1 goto pc+2\n"
		"   8: (b7) r0 = 0\n"
		"   9: (95) exit\n"
		"  10: (b7) r0 = 1\n"
		"  11: (95) exit\n", "%s", dis);
	cr_expect_eq(code.cbstart, 4);
	cr_expect_eq(code.insns[0].src_reg, BPF_PSEUDO_FUNC);
	cr_expect_eq(code.insns[0].imm, 3);
	cr_expect_eq(code.nrelocs, 0);
	free(dis);
	dl_arena_destroy(a);
}

Test(backend, emit_every_selected_op)
{
	dl_arena_t *a = dl_arena_create();
	bpf_code_t code;
	char *dis = tbk_emit_text("function ops stage allocated frame 8 {\n"
		"@b0\n"
		"\t%r2 = copy %r1\n\t%r3 = copy -5\n"
		"\t%r3 = add %r3, %r2\n\t%r3 = sub %r3, 1\n"
		"\t%r3 = mul %r3, %r2\n\t%r3 = udiv %r3, 3\n"
		"\t%r3 = urem %r3, %r2\n\t%r3 = and %r3, 255\n"
		"\t%r3 = or %r3, %r2\n\t%r3 = xor %r3, -1\n"
		"\t%r3 = shl %r3, 3\n\t%r3 = shr %r3, %r2\n"
		"\t%r3 = sar %r3, 63\n\t%r3 = neg %r3\n"
		"\t%r4 = zext32 %r3\n"
		"\t%r5 = load1 %r1, 1\n\t%r5 = load2 %r1, 2\n"
		"\t%r5 = load4 %r1, 4\n\t%r5 = load8 %r1, 8\n"
		"\tstore1 %r10, -1, %r5\n\tstore2 %r10, -4, -2\n"
		"\tstore4 %r10, -8, %r4\n\tstore8 %r10, -8, 2147483647\n"
		"\t%r5 = xchg8 %r5, %r1, 16\n\txadd8 %r5, %r1, -8\n"
		"\t%r0 = call 5\n\tret %r0\n"
		"}\n", NULL, 0, &code, a);

	cr_expect_str_eq(dis,
		"   0: (bf) r2 = r1\n"
		"   1: (b7) r3 = -5\n"
		"   2: (0f) r3 += r2\n"
		"   3: (17) r3 -= 1\n"
		"   4: (2f) r3 *= r2\n"
		"   5: (37) r3 /= 3\n"
		"   6: (9f) r3 %= r2\n"
		"   7: (57) r3 &= 255\n"
		"   8: (4f) r3 |= r2\n"
		"   9: (a7) r3 ^= -1\n"
		"  10: (67) r3 <<= 3\n"
		"  11: (7f) r3 >>= r2\n"
		"  12: (c7) r3 s>>= 63\n"
		"  13: (87) r3 = -r3\n"
		"  14: (bc) w4 = w3\n"
		"  15: (71) r5 = *(u8 *)(r1 +1)\n"
		"  16: (69) r5 = *(u16 *)(r1 +2)\n"
		"  17: (61) r5 = *(u32 *)(r1 +4)\n"
		"  18: (79) r5 = *(u64 *)(r1 +8)\n"
		"  19: (73) *(u8 *)(r10 -1) = r5\n"
		"  20: (6a) *(u16 *)(r10 -4) = -2\n"
		"  21: (63) *(u32 *)(r10 -8) = r4\n"
		"  22: (7a) *(u64 *)(r10 -8) = 2147483647\n"
		"  23: (db) r5 = atomic64_xchg((u64 *)(r1 +16), r5)\n"
		"  24: (db) lock *(u64 *)(r1 -8) += r5\n"
		"  25: (85) call bpf_ktime_get_ns#5\n"
		"  26: (95) exit\n", "%s", dis);
	free(dis);
	dl_arena_destroy(a);
}

/* xchg8 and xadd8 through the whole back end: the old value comes back,
   the new one is in memory, on a constant new value and on a base that is
   also the result's temporary; the add adds; in our BPF interpreter and in
   the kernel (whose verifier checks the atomics' operands). */
Test(backend, atomics_xchg8_xadd8)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = ir_parse(a,
		"function xchg stage lowered frame 16 {\n"
		"@b0\n"
		"\tstore8 %r10, -8, 7\n"
		"\t%t11 = add %r10, -8\n"
		"\t%t12 = xchg8 9, %t11, 0\n"
		"\t%t13 = load8 %r10, -8\n"
		"\t%t14 = mul %t12, 100\n"
		"\t%t15 = add %t14, %t13\n"
		"\t%t16 = add %r10, -16\n"
		"\tstore8 %t16, 0, 3\n"
		"\t%t16 = xchg8 %t15, %t16, 0\n"
		"\t%t20 = add %r10, -16\n"
		"\txadd8 2, %t20, 0\n"
		"\t%t17 = load8 %r10, -16\n"
		"\t%t18 = mul %t16, 1000\n"
		"\t%t19 = add %t18, %t17\n"
		"\tret %t19\n"
		"}\n", NULL, 0);
	bpf_code_t code;
	tbk_vm_t vm;
	uint64_t ctx[1] = { 0 };
	char *dis;

	cr_assert_not_null(fn);
	tbk_compile(fn, &code);
	dis = tbk_disasm(&code);
	cr_expect(strstr(dis, "atomic64_xchg") != NULL, "%s", dis);
	cr_expect(strstr(dis, "lock *(u64 *)") != NULL, "%s", dis);
	free(dis);
	cr_expect_eq(tbk_run(&vm, &code, ctx, sizeof(ctx)), 3711, "%s", vm.err);
	cr_expect_str_eq(vm.err, "");
	if (tbk_root()) {
		int pfd = tbk_load(&code, NULL);
		cr_assert_geq(pfd, 0, "the verifier rejected the program");
		cr_expect_eq(tbk_test_run(pfd, ctx, sizeof(ctx)), 3711);
		close(pfd);
	}
	dl_arena_destroy(a);
}

#define TBK_I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), \
			       .off = (o), .imm = (i) }

Test(backend, disasm_covers_the_isa)
{
	static const struct bpf_insn insns[] = {
		TBK_I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8),
		TBK_I(BPF_ALU | BPF_ADD | BPF_X, 1, 2, 0, 0),
		TBK_I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 8, 0),
		TBK_I(BPF_ALU64 | BPF_DIV | BPF_K, 1, 0, 1, 3),
		TBK_I(BPF_ALU64 | BPF_MOD | BPF_X, 1, 2, 1, 0),
		TBK_I(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 16),
		TBK_I(BPF_ALU64 | BPF_END | BPF_TO_LE, 1, 0, 0, 32),
		TBK_I(BPF_ALU | BPF_NEG, 1, 0, 0, 0),
		TBK_I(BPF_ALU64 | BPF_ARSH | BPF_X, 1, 2, 0, 0),
		TBK_I(BPF_ALU | BPF_MOV | BPF_K, 3, 0, 0, 7),
		TBK_I(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 16, 0),
		TBK_I(BPF_LDX | 0x80 | BPF_H, 2, 1, -2, 0),
		TBK_I(BPF_ST | BPF_MEM | BPF_B, 10, 0, -1, 7),
		TBK_I(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0),
		TBK_I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD),
		TBK_I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 4,
		      BPF_ADD | BPF_FETCH),
		TBK_I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_XCHG),
		TBK_I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_CMPXCHG),
		TBK_I(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 10),
		TBK_I(BPF_LD | BPF_IND | BPF_W, 0, 3, 0, 4),
		TBK_I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_VALUE, 0, 3),
		TBK_I(0, 0, 0, 0, 16),
		TBK_I(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 1),
		TBK_I(0, 0, 0, 0, 0),
		TBK_I(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 2, 4),
		TBK_I(BPF_JMP32 | BPF_JLT | BPF_X, 1, 2, -3, 0),
		TBK_I(BPF_JMP | BPF_JSGE | BPF_K, 1, 0, 1, -1),
		TBK_I(BPF_JMP32 | BPF_JA, 0, 0, 0, 100),
		TBK_I(BPF_JMP | BPF_JA, 0, 0, -4, 0),
		TBK_I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 5),
		TBK_I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 77),
		TBK_I(BPF_JMP | BPF_CALL, 0, 0, 0, 9999),
		TBK_I(BPF_JMP | BPF_CALL, 0, 0, 0, 131),
		TBK_I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		TBK_I(0xff, 0, 0, 0, 0),
	};
	static const char *const names[] = { "zero", "events" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	bpf_disasm(f, insns, sizeof(insns) / sizeof(insns[0]), names, 2);
	fclose(f);
	cr_expect_str_eq(buf,
		"   0: (07) r1 += -8\n"
		"   1: (0c) w1 += w2\n"
		"   2: (bf) r1 = (s8)r2\n"
		"   3: (37) r1 s/= 3\n"
		"   4: (9f) r1 s%= r2\n"
		"   5: (dc) r1 = be16 r1\n"
		"   6: (d7) r1 = bswap32 r1\n"
		"   7: (84) w1 = -w1\n"
		"   8: (cf) r1 s>>= r2\n"
		"   9: (b4) w3 = 7\n"
		"  10: (61) r2 = *(u32 *)(r1 +16)\n"
		"  11: (89) r2 = *(s16 *)(r1 -2)\n"
		"  12: (72) *(u8 *)(r10 -1) = 7\n"
		"  13: (7b) *(u64 *)(r10 -8) = r1\n"
		"  14: (db) lock *(u64 *)(r1 +0) += r2\n"
		"  15: (c3) r2 = atomic_fetch_add((u32 *)(r1 +4), r2)\n"
		"  16: (db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)\n"
		"  17: (db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)\n"
		"  18: (30) r0 = *(u8 *)skb[10]\n"
		"  19: (40) r0 = *(u32 *)skb[r3 + 4]\n"
		"  20: (18) r1 = map[id:3][0]+16\n"
		"  22: (18) r1 = map[events]\n"
		"  24: (45) if r1 & 0x4 goto pc+2\n"
		"  25: (ae) if w1 < w2 goto pc-3\n"
		"  26: (75) if r1 s>= 0xffffffff goto pc+1\n"
		"  27: (06) gotol pc+100\n"
		"  28: (05) goto pc-4\n"
		"  29: (85) call pc+5\n"
		"  30: (85) call kernel-function\n"
		"  31: (85) call unknown#9999\n"
		"  32: (85) call bpf_ringbuf_reserve#131\n"
		"  33: (95) exit\n"
		"  34: (ff) invalid alu op\n", "%s", buf);
	free(buf);
}

/* ---- register allocation ----------------------------------------------------- */

static char *tbk_regalloc_text(const char *ir, dl_arena_t *a, ir_func_t **out)
{
	char err[256];
	ir_func_t *fn = ir_parse(a, ir, err, sizeof(err));

	cr_assert_not_null(fn, "%s", err);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ir_regalloc(fn), 0);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "%s", err);
	*out = fn;
	return tbk_print_ir(fn);
}

/* Values live across calls go to r6..r9, the rest coalesce with the
   argument and result registers. */
Test(backend, regalloc_calls_and_coalescing)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn;
	char *got = tbk_regalloc_text("function f stage selected frame 0 {\n"
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load8 %t11, 0\n"
		"\t%r0 = call 5\n"
		"\t%t13 = copy %r0\n"
		"\t%t14 = copy %t13\n"
		"\t%t14 = add %t14, %t12\n"
		"\t%r1 = copy %t11\n"
		"\t%r2 = copy %t14\n"
		"\t%r0 = call 1\n"
		"\t%t15 = copy %r0\n"
		"\t%t15 = add %t15, %t12\n"
		"\t%r0 = copy %t15\n"
		"\tret %r0\n"
		"}\n", a, &fn);

	cr_expect_str_eq(got, "function f stage allocated frame 0 {\n"
		"@b0\n"
		"\t%r6 = copy %r1\n"
		"\t%r7 = load8 %r6, 0\n"
		"\t%r0 = call 5                    # ktime_get_ns\n"
		"\t%r2 = copy %r0\n"
		"\t%r2 = add %r2, %r7\n"
		"\t%r1 = copy %r6\n"
		"\t%r0 = call 1                    # map_lookup_elem\n"
		"\t%r0 = add %r0, %r7\n"
		"\tret %r0\n"
		"}\n", "%s", got);
	free(got);
	dl_arena_destroy(a);
}

/* 30 values live at once, defined in two arms of a branch (not SSA),
   summed after the join: spills, and the result still right. */
Test(backend, regalloc_thirty_live_values_across_a_join)
{
	dl_arena_t *a = dl_arena_create();
	char *text = NULL, *got;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	uint64_t ctx[6] = { 3, 5, 7, 11, 13, 17 }, want = 0;
	bpf_code_t code;
	ir_func_t *fn;
	tbk_vm_t vm;

	fprintf(f, "function p stage selected frame 0 {\n@b0\n"
		"\t%%t11 = copy %%r1\n\t%%t12 = load8 %%t11, 0\n"
		"\tjcmp ne %%t12, 0, @b1, @b2\n");
	for (int arm = 1; arm <= 2; arm++) {
		fprintf(f, "@b%d\n", arm);
		for (int i = 0; i < 30; i++) {
			fprintf(f, "\t%%t%d = load8 %%t11, %d\n", 20 + i, 8 * (i % 6));
			fprintf(f, "\t%%t%d = mul %%t%d, %d\n", 20 + i, 20 + i,
				arm * (i + 1));
		}
		fprintf(f, "\tjmp @b3\n");
	}
	fprintf(f, "@b3\n\t%%r0 = call 7\n\t%%t60 = copy %%r0\n");
	for (int i = 0; i < 30; i++)
		fprintf(f, "\t%%t60 = xor %%t60, %%t%d\n", 20 + i);
	fprintf(f, "\t%%r0 = copy %%t60\n\tret %%r0\n}\n");
	fclose(f);
	got = tbk_regalloc_text(text, a, &fn);
	cr_expect_gt(fn->frame, 8 * 16, "%s", got);
	bpf_emit(fn, a, &code);
	memset(&vm, 0, sizeof(vm));
	want = 0x12345678;
	for (int i = 0; i < 30; i++)
		want ^= ctx[i % 6] * (uint64_t)(1 * (i + 1));
	cr_expect_eq(tbk_run(&vm, &code, ctx, sizeof(ctx)), want, "%s", vm.err);
	cr_expect_str_eq(vm.err, "");
	free(text);
	free(got);
	dl_arena_destroy(a);
}
