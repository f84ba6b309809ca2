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
 *
 * Arguments.  DTrace's are translated structures (psinfo_t, lwpsinfo_t)
 * for the tasks involved; translators are not there yet, so those
 * arguments are the kernel's struct task_struct pointers that Oracle's
 * translators start from (a script can cast them: ((struct task_struct
 * *)arg0)->pid), and the integer arguments are DTrace's:
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
 *
 * "Queued" is the kernel's TRACE_SIGNAL_DELIVERED or LOSE_INFO result (the
 * cases in which it calls complete_signal, Oracle's probe point), "ignores
 * it" TRACE_SIGNAL_IGNORED; a signal already pending is neither.
 *
 * Programs.  Each probe is its own kind: one raw tracepoint program per
 * probe and clause set, attached with bpf_raw_tracepoint_open (a link that
 * closes in microseconds: no perf event, nothing for the reaper), its
 * probe id a constant.  The program's entry check (DT_PV_ENTRY) is the
 * "when" column.  The raw context is the tracepoint's TP_PROTO arguments,
 * 64 bits each; sched_process_exit's second one (group_dead) exists only
 * on newer kernels, so the last thread is found as the kernel does, by
 * signal->live having dropped to 0 (the tracepoint fires after the
 * decrement).  The struct members read (task_struct's pid, tgid, signal,
 * exit_code; signal_struct's live) have their offsets from the kernel's
 * BTF, loaded once per handle the first time a program needs one; a
 * kernel without BTF is refused when the probe is enabled.
 *
 * Probe data: a proc_data_t in the handle's arena, pointing to the
 * handle's one proc_btf_t.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "provider.h"

#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define SIG_DELIVERED 0		/* enum trace_signal_result */
#define SIG_IGNORED 1
#define SIG_LOSE_INFO 4

/* The member offsets programs read, from BTF once. */
typedef struct proc_btf {
	bool loaded;
	int err;		/* errno, or -1: a member is missing */
	char missing[64];	/* which */
	int32_t pid, tgid, signal, exit_code;	/* in struct task_struct */
	int32_t live;		/* in struct signal_struct (atomic_t) */
} proc_btf_t;

enum {
	P_CREATE, P_LWP_CREATE, P_EXEC_SUCCESS, P_EXIT, P_SIGNAL_SEND,
	P_SIGNAL_DISCARD, P_SIGNAL_HANDLE, P_NPROBES
};

static const struct proc_probe {
	const char *name;
	const char *rawtp;
	int nargs;
	bool btf;		/* reads members */
	const char *types[3];	/* for -lv */
} proc_probes[P_NPROBES] = {
	[P_CREATE] = { "create", "sched_process_fork", 1, true,
		       { "struct task_struct *" } },
	[P_LWP_CREATE] = { "lwp-create", "sched_process_fork", 2, true,
			   { "struct task_struct *", "struct task_struct *" } },
	[P_EXEC_SUCCESS] = { "exec-success", "sched_process_exec", 0, false,
			     { NULL } },
	[P_EXIT] = { "exit", "sched_process_exit", 1, true, { "int" } },
	[P_SIGNAL_SEND] = { "signal-send", "signal_generate", 3, false,
			    { "struct task_struct *", "struct task_struct *",
			      "int" } },
	[P_SIGNAL_DISCARD] = { "signal-discard", "signal_generate", 3, false,
			       { "struct task_struct *",
				 "struct task_struct *", "int" } },
	[P_SIGNAL_HANDLE] = { "signal-handle", "signal_deliver", 3, false,
			      { "int", "struct kernel_siginfo *",
				"void (*)(void)" } },
};

typedef struct proc_data {
	int which;		/* P_* */
	proc_btf_t *btf;	/* the handle's */
} proc_data_t;

/* ---- BTF offsets ---------------------------------------------------------- */

static int32_t member_off(struct btf *btf, const char *sname,
			  const char *member, proc_btf_t *pb)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *n = btf__name_by_offset(btf, m->name_off);

			if (n != NULL && strcmp(n, member) == 0)
				return (int32_t)(btf_member_bit_offset(t, i) /
						 8);
		}
	}
	if (pb->err == 0) {
		pb->err = -1;
		snprintf(pb->missing, sizeof(pb->missing), "struct %s has no "
			 "member %s", sname, member);
	}
	return 0;
}

/* Load the offsets once (their absence is reported when attaching). */
static const proc_btf_t *proc_btf(const proc_data_t *d)
{
	proc_btf_t *pb = d->btf;
	struct btf *btf;

	if (pb->loaded)
		return pb;
	pb->loaded = true;
	if ((btf = btf__load_vmlinux_btf()) == NULL) {
		pb->err = errno != 0 ? errno : ENOENT;
		return pb;
	}
	pb->pid = member_off(btf, "task_struct", "pid", pb);
	pb->tgid = member_off(btf, "task_struct", "tgid", pb);
	pb->signal = member_off(btf, "task_struct", "signal", pb);
	pb->exit_code = member_off(btf, "task_struct", "exit_code", pb);
	pb->live = member_off(btf, "signal_struct", "live", pb);
	btf__free(btf);
	return pb;
}

/* ---- stability and argument types (dtrace -lv) ---------------------------- */

/* Oracle's values for this provider. */
static const dt_provattr_t proc_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.args = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
};

static int proc_which(const dt_probe_t *prb)
{
	return ((const proc_data_t *)prb->data)->which;
}

static int proc_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			 char types[][DT_TYPE_NAME_MAX], int max)
{
	const struct proc_probe *p = &proc_probes[proc_which(prb)];
	int n = 0;

	(void)dtp;
	for (; n < p->nargs && n < max; n++)
		snprintf(types[n], DT_TYPE_NAME_MAX, "%s", p->types[n]);
	return n;
}

/* ---- populate ------------------------------------------------------------- */

/* The probes are fixed: all of them are inserted (once), as in Oracle's
   DTrace, sharing one proc_btf_t. */
static int proc_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	proc_btf_t *pb = NULL;
	int n = 0;

	if (!dt_gmatch("vmlinux", pd->mod) || !dt_gmatch("", pd->func))
		return 0;
	for (int i = 0; i < P_NPROBES; i++) {
		proc_data_t *d = dl_alloc(dtp->arena, sizeof(*d));
		dt_probe_t *prb;

		d->which = i;
		d->btf = pb;
		prb = dt_probe_insert(dtp, &dt_prov_proc, "vmlinux", "",
				      proc_probes[i].name, d);
		if (prb == NULL)
			return -1;
		d = prb->data;	/* the probe's, if it existed */
		if (d->btf == NULL)
			d->btf = pb != NULL ? pb :
				 dl_alloc(dtp->arena, sizeof(*pb));
		pb = d->btf;
		prb->nargs = proc_probes[i].nargs;
		n += dt_gmatch(proc_probes[i].name, pd->name);
	}
	return n;
}

/* ---- code generation ------------------------------------------------------ */

/* Go on in a new block if cond is nonzero; else the firing is not ours. */
static void proc_need(dt_lowerenv_t *env, ir_ref_t cond)
{
	ir_blk_t *ok = ir_blk_new(env->fn);

	ir_jnz(env->blk, cond, ok, env->exit);
	env->blk = ok;
}

/* The raw tracepoint's argument n. */
static ir_ref_t proc_raw(dt_lowerenv_t *env, int n)
{
	return ir_load(env->fn, env->blk, 8, env->ctx, 8 * n);
}

/* size bytes of kernel memory at addr + off (0 if that faults). */
static ir_ref_t proc_read(dt_lowerenv_t *env, ir_ref_t addr, int32_t off,
			  int size)
{
	ir_func_t *fn = env->fn;
	int32_t slot = ir_frame_alloc(fn, 8);
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot)),
		ir_con(fn, size),
		ir_bin(fn, env->blk, IR_ADD, addr, ir_con(fn, off)),
	};

	ir_store(fn, env->blk, 8, ir_reg(IR_FP), slot, ir_con(fn, 0));
	ir_call(fn, env->blk, BPF_FUNC_probe_read_kernel, 3, args);
	return ir_load(fn, env->blk, size, ir_reg(IR_FP), slot);
}

static ir_ref_t proc_current(dt_lowerenv_t *env)
{
	return ir_call(env->fn, env->blk, BPF_FUNC_get_current_task, 0, NULL);
}

/* sched_process_fork: is the child (raw argument 1) a thread? */
static ir_ref_t proc_child_is_thread(dt_lowerenv_t *env,
				     const proc_btf_t *pb)
{
	ir_ref_t child = proc_raw(env, 1);
	ir_ref_t pid = proc_read(env, child, pb->pid, 4);
	ir_ref_t tgid = proc_read(env, child, pb->tgid, 4);

	return ir_bin(env->fn, env->blk, IR_CNE, pid, tgid);
}

/* signal_generate's result (raw argument 4): queued, or ignored. */
static ir_ref_t proc_sig_result(dt_lowerenv_t *env, bool discard)
{
	ir_func_t *fn = env->fn;
	ir_ref_t r = ir_emit(fn, env->blk, IR_ZEXT32, ir_tmp(fn),
			     proc_raw(env, 4), IR_NONE)->to;

	if (discard)
		return ir_bin(fn, env->blk, IR_CEQ, r, ir_con(fn, SIG_IGNORED));
	return ir_bin(fn, env->blk, IR_OR,
		      ir_bin(fn, env->blk, IR_CEQ, r, ir_con(fn, SIG_DELIVERED)),
		      ir_bin(fn, env->blk, IR_CEQ, r,
			     ir_con(fn, SIG_LOSE_INFO)));
}

/* The entry check: is this firing the probe's ("when" in the essay)? */
static ir_ref_t proc_entry(dt_lowerenv_t *env, const dt_probe_t *prb)
{
	const proc_btf_t *pb = proc_btf(prb->data);
	ir_func_t *fn = env->fn;
	ir_ref_t sig, live;

	switch (proc_which(prb)) {
	case P_CREATE:
		proc_need(env, ir_bin(fn, env->blk, IR_CEQ,
				      proc_child_is_thread(env, pb),
				      ir_con(fn, 0)));
		break;
	case P_LWP_CREATE:
		proc_need(env, proc_child_is_thread(env, pb));
		break;
	case P_EXIT:
		sig = proc_read(env, proc_current(env), pb->signal, 8);
		live = proc_read(env, sig, pb->live, 4);
		proc_need(env, ir_bin(fn, env->blk, IR_CEQ, live,
				      ir_con(fn, 0)));
		break;
	case P_SIGNAL_SEND:
	case P_SIGNAL_DISCARD:
		proc_need(env, proc_sig_result(env, proc_which(prb) ==
					       P_SIGNAL_DISCARD));
		break;
	default:
		break;
	}
	return IR_NONE;
}

/* exit's arg0: 1 + (code & 0x7f != 0) * (1 + (code & 0x80 != 0)). */
static ir_ref_t proc_exit_reason(dt_lowerenv_t *env, const proc_btf_t *pb)
{
	ir_func_t *fn = env->fn;
	ir_ref_t code = proc_read(env, proc_current(env), pb->exit_code, 4);
	ir_ref_t sig = ir_bin(fn, env->blk, IR_CNE, ir_bin(fn, env->blk,
			      IR_AND, code, ir_con(fn, 0x7f)), ir_con(fn, 0));
	ir_ref_t core = ir_bin(fn, env->blk, IR_CNE, ir_bin(fn, env->blk,
			       IR_AND, code, ir_con(fn, 0x80)), ir_con(fn, 0));
	ir_ref_t more = ir_bin(fn, env->blk, IR_MUL, sig, ir_bin(fn, env->blk,
			       IR_ADD, core, ir_con(fn, 1)));

	return ir_bin(fn, env->blk, IR_ADD, more, ir_con(fn, CLD_EXITED));
}

static ir_ref_t proc_arg(dt_lowerenv_t *env, const dt_probe_t *prb, int n)
{
	ir_func_t *fn = env->fn;

	if (n < 0 || n >= proc_probes[proc_which(prb)].nargs)
		return IR_NONE;
	switch (proc_which(prb)) {
	case P_CREATE:
	case P_LWP_CREATE:
		return proc_raw(env, 1);
	case P_EXIT:
		return proc_exit_reason(env, proc_btf(prb->data));
	case P_SIGNAL_SEND:
	case P_SIGNAL_DISCARD:
		if (n < 2)
			return proc_raw(env, 2);
		return ir_emit(fn, env->blk, IR_SEXT32, ir_tmp(fn),
			       proc_raw(env, 0), IR_NONE)->to;
	case P_SIGNAL_HANDLE:
		if (n == 0)
			return ir_emit(fn, env->blk, IR_SEXT32, ir_tmp(fn),
				       proc_raw(env, 0), IR_NONE)->to;
		if (n == 1)
			return proc_raw(env, 1);
		/* ka->sa.sa_handler: the first word of struct k_sigaction */
		return proc_read(env, proc_raw(env, 2), 0, 8);
	default:
		return IR_NONE;
	}
}

static ir_ref_t proc_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			   dt_pvar_t what, int n)
{
	switch (what) {
	case DT_PV_ENTRY:
		return proc_entry(env, prb);
	case DT_PV_PROBEID:
		return ir_con(env->fn, prb->id);
	case DT_PV_ARG:
		return proc_arg(env, prb, n);
	default:
		return IR_NONE;
	}
}

/* Each probe its own kind: its program serves it alone. */
static int proc_kind(const dt_probe_t *prb)
{
	return proc_which(prb);
}

/* ---- attach --------------------------------------------------------------- */

static int proc_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	const struct proc_probe *p = &proc_probes[proc_which(prb)];
	const proc_btf_t *pb = proc_btf(prb->data);
	int fd;

	if (p->btf && pb->err != 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				    "%s:%s:%s:%s: %s", prb->prov, prb->mod,
				    prb->func, prb->name, pb->err > 0 ?
				    "kernel type information (BTF) is not "
				    "available" : pb->missing);
	if ((fd = bpf_raw_tracepoint_open(p->rawtp, prog_fd)) < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				    "%s:%s:%s:%s: bpf_raw_tracepoint_open(%s): "
				    "%s", prb->prov, prb->mod, prb->func,
				    prb->name, p->rawtp, strerror(errno));
	dt_keep_fd(dtp, fd);
	return 0;
}

const dt_provops_t dt_prov_proc = {
	.name = "proc",
	.attr = &proc_attr,
	.argtypes = proc_argtypes,
	.populate = proc_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = proc_kind,
	.lower = proc_lower,
	.attach = proc_attach,
};
