/*
 * ir_ops.h - every IR opcode, once: IR_OP(name, text, nargs, flags).
 * Included with IR_OP defined.  Flags are IRF_* from ir.h.
 *
 * Arithmetic is on 64-bit values.  Division and remainder by zero are the
 * lowering's concern (it emits the check); the IR ops themselves follow BPF
 * (x / 0 == 0, x % 0 == x).  Shifts use the low 6 bits of the count.
 */
/* data movement */
IR_OP(COPY,  "copy",  1, IRF_DEF)
IR_OP(LDI64, "ldi64", 1, IRF_DEF)		/* to = 64-bit constant a0 */
IR_OP(LDMAP, "ldmap", 0, IRF_DEF)		/* to = &map[off] (LD_IMM64) */
IR_OP(LDFN,  "ldfn",  0, IRF_DEF)		/* to = &callback off (emit.c) */
/* arithmetic and logic */
IR_OP(ADD,   "add",   2, IRF_DEF | IRF_BIN | IRF_COMM)
IR_OP(SUB,   "sub",   2, IRF_DEF | IRF_BIN)
IR_OP(MUL,   "mul",   2, IRF_DEF | IRF_BIN | IRF_COMM)
IR_OP(UDIV,  "udiv",  2, IRF_DEF | IRF_BIN)
IR_OP(UREM,  "urem",  2, IRF_DEF | IRF_BIN)
IR_OP(SDIV,  "sdiv",  2, IRF_DEF | IRF_BIN)	/* expanded by isel */
IR_OP(SREM,  "srem",  2, IRF_DEF | IRF_BIN)	/* expanded by isel */
IR_OP(AND,   "and",   2, IRF_DEF | IRF_BIN | IRF_COMM)
IR_OP(OR,    "or",    2, IRF_DEF | IRF_BIN | IRF_COMM)
IR_OP(XOR,   "xor",   2, IRF_DEF | IRF_BIN | IRF_COMM)
IR_OP(SHL,   "shl",   2, IRF_DEF | IRF_BIN)
IR_OP(SHR,   "shr",   2, IRF_DEF | IRF_BIN)	/* logical */
IR_OP(SAR,   "sar",   2, IRF_DEF | IRF_BIN)	/* arithmetic */
IR_OP(NEG,   "neg",   1, IRF_DEF)
/* extension of the low N bits to 64 */
IR_OP(SEXT8,  "sext8",  1, IRF_DEF)
IR_OP(SEXT16, "sext16", 1, IRF_DEF)
IR_OP(SEXT32, "sext32", 1, IRF_DEF)
IR_OP(ZEXT8,  "zext8",  1, IRF_DEF)
IR_OP(ZEXT16, "zext16", 1, IRF_DEF)
IR_OP(ZEXT32, "zext32", 1, IRF_DEF)
/* comparisons: to = (a0 <cmp> a1) ? 1 : 0; also the cmp of IR_J_JCMP */
IR_OP(CEQ,  "ceq",  2, IRF_DEF | IRF_CMP | IRF_COMM)
IR_OP(CNE,  "cne",  2, IRF_DEF | IRF_CMP | IRF_COMM)
IR_OP(CULT, "cult", 2, IRF_DEF | IRF_CMP)
IR_OP(CULE, "cule", 2, IRF_DEF | IRF_CMP)
IR_OP(CUGT, "cugt", 2, IRF_DEF | IRF_CMP)
IR_OP(CUGE, "cuge", 2, IRF_DEF | IRF_CMP)
IR_OP(CSLT, "cslt", 2, IRF_DEF | IRF_CMP)
IR_OP(CSLE, "csle", 2, IRF_DEF | IRF_CMP)
IR_OP(CSGT, "csgt", 2, IRF_DEF | IRF_CMP)
IR_OP(CSGE, "csge", 2, IRF_DEF | IRF_CMP)
/* memory: loads to = *(uN *)(a0 + off), zero-extended; stores
   *(uN *)(a0 + off) = a1 (a1 may be a constant) */
IR_OP(LOAD1,  "load1",  1, IRF_DEF | IRF_LOAD)
IR_OP(LOAD2,  "load2",  1, IRF_DEF | IRF_LOAD)
IR_OP(LOAD4,  "load4",  1, IRF_DEF | IRF_LOAD)
IR_OP(LOAD8,  "load8",  1, IRF_DEF | IRF_LOAD)
IR_OP(STORE1, "store1", 2, IRF_STORE | IRF_SIDE)
IR_OP(STORE2, "store2", 2, IRF_STORE | IRF_SIDE)
IR_OP(STORE4, "store4", 2, IRF_STORE | IRF_SIDE)
IR_OP(STORE8, "store8", 2, IRF_STORE | IRF_SIDE)
/* atomic exchange: *(u64 *)(a1 + off) = a0 and to = what it was, in one
   step (BPF_XCHG, Linux 5.12+); after isel to == a0 (BPF's source
   register receives the old value) and a1 is a register */
IR_OP(XCHG8, "xchg8", 2, IRF_DEF | IRF_SIDE | IRF_ATOMIC)
/* atomic add: *(u64 *)(a1 + off) += a0 in one step (BPF_ATOMIC BPF_ADD);
   after isel a0 and a1 are registers */
IR_OP(XADD8, "xadd8", 2, IRF_SIDE | IRF_ATOMIC)
/* helper calls: ARG a0 (in order, at most 5) then to = CALL helper(off);
   after isel: copies into r1..r5 and "%r0 = call" */
IR_OP(ARG,  "arg",  1, IRF_SIDE)
IR_OP(CALL, "call", 0, IRF_DEF | IRF_SIDE)
/* to = the BPF instruction index of the branch into this block (its first
   predecessor's terminator): a fault block's "BPF pc", as -S numbers it */
IR_OP(PC,   "pc",   0, IRF_DEF)
