/*
 * ptregs.c - what kprobe-type programs (fbt's kprobes, pid's and usdt's
 * uprobes) read from their context, a struct pt_regs: the arguments of
 * the function at its entry by the x86_64 calling convention (rdi, rsi,
 * rdx, rcx, r8, r9, then the stack above the return address), its return
 * value (rax), and the probe id the attach cookie carries.
 */
#include <stddef.h>

#include <linux/bpf.h>
#include <linux/ptrace.h>

#include "provider.h"

static const int32_t regs_arg_off[DT_REGS_ARGS] = {
	offsetof(struct pt_regs, rdi), offsetof(struct pt_regs, rsi),
	offsetof(struct pt_regs, rdx), offsetof(struct pt_regs, rcx),
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
};

ir_ref_t dt_regs_arg(dt_lowerenv_t *env, int n, bool user)
{
	ir_func_t *fn = env->fn;

	if (n < DT_REGS_ARGS)
		return ir_load(fn, env->blk, 8, env->ctx, regs_arg_off[n]);
	/* the 8 bytes at rsp + 8 * (n - 5): past the return address */
	int32_t slot = ir_frame_alloc(fn, 8);
	ir_ref_t sp = ir_load(fn, env->blk, 8, env->ctx,
			      (int32_t)offsetof(struct pt_regs, rsp));
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot)),
		ir_con(fn, 8),
		ir_bin(fn, env->blk, IR_ADD, sp,
		       ir_con(fn, 8 * (n - DT_REGS_ARGS + 1))),
	};

	ir_call(fn, env->blk, user ? BPF_FUNC_probe_read_user :
				     BPF_FUNC_probe_read_kernel, 3, args);
	return ir_load(fn, env->blk, 8, ir_reg(IR_FP), slot);
}

ir_ref_t dt_regs_retval(dt_lowerenv_t *env)
{
	return ir_load(env->fn, env->blk, 8, env->ctx,
		       (int32_t)offsetof(struct pt_regs, rax));
}

ir_ref_t dt_cookie_probeid(dt_lowerenv_t *env)
{
	return env->probe_id != 0 ? ir_con(env->fn, env->probe_id) :
	       ir_call(env->fn, env->blk, BPF_FUNC_get_attach_cookie, 1,
		       &env->ctx);
}
