/*
 * proc.c - the proc provider, DTrace's stable probes for processes, as
 * proc:vmlinux::<name> (Oracle's names), on the raw tracepoints of the
 * scheduler and the signal code, so that it works on kernels without
 * kprobes (Oracle's DTrace uses fbt for some of them).
 *
 *	probe           raw tracepoint       fires                    when
 *	create          sched_process_fork   in the parent            the child is a process
 *	lwp-create      sched_process_fork   in the creating thread   the child is a thread
 *	exec-success    sched_process_exec   in the new image         (always)
 *	exit            sched_process_exit   in the exiting thread    it is the process's last
 *	signal-send     signal_generate      in the sender            the signal is queued
 *	signal-discard  signal_generate      in the sender            the target ignores it
 *	signal-handle   signal_deliver       in the receiver          (always)
 *	exec            sched_prepare_exec   in the exec'ing process  (always; 6.10+)
 *	exec-failure    sys_exit             in the process           execve/execveat failed
 *	start           sys_exit             in the new process       fork/vfork/clone/clone3
 *	                                                              returned 0 in a leader
 *	lwp-start       sys_exit             in the new thread        the same, not a leader
 *	lwp-exit        sched_process_exit   in the exiting thread    (always)
 *	signal-clear    sys_exit             in the waiting thread    rt_sigtimedwait
 *	                                                              returned a signal
 *
 * Arguments.  DTrace's translated structures (psinfo_t, lwpsinfo_t) for
 * the tasks involved, from their struct task_struct (the D library's
 * procfs.d; argN is the pointer, so a script can also cast it:
 * ((struct task_struct *)arg0)->pid), and DTrace's integer arguments:
 *
 *	create          arg0 = the child (psinfo_t * in DTrace)
 *	lwp-create      arg0 = arg1 = the new thread (lwpsinfo_t *, psinfo_t *)
 *	exit            arg0 = why: 1 exited (CLD_EXITED), 2 killed by a
 *	                signal (CLD_KILLED), 3 killed and dumped core
 *	                (CLD_DUMPED), from the task's exit_code as Oracle's
 *	signal-send     arg0 = arg1 = the target task, arg2 = the signal
 *	signal-discard  the same
 *	signal-handle   arg0 = the signal, arg1 = its siginfo (kernel
 *	                address), arg2 = the handler (0: SIG_DFL)
 *	exec-success    none
 *	exec            args[0] = the path being executed (string)
 *	exec-failure    arg0 = the errno value
 *	signal-clear    arg0 = the signal
 *	start, lwp-start, lwp-exit: none
 *
 * exec: the kernel has no tracepoint where every execve begins with the
 * path in kernel memory; sched_prepare_exec (Linux 6.10) fires once the
 * file is found and about to replace the image, so an exec of a path that
 * does not exist fires exec-failure (ENOENT) without exec.  start and
 * lwp-start: a new user task's first act is the return from the fork or
 * clone that made it, which the sys_exit tracepoint sees in the new task
 * with 0 as the result (the parent gets the child's id); kernel threads
 * never fire them.  sys_exit's context is { struct pt_regs *regs, long
 * ret }: the syscall number and the code segment (32-bit tasks' syscalls
 * have other numbers and are ignored, as by the syscall provider) come in
 * one read of regs.
 *
 * "Queued" is the kernel's TRACE_SIGNAL_DELIVERED or LOSE_INFO result (the
 * cases in which it calls complete_signal, Oracle's probe point), "ignores
 * it" TRACE_SIGNAL_IGNORED; a signal already pending is neither.
 *
 * Programs (stable.c): one raw tracepoint program per probe and clause
 * set; the entry check (DT_PV_ENTRY) is the "when" column.
 * sched_process_exit's second argument (group_dead) exists only on newer
 * kernels, so the last thread is found as the kernel does, by
 * signal->live having dropped to 0 (the tracepoint fires after the
 * decrement).
 */

#include <stddef.h>

#include <asm/unistd_64.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>

#include "provider.h"

#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define SIG_DELIVERED 0		/* enum trace_signal_result */
#define SIG_IGNORED 1
#define SIG_LOSE_INFO 4
#define USER32_CS 0x23		/* __USER32_CS */
#define REGS_ORIG_AX ((int32_t)offsetof(struct pt_regs, orig_rax))
#define REGS_CS ((int32_t)offsetof(struct pt_regs, cs))

enum {
	P_CREATE, P_LWP_CREATE, P_EXEC_SUCCESS, P_EXIT, P_SIGNAL_SEND,
	P_SIGNAL_DISCARD, P_SIGNAL_HANDLE, P_EXEC, P_EXEC_FAILURE, P_START,
	P_LWP_START, P_LWP_EXIT, P_SIGNAL_CLEAR, P_NPROBES
};

#define LWPS "xlate<lwpsinfo_t *>(struct task_struct *)"
#define PS "xlate<psinfo_t *>(struct task_struct *)"
static const dt_stprobe_t proc_probes[P_NPROBES] = {
	[P_CREATE] = { "create", .rawtp = "sched_process_fork", .btf = true,
		       .nargs = 1, .types = { PS } },
	[P_LWP_CREATE] = { "lwp-create", .rawtp = "sched_process_fork",
			   .btf = true, .nargs = 2, .types = { LWPS, PS } },
	[P_EXEC_SUCCESS] = { "exec-success", .rawtp = "sched_process_exec" },
	[P_EXIT] = { "exit", .rawtp = "sched_process_exit", .btf = true,
		     .nargs = 1, .types = { "int" } },
	[P_SIGNAL_SEND] = { "signal-send", .rawtp = "signal_generate",
			    .nargs = 3, .types = { LWPS, PS, "int" } },
	[P_SIGNAL_DISCARD] = { "signal-discard", .rawtp = "signal_generate",
			       .nargs = 3, .types = { LWPS, PS, "int" } },
	[P_SIGNAL_HANDLE] = { "signal-handle", .rawtp = "signal_deliver",
			      .nargs = 3, .types = { "int",
			      "struct kernel_siginfo *", "void (*)(void)" } },
	[P_EXEC] = { "exec", .rawtp = "sched_prepare_exec", .since = "6.10",
		     .btf = true, .nargs = 1, .types = { "string" } },
	[P_EXEC_FAILURE] = { "exec-failure", .rawtp = "sys_exit", .nargs = 1,
			     .types = { "int" } },
	[P_START] = { "start", .rawtp = "sys_exit" },
	[P_LWP_START] = { "lwp-start", .rawtp = "sys_exit" },
	[P_LWP_EXIT] = { "lwp-exit", .rawtp = "sched_process_exit" },
	[P_SIGNAL_CLEAR] = { "signal-clear", .rawtp = "sys_exit", .nargs = 1,
			     .types = { "int" } },
};

/* ---- code generation ------------------------------------------------------ */

/* sched_process_fork: is the child (raw argument 1) a thread? */
static ir_ref_t proc_child_is_thread(dt_lowerenv_t *env,
				     const dt_stbtf_t *pb)
{
	ir_ref_t child = dt_st_raw(env, 1);
	ir_ref_t pid = dt_st_read(env, child, pb->pid, 4);
	ir_ref_t tgid = dt_st_read(env, child, pb->tgid, 4);

	return ir_bin(env->fn, env->blk, IR_CNE, pid, tgid);
}

/* signal_generate's result (raw argument 4): queued, or ignored. */
static ir_ref_t proc_sig_result(dt_lowerenv_t *env, bool discard)
{
	ir_func_t *fn = env->fn;
	ir_ref_t r = ir_emit(fn, env->blk, IR_ZEXT32, ir_tmp(fn),
			     dt_st_raw(env, 4), IR_NONE)->to;

	if (discard)
		return ir_bin(fn, env->blk, IR_CEQ, r, ir_con(fn, SIG_IGNORED));
	return ir_bin(fn, env->blk, IR_OR,
		      ir_bin(fn, env->blk, IR_CEQ, r, ir_con(fn, SIG_DELIVERED)),
		      ir_bin(fn, env->blk, IR_CEQ, r,
			     ir_con(fn, SIG_LOSE_INFO)));
}

/* sys_exit: does the syscall (orig_ax, with cs in one read of regs) equal
   one of nrs[0..n), made by a 64-bit task? */
static ir_ref_t proc_sysexit_is(dt_lowerenv_t *env, const int *nrs, int n)
{
	ir_func_t *fn = env->fn;
	int32_t size = REGS_CS + 8 - REGS_ORIG_AX;
	int32_t slot = ir_frame_alloc(fn, size);
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot)),
		ir_con(fn, size),
		ir_bin(fn, env->blk, IR_ADD, dt_st_raw(env, 0),
		       ir_con(fn, REGS_ORIG_AX)),
	};
	ir_ref_t nr, cs, is = IR_NONE;

	/* a failed read leaves the slot as it was: zero it first */
	for (int32_t off = 0; off < size; off += 8)
		ir_store(fn, env->blk, 8, ir_reg(IR_FP), slot + off,
			 ir_con(fn, 0));
	ir_call(fn, env->blk, BPF_FUNC_probe_read_kernel, 3, args);
	nr = ir_load(fn, env->blk, 8, ir_reg(IR_FP), slot);
	cs = ir_load(fn, env->blk, 2, ir_reg(IR_FP),
		     slot + REGS_CS - REGS_ORIG_AX);
	for (int i = 0; i < n; i++) {
		ir_ref_t eq = ir_bin(fn, env->blk, IR_CEQ, nr,
				     ir_con(fn, nrs[i]));

		is = i == 0 ? eq : ir_bin(fn, env->blk, IR_OR, is, eq);
	}
	return ir_bin(fn, env->blk, IR_AND, is, ir_bin(fn, env->blk, IR_CNE,
					cs, ir_con(fn, USER32_CS)));
}

static const int proc_exec_nrs[] = { __NR_execve, __NR_execveat };
static const int proc_sigwait_nrs[] = { __NR_rt_sigtimedwait };
static const int proc_fork_nrs[] = { __NR_clone, __NR_fork, __NR_vfork,
				     __NR_clone3 };

/* start, lwp-start: sys_exit of a fork returning 0 (in the new task), in a
   thread group leader or not. */
static void proc_start(dt_lowerenv_t *env, bool lwp)
{
	ir_func_t *fn = env->fn;
	ir_ref_t pt = ir_call(fn, env->blk, BPF_FUNC_get_current_pid_tgid, 0,
			      NULL);
	ir_ref_t tid = ir_emit(fn, env->blk, IR_ZEXT32, ir_tmp(fn), pt,
			       IR_NONE)->to;
	ir_ref_t tgid = ir_bin(fn, env->blk, IR_SHR, pt, ir_con(fn, 32));
	ir_ref_t ret0 = ir_bin(fn, env->blk, IR_CEQ, dt_st_raw(env, 1),
			       ir_con(fn, 0));

	dt_st_need(env, ret0);
	dt_st_need(env, ir_bin(fn, env->blk, lwp ? IR_CNE : IR_CEQ, tid,
			       tgid));
	dt_st_need(env, proc_sysexit_is(env, proc_fork_nrs,
					sizeof(proc_fork_nrs) /
					sizeof(proc_fork_nrs[0])));
}

/* The entry check: is this firing the probe's ("when" in the essay)? */
static void proc_entry(dt_lowerenv_t *env, const dt_probe_t *prb, int which)
{
	const dt_stbtf_t *pb = dt_st_btf(prb);
	ir_func_t *fn = env->fn;
	ir_ref_t sig, live;

	switch (which) {
	case P_CREATE:
		dt_st_need(env, ir_bin(fn, env->blk, IR_CEQ,
				       proc_child_is_thread(env, pb),
				       ir_con(fn, 0)));
		break;
	case P_LWP_CREATE:
		dt_st_need(env, proc_child_is_thread(env, pb));
		break;
	case P_EXIT:
		sig = dt_st_read(env, dt_st_current(env), pb->signal, 8);
		live = dt_st_read(env, sig, pb->live, 4);
		dt_st_need(env, ir_bin(fn, env->blk, IR_CEQ, live,
				       ir_con(fn, 0)));
		break;
	case P_SIGNAL_SEND:
	case P_SIGNAL_DISCARD:
		dt_st_need(env, proc_sig_result(env, which ==
						P_SIGNAL_DISCARD));
		break;
	case P_EXEC_FAILURE:
		dt_st_need(env, ir_bin(fn, env->blk, IR_CSLT,
				       dt_st_raw(env, 1), ir_con(fn, 0)));
		dt_st_need(env, proc_sysexit_is(env, proc_exec_nrs,
						sizeof(proc_exec_nrs) /
						sizeof(proc_exec_nrs[0])));
		break;
	case P_START:
	case P_LWP_START:
		proc_start(env, which == P_LWP_START);
		break;
	case P_SIGNAL_CLEAR:	/* it returned the signal it took */
		dt_st_need(env, ir_bin(fn, env->blk, IR_CSLT, ir_con(fn, 0),
				       dt_st_raw(env, 1)));
		dt_st_need(env, proc_sysexit_is(env, proc_sigwait_nrs, 1));
		break;
	default:
		break;
	}
}

/* exit's arg0: 1 + (code & 0x7f != 0) * (1 + (code & 0x80 != 0)). */
static ir_ref_t proc_exit_reason(dt_lowerenv_t *env, const dt_stbtf_t *pb)
{
	ir_func_t *fn = env->fn;
	ir_ref_t code = dt_st_read(env, dt_st_current(env), pb->exit_code, 4);
	ir_ref_t sig = ir_bin(fn, env->blk, IR_CNE, ir_bin(fn, env->blk,
			      IR_AND, code, ir_con(fn, 0x7f)), ir_con(fn, 0));
	ir_ref_t core = ir_bin(fn, env->blk, IR_CNE, ir_bin(fn, env->blk,
			       IR_AND, code, ir_con(fn, 0x80)), ir_con(fn, 0));
	ir_ref_t more = ir_bin(fn, env->blk, IR_MUL, sig, ir_bin(fn, env->blk,
			       IR_ADD, core, ir_con(fn, 1)));

	return ir_bin(fn, env->blk, IR_ADD, more, ir_con(fn, CLD_EXITED));
}

static ir_ref_t proc_sext32(dt_lowerenv_t *env, ir_ref_t v)
{
	return ir_emit(env->fn, env->blk, IR_SEXT32, ir_tmp(env->fn), v,
		       IR_NONE)->to;
}

static ir_ref_t proc_arg(dt_lowerenv_t *env, const dt_probe_t *prb, int which,
			 int n)
{
	switch (which) {
	case P_CREATE:
	case P_LWP_CREATE:
		return dt_st_raw(env, 1);
	case P_EXIT:
		return proc_exit_reason(env, dt_st_btf(prb));
	case P_SIGNAL_SEND:
	case P_SIGNAL_DISCARD:
		if (n < 2)
			return dt_st_raw(env, 2);
		return proc_sext32(env, dt_st_raw(env, 0));
	case P_SIGNAL_HANDLE:
		if (n == 0)
			return proc_sext32(env, dt_st_raw(env, 0));
		if (n == 1)
			return dt_st_raw(env, 1);
		/* ka->sa.sa_handler: the first word of struct k_sigaction */
		return dt_st_read(env, dt_st_raw(env, 2), 0, 8);
	case P_EXEC:		/* bprm->filename */
		return dt_st_read(env, dt_st_raw(env, 1),
				  dt_st_btf(prb)->bprm_filename, 8);
	case P_SIGNAL_CLEAR:	/* ret */
		return proc_sext32(env, dt_st_raw(env, 1));
	case P_EXEC_FAILURE:	/* -ret */
		return ir_bin(env->fn, env->blk, IR_SUB, ir_con(env->fn, 0),
			      dt_st_raw(env, 1));
	default:
		return IR_NONE;
	}
}

static const dt_stprov_t proc_st = {
	.ops = &dt_prov_proc,
	.probes = proc_probes,
	.nprobes = P_NPROBES,
	.entry = proc_entry,
	.arg = proc_arg,
};

static int proc_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	return dt_st_populate(dtp, pd, &proc_st);
}

const dt_provops_t dt_prov_proc = {
	.name = "proc",
	.attr = &dt_st_attr,
	.argtypes = dt_st_argtypes,
	.populate = proc_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = dt_st_kind,
	.lower = dt_st_lower,
	.attach = dt_st_attach,
};
