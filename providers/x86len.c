/*
 * x86len.c - the length of an x86-64 instruction, for the pid provider's
 * instruction probes (pid$target:a.out:func: lists one probe per
 * instruction offset, so the function's body is walked instruction by
 * instruction from its first byte to its st_size).
 *
 * What it decodes: 64-bit mode only.  Legacy prefixes (66, 67, F0, F2, F3,
 * the segment overrides), REX, the one-byte opcode map, the 0F, 0F38 and
 * 0F3A maps, VEX (C4, C5) and EVEX (62) encodings, x87 (D8-DF: always a
 * ModRM), ModRM with SIB and displacements (RIP-relative included), and
 * immediates by operand size: iz is 2 bytes under 66 else 4, the moves
 * B8-BF take 8 under REX.W, the moffs forms A0-A3 8 (4 under 67), F6/F7
 * take one only for TEST (reg 0 and 1), ENTER 3, RET/RETF imm16 2.
 * What it refuses (the caller says so, naming the function and offset):
 * opcodes invalid in 64-bit mode, AMD's 3DNow! (0F 0F) and XOP (8F with a
 * map above 7), instructions over 15 bytes, and a body that ends in the
 * middle of an instruction.  That covers what compilers emit for ordinary
 * code; data placed in a function's body (rare on x86) is decoded as
 * instructions and may be refused, which is the clear outcome we want.
 *
 * dt_x86_uprobe_ok: whether Linux's x86 uprobes accept the instruction:
 * they refuse the LOCK prefix and the ES, CS, SS and DS overrides (the
 * `notrack` DS prefix of CET indirect jumps, `cs nopw` padding), VEX and
 * EVEX instructions (AVX), int3, int1 and hlt, so probes on every
 * instruction skip those rather than fail the whole run.  (The kernel
 * refuses a few rarer system instructions too; a probe on one of those
 * fails when enabled, with the probe named.)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "provider.h"

#define X86_MAX_LEN 15

/* Properties of an opcode: a ModRM byte, then an immediate. */
enum {
	M = 0x01,		/* ModRM follows */
	IB = 0x02,		/* imm8 */
	IW = 0x04,		/* imm16 */
	IZ = 0x08,		/* imm16 under 66, else imm32 */
	IV = 0x10,		/* imm64 under REX.W, imm16 under 66, imm32 */
	MO = 0x20,		/* moffs: 8 bytes, 4 under 67 */
	GT = 0x40,		/* F6/F7: the TEST forms (reg 0, 1) take iz/ib */
	BAD = 0x80,		/* invalid in 64-bit mode (or not decoded) */
	J4 = 0x100,		/* rel32 of call, jmp, jcc: 66 does not shrink
				   it in 64-bit mode (Intel; gcc pads TLS calls
				   with 66 66 48 e8) */
};

/* The one-byte map, 16 opcodes a row.  Prefixes, REX, VEX, EVEX and the
   0F escape are handled before the table is read. */
static const uint16_t map1[256] = {
	/* 00 */ M, M, M, M, IB, IZ, BAD, BAD, M, M, M, M, IB, IZ, BAD, 0,
	/* 10 */ M, M, M, M, IB, IZ, BAD, BAD, M, M, M, M, IB, IZ, BAD, BAD,
	/* 20 */ M, M, M, M, IB, IZ, 0, BAD, M, M, M, M, IB, IZ, 0, BAD,
	/* 30 */ M, M, M, M, IB, IZ, 0, BAD, M, M, M, M, IB, IZ, 0, BAD,
	/* 40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 60 */ BAD, BAD, BAD, M, 0, 0, 0, 0, IZ, M | IZ, IB, M | IB, 0, 0, 0, 0,
	/* 70 */ IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,
	/* 80 */ M | IB, M | IZ, BAD, M | IB, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, BAD, 0, 0, 0, 0, 0,
	/* a0 */ MO, MO, MO, MO, 0, 0, 0, 0, IB, IZ, 0, 0, 0, 0, 0, 0,
	/* b0 */ IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,
	/* c0 */ M | IB, M | IB, IW, 0, BAD, BAD, M | IB, M | IZ,
		 IW | IB, 0, IW, 0, 0, IB, BAD, 0,
	/* d0 */ M, M, M, M, BAD, BAD, BAD, 0, M, M, M, M, M, M, M, M,
	/* e0 */ IB, IB, IB, IB, IB, IB, IB, IB, J4, J4, BAD, IB, 0, 0, 0, 0,
	/* f0 */ 0, 0, 0, 0, 0, 0, M | GT, M | GT, 0, 0, 0, 0, 0, 0, M, M,
};

/* The 0F map. */
static const uint16_t map0f[256] = {
	/* 00 */ M, M, M, M, BAD, 0, 0, 0, 0, 0, BAD, 0, BAD, M, 0, BAD,
	/* 10 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 20 */ M, M, M, M, BAD, BAD, BAD, BAD, M, M, M, M, M, M, M, M,
	/* 30 */ 0, 0, 0, 0, 0, 0, BAD, 0, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	/* 40 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 50 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 60 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 70 */ M | IB, M | IB, M | IB, M | IB, M, M, M, 0,
		 M, M, BAD, BAD, M, M, M, M,
	/* 80 */ J4, J4, J4, J4, J4, J4, J4, J4, J4, J4, J4, J4, J4, J4, J4, J4,
	/* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* a0 */ 0, 0, 0, M, M | IB, M, BAD, BAD, 0, 0, 0, M, M | IB, M, M, M,
	/* b0 */ M, M, M, M, M, M, M, M, M, M, M | IB, M, M, M, M, M,
	/* c0 */ M, M, M | IB, M, M | IB, M | IB, M | IB, M, 0, 0, 0, 0, 0, 0, 0, 0,
	/* d0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* e0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* f0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
};

typedef struct x86_state {
	const uint8_t *p;
	size_t n, len;		/* bytes available, bytes used */
	bool opsize, addrsize, rexw;
} x86_state_t;

static int take(x86_state_t *s, size_t k)
{
	if (s->len + k > s->n || s->len + k > X86_MAX_LEN)
		return -1;
	s->len += k;
	return 0;
}

/* ModRM, then SIB and displacement as its mod and rm say. */
static int modrm(x86_state_t *s, int *reg)
{
	uint8_t b, mod, rm;

	if (s->len >= s->n)
		return -1;
	b = s->p[s->len];
	if (take(s, 1) < 0)
		return -1;
	mod = b >> 6;
	rm = b & 7;
	*reg = (b >> 3) & 7;
	if (mod == 3)
		return 0;
	if (rm == 4) {
		if (s->len >= s->n)
			return -1;
		if (mod == 0 && (s->p[s->len] & 7) == 5 && take(s, 4) < 0)
			return -1;
		if (take(s, 1) < 0)
			return -1;
	} else if (mod == 0 && rm == 5) {
		return take(s, 4);		/* disp32 (RIP-relative) */
	}
	return take(s, mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/* The operands of an opcode with these flags (op: the opcode, for F6/F7,
   whose TEST forms alone take an immediate: ib for F6, iz for F7). */
static int operands(x86_state_t *s, uint16_t flags, uint8_t op)
{
	int reg = 0;
	size_t imm = 0;

	if (flags & BAD)
		return -1;
	if ((flags & M) && modrm(s, &reg) < 0)
		return -1;
	if ((flags & GT) && reg <= 1)
		flags |= op == 0xf6 ? IB : IZ;
	imm += flags & IB ? 1 : 0;
	imm += flags & IW ? 2 : 0;
	imm += flags & IZ ? (s->opsize ? 2 : 4) : 0;
	imm += flags & IV ? (s->rexw ? 8 : s->opsize ? 2 : 4) : 0;
	imm += flags & MO ? (s->addrsize ? 4 : 8) : 0;
	imm += flags & J4 ? 4 : 0;
	return take(s, imm);
}

/* VEX (C4, C5) and EVEX (62): the map from the prefix, then the opcode,
   always a ModRM (except vzeroupper/vzeroall), an imm8 in map 3 and for
   the 0F opcodes that have one. */
static int vex(x86_state_t *s, uint8_t first)
{
	size_t plen = first == 0xc5 ? 1 : first == 0xc4 ? 2 : 3;
	int map, reg;
	uint8_t op;

	if (take(s, plen + 1) < 0 || s->len >= s->n)
		return -1;
	map = first == 0xc5 ? 1 : s->p[s->len - plen] &
	      (first == 0x62 ? 0x07 : 0x1f);
	op = s->p[s->len];
	if (take(s, 1) < 0 || map < 1 || map > 3)
		return -1;
	if (map == 1 && op == 0x77 && first != 0x62)
		return 0;			/* vzeroupper, vzeroall */
	if (modrm(s, &reg) < 0)
		return -1;
	if (map == 3 || (map == 1 && (map0f[op] & IB)))
		return take(s, 1);
	return 0;
}

int dt_x86_insn_len(const uint8_t *p, size_t n)
{
	x86_state_t s = { .p = p, .n = n };
	uint8_t b;
	int r;

	for (;;) {			/* legacy prefixes */
		if (s.len >= n)
			return -1;
		b = p[s.len];
		if (b == 0x66)
			s.opsize = true;
		else if (b == 0x67)
			s.addrsize = true;
		else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x26 &&
			 b != 0x2e && b != 0x36 && b != 0x3e && b != 0x64 &&
			 b != 0x65)
			break;
		if (take(&s, 1) < 0)
			return -1;
	}
	if ((b & 0xf0) == 0x40) {	/* REX */
		s.rexw = (b & 8) != 0;
		if (take(&s, 1) < 0 || s.len >= n)
			return -1;
		b = p[s.len];
	}
	if (b == 0xc4 || b == 0xc5 || b == 0x62)
		return vex(&s, b) < 0 ? -1 : (int)s.len;
	if (take(&s, 1) < 0)
		return -1;
	if (b == 0x8f && s.len < n && (p[s.len] & 0x1f) > 7)
		return -1;			/* AMD XOP */
	if (b != 0x0f) {
		r = operands(&s, map1[b], b);
		return r < 0 ? -1 : (int)s.len;
	}
	if (s.len >= n)
		return -1;
	b = p[s.len];
	if (take(&s, 1) < 0)
		return -1;
	if (b == 0x38 || b == 0x3a) {	/* three-byte maps */
		if (take(&s, 1) < 0)
			return -1;
		return operands(&s, b == 0x38 ? M : M | IB, b) < 0 ? -1 :
		       (int)s.len;
	}
	if (b == 0x0f)
		return -1;			/* AMD 3DNow! */
	return operands(&s, map0f[b], b) < 0 ? -1 : (int)s.len;
}

bool dt_x86_uprobe_ok(const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (; i < len; i++) {		/* the prefixes */
		uint8_t b = p[i];

		if (b == 0xf0 || b == 0x26 || b == 0x2e || b == 0x36 ||
		    b == 0x3e)
			return false;
		if (b != 0x66 && b != 0x67 && b != 0xf2 && b != 0xf3 &&
		    b != 0x64 && b != 0x65)
			break;
	}
	if (i < len && (p[i] & 0xf0) == 0x40)
		i++;			/* REX */
	if (i >= len)
		return false;
	switch (p[i]) {
	case 0xc4: case 0xc5: case 0x62:	/* VEX, EVEX */
	case 0xcc: case 0xf1: case 0xf4:	/* int3, int1, hlt */
		return false;
	default:
		return true;
	}
}
