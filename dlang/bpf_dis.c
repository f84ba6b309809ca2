/*
 * bpf_dis.c - BPF instructions in the kernel verifier's log syntax.
 *
 * One line per instruction, "%4u: (%02x) text", in the same words the
 * verifier log uses, so `dtrace -S` output can be read next to a verifier
 * rejection:
 *
 *      0: (b7) r0 = 0
 *      1: (bf) r1 = r6
 *      2: (07) r1 += -8
 *      3: (85) call bpf_ringbuf_reserve#131
 *      4: (15) if r0 == 0x0 goto pc+5
 *      5: (7b) *(u64 *)(r10 -8) = r1
 *      6: (61) r2 = *(u32 *)(r1 +16)
 *      7: (18) r1 = map[id:0]          (map[events] when names are given)
 *      9: (95) exit
 *
 * An ld_imm64 takes two slots; its line shows the whole 64-bit value and
 * the numbering skips the second slot, as the kernel's does.  Covered: the
 * ALU and ALU64 classes (including byte swaps, movsx and signed div/mod of
 * ISA v4), loads and stores of every mode the kernel still accepts (MEM,
 * MEMSX, ATOMIC, legacy ABS/IND), JMP and JMP32 with every condition,
 * helper, BPF-to-BPF and kfunc calls, gotol and exit.  Anything else is
 * printed as "invalid".  Each class has its printer in a table.
 *
 * Requires/produces/invalidates: nothing; reads instructions, writes text.
 */
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ir.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80		/* ISA v4; newer than Debian 12's headers */
#endif

typedef struct dis {
	const struct bpf_insn *insns;
	size_t n, pc;
	const char *const *mapnames;
	size_t nmaps;
	char buf[160];
} dis_t;

typedef void (*dis_fn_t)(dis_t *d, const struct bpf_insn *i);

static const char *const dis_alu_ops[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	"neg", "%=", "^=", "=", "s>>=", "end", NULL, NULL,
};

static const char *const dis_jmp_ops[16] = {
	"ja", "==", ">", ">=", "&", "!=", "s>", "s>=",
	"call", "exit", "<", "<=", "s<", "s<=", NULL, NULL,
};

static const char *const dis_sizes[4] = { "u32", "u16", "u8", "u64" };
static const int dis_bits[4] = { 32, 16, 8, 64 };

static void dis_put(dis_t *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dis_put(dis_t *d, const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(d->buf);

	va_start(ap, fmt);
	vsnprintf(d->buf + len, sizeof(d->buf) - len, fmt, ap);
	va_end(ap);
}

static const char *dis_size(const struct bpf_insn *i)
{
	return dis_sizes[BPF_SIZE(i->code) >> 3];
}

/* ---- ALU, ALU64 ---------------------------------------------------------- */

static void dis_end(dis_t *d, const struct bpf_insn *i)
{
	if (BPF_CLASS(i->code) == BPF_ALU64)
		dis_put(d, "r%d = bswap%d r%d", i->dst_reg, i->imm, i->dst_reg);
	else
		dis_put(d, "r%d = %s%d r%d", i->dst_reg,
			BPF_SRC(i->code) == BPF_X ? "be" : "le", i->imm,
			i->dst_reg);
}

static void dis_alu(dis_t *d, const struct bpf_insn *i)
{
	char r = BPF_CLASS(i->code) == BPF_ALU64 ? 'r' : 'w';
	unsigned op = BPF_OP(i->code) >> 4;
	const char *s = dis_alu_ops[op];
	bool sdivmod = (op == BPF_DIV >> 4 || op == BPF_MOD >> 4) && i->off == 1;

	if (s == NULL) {
		dis_put(d, "invalid alu op");
	} else if (BPF_OP(i->code) == BPF_END) {
		dis_end(d, i);
	} else if (BPF_OP(i->code) == BPF_NEG) {
		dis_put(d, "%c%d = -%c%d", r, i->dst_reg, r, i->dst_reg);
	} else if (BPF_OP(i->code) == BPF_MOV && BPF_SRC(i->code) == BPF_X &&
		   i->off != 0) {
		dis_put(d, "%c%d = (s%d)%c%d", r, i->dst_reg, i->off, r,
			i->src_reg);
	} else if (BPF_SRC(i->code) == BPF_X) {
		dis_put(d, "%c%d %s%s %c%d", r, i->dst_reg, sdivmod ? "s" : "",
			s, r, i->src_reg);
	} else {
		dis_put(d, "%c%d %s%s %d", r, i->dst_reg, sdivmod ? "s" : "", s,
			i->imm);
	}
}

/* ---- loads and stores ---------------------------------------------------- */

static void dis_ld(dis_t *d, const struct bpf_insn *i)
{
	unsigned mode = BPF_MODE(i->code);

	if (mode == BPF_ABS) {
		dis_put(d, "r0 = *(%s *)skb[%d]", dis_size(i), i->imm);
	} else if (mode == BPF_IND) {
		dis_put(d, "r0 = *(%s *)skb[r%d + %d]", dis_size(i),
			i->src_reg, i->imm);
	} else if (mode == BPF_IMM && BPF_SIZE(i->code) == BPF_DW) {
		uint64_t hi = d->pc + 1 < d->n ? (uint32_t)d->insns[d->pc + 1].imm
					       : 0;
		uint64_t v = (uint64_t)(uint32_t)i->imm | hi << 32;
		if (i->src_reg == BPF_PSEUDO_MAP_FD && d->mapnames != NULL &&
		    (uint32_t)i->imm < d->nmaps)
			dis_put(d, "r%d = map[%s]", i->dst_reg,
				d->mapnames[(uint32_t)i->imm]);
		else if (i->src_reg == BPF_PSEUDO_MAP_FD)
			dis_put(d, "r%d = map[id:%u]", i->dst_reg,
				(unsigned)(uint32_t)i->imm);
		else if (i->src_reg == BPF_PSEUDO_FUNC)
			dis_put(d, "r%d = func[%zu]", i->dst_reg,
				d->pc + 1 + (size_t)(long)i->imm);
		else if (i->src_reg == BPF_PSEUDO_MAP_VALUE)
			dis_put(d, "r%d = map[id:%u][0]+%u", i->dst_reg,
				(unsigned)(uint32_t)i->imm, (unsigned)hi);
		else
			dis_put(d, "r%d = 0x%llx", i->dst_reg,
				(unsigned long long)v);
		d->pc++;	/* the second slot */
	} else {
		dis_put(d, "invalid ld mode");
	}
}

static void dis_ldx(dis_t *d, const struct bpf_insn *i)
{
	if (BPF_MODE(i->code) == BPF_MEM)
		dis_put(d, "r%d = *(%s *)(r%d %+d)", i->dst_reg, dis_size(i),
			i->src_reg, i->off);
	else if (BPF_MODE(i->code) == BPF_MEMSX)
		dis_put(d, "r%d = *(s%d *)(r%d %+d)", i->dst_reg,
			dis_bits[BPF_SIZE(i->code) >> 3], i->src_reg, i->off);
	else
		dis_put(d, "invalid ldx mode");
}

static void dis_st(dis_t *d, const struct bpf_insn *i)
{
	if (BPF_MODE(i->code) == BPF_MEM)
		dis_put(d, "*(%s *)(r%d %+d) = %d", dis_size(i), i->dst_reg,
			i->off, i->imm);
	else
		dis_put(d, "invalid st mode");
}

static void dis_atomic(dis_t *d, const struct bpf_insn *i)
{
	const char *w = BPF_SIZE(i->code) == BPF_DW ? "64" : "";
	static const char *const names[16] = {
		[BPF_ADD >> 4] = "add", [BPF_AND >> 4] = "and",
		[BPF_OR >> 4] = "or", [BPF_XOR >> 4] = "xor",
	};
	int op = i->imm & ~BPF_FETCH;
	const char *name = op >= 0 && op < 256 && (op & 0xf) == 0
			   ? names[op >> 4] : NULL;

	if (i->imm == BPF_XCHG)
		dis_put(d, "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)",
			i->src_reg, w, dis_size(i), i->dst_reg, i->off,
			i->src_reg);
	else if (i->imm == BPF_CMPXCHG)
		dis_put(d, "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)",
			w, dis_size(i), i->dst_reg, i->off, i->src_reg);
	else if (name != NULL && (i->imm & BPF_FETCH))
		dis_put(d, "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)",
			i->src_reg, w, name, dis_size(i), i->dst_reg, i->off,
			i->src_reg);
	else if (name != NULL)
		dis_put(d, "lock *(%s *)(r%d %+d) %s r%d", dis_size(i),
			i->dst_reg, i->off, dis_alu_ops[op >> 4], i->src_reg);
	else
		dis_put(d, "invalid atomic op %#x", (unsigned)i->imm);
}

static void dis_stx(dis_t *d, const struct bpf_insn *i)
{
	if (BPF_MODE(i->code) == BPF_MEM)
		dis_put(d, "*(%s *)(r%d %+d) = r%d", dis_size(i), i->dst_reg,
			i->off, i->src_reg);
	else if (BPF_MODE(i->code) == BPF_ATOMIC)
		dis_atomic(d, i);
	else
		dis_put(d, "invalid stx mode");
}

/* ---- jumps --------------------------------------------------------------- */

static void dis_call(dis_t *d, const struct bpf_insn *i)
{
	const bpf_helper_t *h = bpf_helper_by_id(i->imm);

	if (i->src_reg == BPF_PSEUDO_CALL)
		dis_put(d, "call pc%+d", i->imm);
	else if (i->src_reg == BPF_PSEUDO_KFUNC_CALL)
		dis_put(d, "call kernel-function");
	else if (h != NULL)
		dis_put(d, "call bpf_%s#%d", h->name, i->imm);
	else
		dis_put(d, "call unknown#%d", i->imm);
}

static void dis_jmp(dis_t *d, const struct bpf_insn *i)
{
	char r = BPF_CLASS(i->code) == BPF_JMP32 ? 'w' : 'r';
	unsigned op = BPF_OP(i->code);
	const char *s = dis_jmp_ops[op >> 4];

	if (op == BPF_CALL && r == 'r') {
		dis_call(d, i);
	} else if (op == BPF_EXIT && r == 'r') {
		dis_put(d, "exit");
	} else if (op == BPF_JA) {
		if (r == 'w')
			dis_put(d, "gotol pc%+d", i->imm);
		else
			dis_put(d, "goto pc%+d", i->off);
	} else if (s == NULL || op == BPF_CALL || op == BPF_EXIT) {
		dis_put(d, "invalid jmp op");
	} else if (BPF_SRC(i->code) == BPF_X) {
		dis_put(d, "if %c%d %s %c%d goto pc%+d", r, i->dst_reg, s, r,
			i->src_reg, i->off);
	} else {
		dis_put(d, "if %c%d %s 0x%x goto pc%+d", r, i->dst_reg, s,
			(unsigned)i->imm, i->off);
	}
}

static const dis_fn_t dis_classes[8] = {
	[BPF_LD] = dis_ld, [BPF_LDX] = dis_ldx, [BPF_ST] = dis_st,
	[BPF_STX] = dis_stx, [BPF_ALU] = dis_alu, [BPF_JMP] = dis_jmp,
	[BPF_JMP32] = dis_jmp, [BPF_ALU64] = dis_alu,
};

void bpf_disasm(FILE *out, const struct bpf_insn *insns, size_t n,
		const char *const *mapnames, size_t nmaps)
{
	dis_t d = { .insns = insns, .n = n, .mapnames = mapnames,
		    .nmaps = nmaps };

	for (d.pc = 0; d.pc < n; d.pc++) {
		const struct bpf_insn *i = &insns[d.pc];
		size_t pc = d.pc;
		d.buf[0] = '\0';
		dis_classes[BPF_CLASS(i->code)](&d, i);
		fprintf(out, "%4zu: (%02x) %s\n", pc, i->code, d.buf);
	}
}
