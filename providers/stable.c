/*
 * stable.c - what the stable providers built on raw tracepoints (proc.c,
 * sched.c, io.c) share: a table of probes per provider, each on one raw
 * tracepoint of the kernel, so that they work on kernels without kprobes
 * (Oracle's DTrace uses fbt for several of them), the few no tracepoint
 * can give on kernel functions where the kernel can trace them.
 *
 * A provider describes itself with a dt_stprov_t: its probes (name, raw
 * tracepoint, argument types for -lv) and two code-generation hooks, the
 * entry check (is this firing one of the probe's?  DT_PV_ENTRY) and the
 * arguments.  Everything else is here: populating (all of a provider's
 * probes at once, as Oracle's DTrace does, under module "vmlinux"),
 * program kinds (each probe its own: one program per probe and clause
 * set, its probe id a constant), attaching with bpf_raw_tracepoint_open
 * (a link that closes in microseconds: no perf event, nothing for the
 * reaper), and the kernel struct members the hooks read, whose offsets
 * come from the kernel's BTF (the handle's, dt_vmlinux_btf) the first
 * time a program needs one; a kernel without BTF (or without a member) is refused
 * when such a probe is enabled, and a kernel without a probe's tracepoint
 * when it is attached, naming what is missing.
 *
 * The raw context is the tracepoint's TP_PROTO arguments, 64 bits each
 * (dt_st_raw).  Tracepoints that fire in another thread than DTrace's
 * probe should are not used, with one exception: a probe whose provider
 * names the task it describes (the task hook, DT_PV_TASK: sched:::on-cpu,
 * on sched_switch, describes next), for which the compiler reads the
 * thread context from that task and refuses what only the running thread
 * can give.  The tables say in which thread each fires.
 *
 * Probes no tracepoint can give may name kernel functions instead
 * (kfuncs, those the kernel's BTF has): kprobes on all of them where the
 * kernel has the kprobe PMU (entry only: kretprobes have lost the
 * arguments), else fentry or fexit on the one function (a program is
 * loaded for one function).  The probe's mode (DT_ST_*) is in its kind,
 * which gives the program type, and dt_st_farg reads a function argument
 * from the registers or the trampoline's context accordingly.
 * Where they cannot be traced, a probe may fall back on a raw tracepoint
 * (fallback) that the provider's hook says can serve it here, its entry
 * check picking the firings that are the probe's (sched:::tick on the
 * tick's hrtimer, sched.c).
 *
 * Listing is honest: a probe on a bare tracepoint (no tracefs event) is
 * inserted only where the kernel's BTF has it, one on kernel functions
 * only where the kernel can trace them, and a probe that cannot be had
 * never is; a description that names such a probe exactly fails in
 * populate with why (what the kernel lacks) instead of matching nothing.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

/* The members hooks read: struct, member, where the offset goes. */
static const struct st_member {
	const char *sname, *member;
	size_t field;
} st_members[] = {
	{ "task_struct", "pid", offsetof(dt_stbtf_t, pid) },
	{ "task_struct", "tgid", offsetof(dt_stbtf_t, tgid) },
	{ "task_struct", "signal", offsetof(dt_stbtf_t, signal) },
	{ "task_struct", "exit_code", offsetof(dt_stbtf_t, exit_code) },
	{ "signal_struct", "live", offsetof(dt_stbtf_t, live) },
	{ "linux_binprm", "filename", offsetof(dt_stbtf_t, bprm_filename) },
	{ "request", "bio", offsetof(dt_stbtf_t, rq_bio) },
	{ "rq", "cpu", offsetof(dt_stbtf_t, rq_cpu) },
	{ "task_struct", "prio", offsetof(dt_stbtf_t, prio) },
	{ "task_struct", "static_prio", offsetof(dt_stbtf_t, static_prio) },
	{ "hrtimer", "function", offsetof(dt_stbtf_t, hrtimer_function) },
};

static int32_t member_off(struct btf *btf, const char *sname,
			  const char *member, dt_stbtf_t *sb)
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
	if (sb->err == 0) {
		sb->err = -1;
		snprintf(sb->missing, sizeof(sb->missing), "struct %s has no "
			 "member %s", sname, member);
	}
	return 0;
}

const dt_stbtf_t *dt_st_btf(const dt_probe_t *prb)
{
	dt_stbtf_t *sb = ((const dt_stdata_t *)prb->data)->btf;
	struct btf *btf;

	if (sb->loaded)
		return sb;
	sb->loaded = true;
	if ((btf = dt_vmlinux_btf(sb->dtp)) == NULL) {
		sb->err = errno;
		return sb;
	}
	for (size_t i = 0; i < sizeof(st_members) / sizeof(st_members[0]);
	     i++)
		*(int32_t *)((char *)sb + st_members[i].field) =
			member_off(btf, st_members[i].sname,
				   st_members[i].member, sb);
	return sb;
}

/* ---- probes --------------------------------------------------------------- */

static const dt_stdata_t *st_data(const dt_probe_t *prb)
{
	return prb->data;
}

int dt_st_which(const dt_probe_t *prb)
{
	return st_data(prb)->which;
}

static const dt_stprobe_t *st_probe(const dt_probe_t *prb)
{
	const dt_stdata_t *d = st_data(prb);

	return &d->sp->probes[d->which];
}

int dt_st_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
		   char types[][DT_TYPE_NAME_MAX], int max)
{
	const dt_stprobe_t *p = st_probe(prb);
	int n = 0;

	(void)dtp;
	for (; n < p->nargs && n < max; n++)
		snprintf(types[n], DT_TYPE_NAME_MAX, "%s", p->types[n]);
	return n;
}

/* Can probe p be had here on a tracepoint?  A bare tracepoint is looked
   for in the kernel's BTF (its btf_trace_<name> typedef; a kernel without
   BTF is left to fail at attach, naming what is missing). */
static bool st_here(dtrace_hdl_t *dtp, const dt_stprobe_t *p)
{
	const dt_kbtf_t *kb;

	if (p->rawtp == NULL)
		return false;
	if (!p->bare || (kb = dt_kbtf(dtp)) == NULL)
		return true;
	return dt_kbtf_rawtp(kb, p->rawtp) != 0;
}

/* Can probe p be had here on its kernel functions (p->kfuncs)?  Fills d's
   mode and functions and returns NULL, or says why not in why: kprobes
   on all the functions BTF has (entry only: a kretprobe no longer has
   the arguments), else fentry or fexit on the one function (a program is
   loaded for one function). */
static const char *st_kfuncs(dtrace_hdl_t *dtp, const dt_stprobe_t *p,
			     dt_stdata_t *d, char *why, size_t size)
{
	const dt_kbtf_t *kb;
	uint32_t proto = 0, pr, id;

	if (p->kfuncs[0] == NULL)
		return "this provider does not trace them";
	if ((kb = dt_kbtf(dtp)) == NULL) {
		snprintf(why, size, "this kernel has no BTF to find %s in",
			 p->kfuncs[0]);
		return why;
	}
	d->nfuncs = 0;
	for (int i = 0; i < DT_ST_MAXFUNCS && p->kfuncs[i] != NULL; i++)
		if ((pr = dt_kbtf_func(kb, p->kfuncs[i], &id)) != 0) {
			proto = pr;	/* fentry: the one function's */
			d->func_id = id;
			d->funcs[d->nfuncs++] = p->kfuncs[i];
		}
	if (d->nfuncs == 0) {
		snprintf(why, size, "this kernel has no %s%s", p->kfuncs[0],
			 p->kfuncs[1] != NULL ? " (nor the others)" : "");
		return why;
	}
	dt_features_kfunc(dtp);
	if (!p->kret && dtp->feat.kprobe_type >= 0) {
		d->mode = DT_ST_KPROBE;
		return NULL;
	}
	if (d->nfuncs == 1 && dtp->feat.fentry_errno == 0 &&
	    dt_kbtf_words(kb, proto, DT_REGS_ARGS)) {
		d->mode = DT_ST_FENTRY;
		return NULL;
	}
	if (dtp->feat.fentry_errno != 0)
		snprintf(why, size, "%s, and fentry programs cannot be "
			 "loaded (%s)", p->kret ? "its return needs fexit "
			 "(a kretprobe has lost the arguments)" : "this kernel "
			 "has no kprobes (CONFIG_KPROBES is not set)",
			 strerror(dtp->feat.fentry_errno));
	else
		snprintf(why, size, "this kernel has no kprobes and %s%s",
			 d->nfuncs > 1 ? "fentry would need a program per "
			 "function: " : "fentry cannot pass the arguments of ",
			 d->funcs[0]);
	return why;
}

/* Where its kernel functions cannot be traced (why says so), can probe p
   be had on its fallback tracepoint?  NULL and d filled, or why not
   (appended to why). */
static const char *st_fallback(dtrace_hdl_t *dtp, const dt_stprov_t *sp,
			       const dt_stprobe_t *p, dt_stdata_t *d,
			       const char *kwhy, char *why, size_t size)
{
	const dt_kbtf_t *kb = dt_kbtf(dtp);
	size_t n;
	const char *no;

	if (p->fallback == NULL || sp->fallback == NULL)
		return kwhy;
	if (kwhy != why)
		snprintf(why, size, "%s", kwhy);
	n = strlen(why);
	if (n + 3 >= size)
		return why;
	if (kb == NULL || dt_kbtf_rawtp(kb, p->fallback) == 0) {
		snprintf(why + n, size - n, "; nor has it the %s tracepoint",
			 p->fallback);
		return why;
	}
	if ((no = sp->fallback(dtp, p, &d->addr, why + n + 2,
			       size - n - 2)) != NULL) {
		if (no != why + n + 2)
			snprintf(why + n + 2, size - n - 2, "%s", no);
		memcpy(why + n, "; ", 2);
		return why;
	}
	d->mode = DT_ST_RAWTP;
	d->fallback = true;
	return NULL;
}

/* A description naming probe p (no pattern) that cannot be had here: the
   error says why, instead of "does not match any probes". */
static int st_missing(dtrace_hdl_t *dtp, const dt_stprov_t *sp,
		      const dt_stprobe_t *p, const char *why)
{
	if (p->rawtp != NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "%s:::%s is not "
				    "available on this kernel: it has no %s "
				    "tracepoint (a bare tracepoint of recent "
				    "kernels)", sp->ops->name, p->name,
				    p->rawtp);
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "%s:::%s is not "
			    "available: %s; %s", sp->ops->name, p->name,
			    p->lacks, why);
}

static bool st_is_pattern(const char *s)
{
	return s[0] == '\0' || strpbrk(s, "*?[\\") != NULL;
}

/* The probes are fixed: all of them that this kernel can have are
   inserted (once), sharing one dt_stbtf_t; those on kernel functions only
   when the description's name matches theirs (deciding how they can be
   had reads BTF and probes kprobes and fentry: not for sched:::on-cpu). */
int dt_st_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
		   const dt_stprov_t *sp)
{
	dt_stbtf_t *sb = NULL;
	int n = 0;

	if (!dt_gmatch("vmlinux", pd->mod) || !dt_gmatch("", pd->func))
		return 0;
	for (int i = 0; i < sp->nprobes; i++) {
		const dt_stprobe_t *p = &sp->probes[i];
		dt_stdata_t *d = dl_alloc(dtp->arena, sizeof(*d));
		const char *why = "";
		char buf[400];
		dt_probe_t *prb;

		/* before st_here: a bare tracepoint's look-up loads the
		   kernel's BTF (20 ms), which `BEGIN` alone must not pay */
		if (!dt_gmatch(p->name, pd->name))
			continue;
		if (!st_here(dtp, p) &&
		    (why = st_kfuncs(dtp, p, d, buf, sizeof(buf))) != NULL &&
		    (why = st_fallback(dtp, sp, p, d, why, buf,
				       sizeof(buf))) != NULL) {
			if (!st_is_pattern(pd->name) &&
			    strcmp(pd->name, p->name) == 0)
				return st_missing(dtp, sp, p, why);
			continue;
		}

		d->sp = sp;
		d->which = i;
		d->btf = sb;
		prb = dt_probe_insert(dtp, sp->ops, "vmlinux", "", p->name, d);
		if (prb == NULL)
			return -1;
		d = prb->data;	/* the probe's, if it existed */
		if (d->btf == NULL)
			d->btf = sb != NULL ? sb :
				 dl_alloc(dtp->arena, sizeof(*sb));
		sb = d->btf;
		sb->dtp = dtp;
		prb->nargs = p->nargs;
		n += dt_gmatch(p->name, pd->name);
	}
	return n;
}

/* Each probe its own kind (its program serves it alone), and what it is
   on above the probe's index. */
int dt_st_kind(const dt_probe_t *prb)
{
	return dt_st_which(prb) | st_data(prb)->mode << 8;
}

int dt_st_prog_type_of(int kind)
{
	switch (kind >> 8) {
	case DT_ST_KPROBE:
		return BPF_PROG_TYPE_KPROBE;
	case DT_ST_FENTRY:
		return BPF_PROG_TYPE_TRACING;
	default:
		return BPF_PROG_TYPE_RAW_TRACEPOINT;
	}
}

/* fentry and fexit programs are loaded for their function. */
int dt_st_prepare(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	const dt_stdata_t *d = st_data(bp->probes[0]);

	(void)dtp;
	if (d->mode == DT_ST_FENTRY) {
		bp->attach_type = st_probe(bp->probes[0])->kret ?
				  BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
		bp->attach_btf_id = d->func_id;
	}
	return 0;
}

/* ---- code generation ------------------------------------------------------ */

void dt_st_need(dt_lowerenv_t *env, ir_ref_t cond)
{
	ir_blk_t *ok = ir_blk_new(env->fn);

	ir_jnz(env->blk, cond, ok, env->exit);
	env->blk = ok;
}

ir_ref_t dt_st_raw(dt_lowerenv_t *env, int n)
{
	return ir_load(env->fn, env->blk, 8, env->ctx, 8 * n);
}

ir_ref_t dt_st_read(dt_lowerenv_t *env, ir_ref_t addr, int32_t off, int size)
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

ir_ref_t dt_st_current(dt_lowerenv_t *env)
{
	return ir_call(env->fn, env->blk, BPF_FUNC_get_current_task, 0, NULL);
}

ir_ref_t dt_st_farg(dt_lowerenv_t *env, const dt_probe_t *prb, int n)
{
	if (st_data(prb)->mode == DT_ST_KPROBE)
		return dt_regs_arg(env, n, false);
	return ir_load(env->fn, env->blk, 8, env->ctx, 8 * n);
}

uint64_t dt_st_addr(const dt_probe_t *prb)
{
	return st_data(prb)->fallback ? st_data(prb)->addr : 0;
}

ir_ref_t dt_st_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
		     dt_pvar_t what, int n)
{
	const dt_stdata_t *d = st_data(prb);

	switch (what) {
	case DT_PV_ENTRY:
		if (d->sp->entry != NULL)
			d->sp->entry(env, prb, d->which);
		return IR_NONE;
	case DT_PV_PROBEID:
		return ir_con(env->fn, prb->id);
	case DT_PV_ARG:
		if (n < 0 || n >= d->sp->probes[d->which].nargs)
			return IR_NONE;
		return d->sp->arg(env, prb, d->which, n);
	case DT_PV_TASK:
		if (d->sp->task == NULL)
			return IR_NONE;
		return d->sp->task(env, prb, d->which);
	default:
		return IR_NONE;
	}
}

/* ---- attach --------------------------------------------------------------- */

static int st_open(dtrace_hdl_t *dtp, dt_probe_t *prb, const char *rawtp,
		   const char *since, int prog_fd)
{
	int fd;

	if ((fd = bpf_raw_tracepoint_open(rawtp, prog_fd)) >= 0) {
		dt_keep_fd(dtp, fd);
		return 0;
	}
	if (errno == ENOENT && since != NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				    "%s:%s:%s:%s: this kernel has no %s "
				    "tracepoint (it came in Linux %s)",
				    prb->prov, prb->mod, prb->func, prb->name,
				    rawtp, since);
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: bpf_raw_tracepoint_open(%s): %s",
			    prb->prov, prb->mod, prb->func, prb->name,
			    rawtp, strerror(errno));
}

/* kprobes (on the kprobe PMU, as fbt's) on each function; an fentry or
   fexit link. */
static int st_attach_kfuncs(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	const dt_stdata_t *d = st_data(prb);

	if (d->mode == DT_ST_FENTRY) {
		char what[128];

		snprintf(what, sizeof(what), "%s link on %s",
			 st_probe(prb)->kret ? "fexit" : "fentry",
			 d->funcs[0]);
		return dt_tracing_attach(dtp, prb, prog_fd, what);
	}
	for (int i = 0; i < d->nfuncs; i++) {
		struct perf_event_attr attr = {
			.type = (uint32_t)dtp->feat.kprobe_type,
			.config1 = (uint64_t)(uintptr_t)d->funcs[i],
		};

		if (dt_perf_attach(dtp, prb, &attr, 0, prog_fd, prb->id) < 0)
			return -1;
	}
	return 0;
}

int dt_st_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	const dt_stprobe_t *p = st_probe(prb);

	if (p->btf) {
		const dt_stbtf_t *sb = dt_st_btf(prb);

		if (sb->err != 0)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to "
					    "enable %s:%s:%s:%s: %s", prb->prov,
					    prb->mod, prb->func, prb->name,
					    sb->err > 0 ? "kernel type "
					    "information (BTF) is not "
					    "available" : sb->missing);
	}
	if (st_data(prb)->mode != DT_ST_RAWTP)
		return st_attach_kfuncs(dtp, prb, prog_fd);
	if (st_data(prb)->fallback)
		return st_open(dtp, prb, p->fallback, NULL, prog_fd);
	if (st_open(dtp, prb, p->rawtp, p->since, prog_fd) < 0)
		return -1;
	if (p->rawtp2 != NULL)
		return st_open(dtp, prb, p->rawtp2, p->since, prog_fd);
	return 0;
}

/* Oracle's values for these providers. */
const dt_provattr_t dt_st_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.args = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
};
