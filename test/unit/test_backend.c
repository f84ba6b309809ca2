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
	if ((p = tbk_mem(vm, tbk_rd(vm, i->dst_reg), i->off, n)) != NULL)
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
