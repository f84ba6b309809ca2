/*
 * syscall.c - the syscall provider: syscall:vmlinux:<name>:entry and
 * syscall:vmlinux:<name>:return, served by the raw tracepoints sys_enter
 * and sys_exit.
 *
 * Probes.  The names are the kernel's syscall tracepoints, listed from
 * tracefs (events/syscalls/sys_enter_<name>, sys_exit_<name>), lazily: a
 * description whose function field is a plain name costs one format file
 * per probe; a pattern costs one readdir, matched before anything is
 * inserted.  Probes come in the kernel's order, the order of
 * available_events, as in Oracle's DTrace.  An entry probe's argument
 * count comes from its format file (the fields at or past offset 16), read
 * when the probe is named exactly, or when its program is prepared.
 *
 * Programs.  Every probe whose syscall has a number in the generated table
 * (syscall_nrs.h, see scripts/gen-syscalls.sh) is served by ONE raw
 * tracepoint program per kind, attached once, to sys_enter or sys_exit,
 * however many probes it has: `syscall:::entry` is one load and one
 * attachment, and letting go of it is one link to close (a raw tracepoint
 * link closes in milliseconds; a tracepoint perf event takes ~45 ms and its
 * link ~26 ms, serialized by the kernel).  The raw tracepoints fire for
 * every syscall, so each program starts with the provider's entry check
 * (DT_PV_ENTRY): is this firing one of mine, and which probe is it?
 *
 *	sys_enter  ctx = { struct pt_regs *regs, long nr }
 *	sys_exit   ctx = { struct pt_regs *regs, long ret }, nr = regs->orig_ax
 *
 * A program with one probe compares nr with that syscall's number.  A
 * program with several looks nr up in its own array map (DL_MAP_PROG, made
 * by prepare()): value = probe id | argument count << 32, 0 for syscalls
 * that are not its probes; numbers past the table are not ours either (the
 * x32 ABI's have bit 30 set, and rt_sigreturn leaves orig_ax at -1).
 * Then, as the kernel's syscall tracepoints do, firings of 32-bit (compat)
 * syscalls are dropped: their numbers are those of another table.  The
 * test is the low 16 bits of regs->cs == __USER32_CS, the code segment
 * every 32-bit task runs in.  (The kernel tests TS_COMPAT in
 * thread_info.status instead; a 64-bit task issuing `int $0x80` is seen
 * here as making the 64-bit syscall of that number, which the kernel
 * ignores.)
 *
 * BTF-typed raw tracepoints.  Where the kernel has them (tp_btf, 5.5+) and
 * can name btf_trace_sys_enter/_exit's BTF ids for us (features.c asks
 * the kernel itself, ~0.5 ms, rather than loading its 5 MB of BTF), the
 * programs are BPF_PROG_TYPE_TRACING ones attached as BPF_TRACE_RAW_TP to
 * the same hooks: the context is the same array, but regs is a BTF pointer
 * that the program reads with plain loads (the kernel turns them into
 * faulting loads) where a plain raw tracepoint program must call
 * bpf_probe_read_kernel for each read.  That makes the compat test one
 * load instead of a helper call, and the entry arguments loads too.
 * Measured with kernel.bpf_stats_enabled (run_time_ns / run_cnt of the
 * program, getppid 1M times, medians of 3): `syscall::getppid:entry
 * { @ = count(); }` went from 99 to 63 ns per run (doc/PERFORMANCE.md).
 * Both kernels we test on have ia32 emulation, so the compat test stays;
 * at one load it is not worth dropping where the kernel has none.  The
 * plain raw programs (one probe_read_kernel on entry, ~40 ns; none more
 * on return, where orig_ax and cs come in one read) remain for kernels
 * without tp_btf.
 *
 * Arguments: entry args 0..5 are the syscall's registers (di, si, dx, r10,
 * r8, r9: offsets from the user ABI's struct pt_regs, checked against the
 * kernel's BTF by a unit test), each read with bpf_probe_read_kernel; those
 * past the syscall's own count are 0 - known at compile time for a single
 * probe named exactly, else masked with the count from the map.  Return
 * probes have arg0 = arg1 = ret, and errno = -ret when ret is in
 * [-4095, -1], else 0.
 *
 * Stability and types (dtrace -lv): DTrace's attributes for this provider;
 * an entry probe's argument types are its format file's (as DTrace reads
 * them), read along with the count; a return probe's one typed argument is
 * a long, as in DTrace.
 *
 * Fallback.  A syscall the table does not know (a kernel newer than both
 * the headers and the table) keeps the tracepoint path: a tracepoint
 * program attached to syscalls:sys_enter_<name> (sys_exit_) through a perf
 * event and a BPF link per probe, the probe id in the attach cookie's low
 * half and the argument count in its high half; the record is
 *
 *	entry:	 8 int __syscall_nr; 16 + 8n: argument n (n < 6)
 *	return:	 8 int __syscall_nr; 16: long ret
 *
 * A fallback program shared by several syscalls reads its arguments with
 * bpf_probe_read_kernel (the kernel refuses to attach a tracepoint program
 * that loads past the record, and getppid's has no argument at all) and
 * masks those past the count from the cookie.
 *
 * Kinds (dt_provops_t.kind, the rows of sc_kinds[]): bit 0 return, bit 1
 * fallback, bit 2 BTF-typed.  Probe data: the same three bits, bits 3 up
 * the syscall number (raw) or the tracepoint id (fallback; 0 until read).
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/ptrace.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

#define ENTER_PREFIX "sys_enter_"
#define EXIT_PREFIX "sys_exit_"
#define REC_ARGS 16		/* tracepoint record: first argument, or ret */
#define RAW_REGS 0		/* raw context: struct pt_regs * */
#define RAW_NR_RET 8		/* raw context: nr (enter), ret (exit) */
#define USER32_CS 0x23		/* __USER32_CS: 32-bit user code */
#define MAX_ARGS 6
#define MAX_ERRNO 4095

#define D_RETURN 1u		/* probe data and kind bits */
#define D_TP 2u
#define D_BTF 4u
#define D_SHIFT 3

/* x86_64 syscall arguments in struct pt_regs, in order */
static const int32_t sc_arg_off[MAX_ARGS] = {
	offsetof(struct pt_regs, rdi), offsetof(struct pt_regs, rsi),
	offsetof(struct pt_regs, rdx), offsetof(struct pt_regs, r10),
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
};
#define REGS_ORIG_AX ((int32_t)offsetof(struct pt_regs, orig_rax))
#define REGS_CS ((int32_t)offsetof(struct pt_regs, cs))

/* ---- syscall numbers ----------------------------------------------------- */

typedef struct sc_nr {
	const char *name;	/* the tracepoint's name */
	int nr;
} sc_nr_t;

static const sc_nr_t sc_nrs[] = {
#define SC_NR(name, nr) { name, nr },
#include "syscall_nrs.h"
#undef SC_NR
	{ NULL, -1 }		/* the table may be empty */
};
#define SC_NNRS (sizeof(sc_nrs) / sizeof(sc_nrs[0]) - 1)

static int sc_nr_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const sc_nr_t *)row)->name);
}

/* The 64-bit number of the syscall whose tracepoint is name, or -1. */
static int sc_nr_of(const char *name)
{
	const sc_nr_t *r = bsearch(name, sc_nrs, SC_NNRS, sizeof(sc_nrs[0]),
				   sc_nr_cmp);

	return r != NULL ? r->nr : -1;
}

/* ---- probe data ---------------------------------------------------------- */

static uintptr_t sc_data(const dt_probe_t *prb)
{
	return (uintptr_t)prb->data;
}

static bool sc_is_return(const dt_probe_t *prb)
{
	return (sc_data(prb) & D_RETURN) != 0;
}

static bool sc_is_tp(const dt_probe_t *prb)
{
	return (sc_data(prb) & D_TP) != 0;
}

static bool sc_is_btf(const dt_probe_t *prb)
{
	return (sc_data(prb) & D_BTF) != 0;
}

/* The syscall number (raw), or the tracepoint id (fallback, 0: unknown). */
static int sc_value(const dt_probe_t *prb)
{
	return (int)(sc_data(prb) >> D_SHIFT);
}

static void *sc_make_data(const dtrace_hdl_t *dtp, const char *func,
			  bool ret)
{
	int nr = sc_nr_of(func);
	uintptr_t btf = dtp->feat.sys_btf[ret] != 0 ? D_BTF : 0;

	if (nr < 0)
		return (void *)(uintptr_t)(D_TP | ret);
	return (void *)(((uintptr_t)nr << D_SHIFT) | btf | ret);
}

/* Can the raw programs be BTF-typed (tp_btf)?  Asked once. */
static void sc_probe_btf(dtrace_hdl_t *dtp)
{
	dt_features_t *f = &dtp->feat;

	if (f->sys_btf_probed)
		return;
	f->sys_btf_probed = true;
	f->sys_btf[0] = dt_features_btf_id("btf_trace_sys_enter",
					   BTF_KIND_TYPEDEF);
	f->sys_btf[1] = f->sys_btf[0] == 0 ? 0 :
			dt_features_btf_id("btf_trace_sys_exit",
					   BTF_KIND_TYPEDEF);
}

/* ---- tracefs ------------------------------------------------------------- */

/* Read the format file of sys_enter_<func> (or sys_exit_, tpformat.c):
   returns the tracepoint id and sets *nargs (the fields at or past
   REC_ARGS, the syscall's arguments; DTrace's count for return probes is
   two) and, if types is not NULL, the types of the first max of those
   fields; or returns -1 with errno set. */
static int sc_format(const dtrace_hdl_t *dtp, const char *func, bool ret,
		     int *nargs, char (*types)[DT_TYPE_NAME_MAX], int max)
{
	char event[256];
	dt_tpformat_t *fmt = malloc(sizeof(*fmt));
	int id = -1, n = 0;

	snprintf(event, sizeof(event), "%s%s", ret ? EXIT_PREFIX : ENTER_PREFIX,
		 func);
	errno = ENOMEM;
	if (fmt != NULL &&
	    dt_tpformat_read(dtp->feat.tracefs, "syscalls", event, fmt) == 0) {
		id = fmt->id;
		for (int i = 0; i < fmt->nfields && i < DT_TP_MAX_FIELDS; i++) {
			if (fmt->fields[i].off < REC_ARGS)
				continue;
			if (types != NULL && n < max)
				snprintf(types[n], DT_TYPE_NAME_MAX, "%s",
					 fmt->fields[i].type);
			n++;
		}
	}
	free(fmt);
	*nargs = ret ? 2 : (n < MAX_ARGS ? n : MAX_ARGS);
	return id;
}

/* What a format file says: the count, and a fallback probe's tracepoint. */
static void sc_set_format(dt_probe_t *prb, int tpid, int nargs)
{
	if (sc_is_tp(prb))
		prb->data = (void *)(((uintptr_t)tpid << D_SHIFT) |
				     (sc_data(prb) & (D_TP | D_RETURN)));
	prb->nargs = nargs;
}

/* Read the probe's format if its count (or tracepoint id) is not known;
   a raw return probe needs neither (its count is 2). */
static int sc_need_format(dtrace_hdl_t *dtp, dt_probe_t *prb)
{
	int tpid, nargs;

	if (sc_is_return(prb) && !sc_is_tp(prb))
		prb->nargs = 2;
	if (prb->nargs >= 0 && (!sc_is_tp(prb) || sc_value(prb) != 0))
		return 0;
	tpid = sc_format(dtp, prb->func, sc_is_return(prb), &nargs, NULL, 0);
	if (tpid < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "failed to enable %s:%s:%s:%s: cannot read "
				    "its tracepoint format: %s", prb->prov,
				    prb->mod, prb->func, prb->name,
				    strerror(errno));
	sc_set_format(prb, tpid, nargs);
	return 0;
}

/* ---- stability and argument types (dtrace -lv) -------------------------- */

/* DTrace's values for this provider. */
static const dt_provattr_t sc_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.args = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
};

/* Entry: the types of the format file's argument fields, read with the
   count.  Return: DTrace's one typed argument, the record's "long ret"
   (arg1 repeats it untyped), which needs no file. */
static int sc_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
		       char types[][DT_TYPE_NAME_MAX], int max)
{
	int nargs;

	if (sc_is_return(prb)) {
		if (max > 0)
			snprintf(types[0], DT_TYPE_NAME_MAX, "long");
		return max > 0;
	}
	if (sc_format(dtp, prb->func, false, &nargs, types, max) < 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot read the "
				    "tracepoint format of %s:%s:%s:%s: %s",
				    prb->prov, prb->mod, prb->func, prb->name,
				    strerror(errno));
	return nargs < max ? nargs : max;
}

/* ---- populate ------------------------------------------------------------ */

typedef struct sc_want {
	const dt_pdesc_t *pd;
	bool entry, ret;	/* which names the description wants */
} sc_want_t;

/* Insert name:entry and/or name:return if wanted; returns the number
   inserted (or found) or -1. */
static int sc_insert(dtrace_hdl_t *dtp, const sc_want_t *w, const char *func,
		     bool ret)
{
	if (!(ret ? w->ret : w->entry) || !dt_gmatch(func, w->pd->func))
		return 0;
	return dt_probe_insert(dtp, &dt_prov_syscall, "vmlinux", func,
			       ret ? "return" : "entry",
			       sc_make_data(dtp, func, ret)) != NULL ? 1 : -1;
}

/* One syscall named exactly: look at its two format files only. */
static int sc_populate_one(dtrace_hdl_t *dtp, const sc_want_t *w)
{
	const char *func = w->pd->func;
	int n = 0;

	for (int ret = 0; ret <= 1; ret++) {
		dt_probe_t *prb;
		int tpid, nargs;

		if (!(ret ? w->ret : w->entry))
			continue;
		if ((tpid = sc_format(dtp, func, ret, &nargs, NULL, 0)) < 0)
			continue;	/* no such syscall */
		prb = dt_probe_insert(dtp, &dt_prov_syscall, "vmlinux", func,
				      ret ? "return" : "entry",
				      sc_make_data(dtp, func, ret));
		if (prb == NULL)
			return -1;
		sc_set_format(prb, tpid, nargs);
		n++;
	}
	return n;
}

static int sc_populate_dir(dtrace_hdl_t *dtp, const sc_want_t *w)
{
	char path[512];
	struct dirent *de;
	DIR *dir;
	int n = 0, r = 0;

	snprintf(path, sizeof(path), "%s/events/syscalls", dtp->feat.tracefs);
	if ((dir = opendir(path)) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "cannot read %s: %s", path,
				    strerror(errno));
	while (r >= 0 && (de = readdir(dir)) != NULL) {
		const char *s = de->d_name;

		if (strncmp(s, ENTER_PREFIX, strlen(ENTER_PREFIX)) == 0)
			r = sc_insert(dtp, w, s + strlen(ENTER_PREFIX), false);
		else if (strncmp(s, EXIT_PREFIX, strlen(EXIT_PREFIX)) == 0)
			r = sc_insert(dtp, w, s + strlen(EXIT_PREFIX), true);
		else
			r = 0;
		n += r > 0 ? r : 0;
	}
	closedir(dir);
	return r < 0 ? -1 : n;
}

static int sc_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	sc_want_t w = { pd, dt_gmatch("entry", pd->name),
			dt_gmatch("return", pd->name) };
	const char *f = pd->func;

	if (!dt_gmatch("vmlinux", pd->mod) || !(w.entry || w.ret))
		return 0;
	if (dt_features_probe(dtp) < 0)
		return -1;
	sc_probe_btf(dtp);
	if (*f != '\0' && strpbrk(f, "*?[\\") == NULL)
		return strchr(f, '/') != NULL ? 0 : sc_populate_one(dtp, &w);
	return sc_populate_dir(dtp, &w);
}

/* ---- code generation: shared pieces -------------------------------------- */

/* Go on in a new block if cond is nonzero; else the firing is not ours. */
static void sc_need(dt_lowerenv_t *env, ir_ref_t cond)
{
	ir_blk_t *ok = ir_blk_new(env->fn);

	ir_jnz(env->blk, cond, ok, env->exit);
	env->blk = ok;
}

/* size bytes at addr through bpf_probe_read_kernel, into a new stack slot
   (zeroed by the helper if the read faults); returns the slot. */
static int32_t sc_read_kernel(dt_lowerenv_t *env, ir_ref_t addr, int32_t size)
{
	ir_func_t *fn = env->fn;
	int32_t slot = ir_frame_alloc(fn, size);
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot)),
		ir_con(fn, size), addr,
	};

	ir_call(fn, env->blk, BPF_FUNC_probe_read_kernel, 3, args);
	return slot;
}

static ir_ref_t sc_slot_load(dt_lowerenv_t *env, int width, int32_t slot)
{
	return ir_load(env->fn, env->blk, width, ir_reg(IR_FP), slot);
}

/* errno from ret: -ret if ret is in [-MAX_ERRNO, -1], else 0 (no branch). */
static ir_ref_t sc_errno_of(dt_lowerenv_t *env, ir_ref_t ret)
{
	ir_func_t *fn = env->fn;
	ir_ref_t is_err = ir_bin(fn, env->blk, IR_CUGE, ret,
				 ir_con(fn, -MAX_ERRNO));
	ir_ref_t mask = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), is_err,
				IR_NONE)->to;
	ir_ref_t neg = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), ret,
			       IR_NONE)->to;

	return ir_bin(fn, env->blk, IR_AND, neg, mask);
}

/* v if n < nargs, else 0 (no branch). */
static ir_ref_t sc_mask_arg(dt_lowerenv_t *env, ir_ref_t v, ir_ref_t nargs,
			    int n)
{
	ir_func_t *fn = env->fn;
	ir_ref_t mask = ir_bin(fn, env->blk, IR_CUGT, nargs, ir_con(fn, n));

	mask = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), mask, IR_NONE)->to;
	return ir_bin(fn, env->blk, IR_AND, v, mask);
}

/* ---- code generation: raw tracepoints ------------------------------------ */

/* &map[nr] (NULL if nr is past the map: the caller checks). */
static ir_ref_t sc_map_lookup(dt_lowerenv_t *env, ir_ref_t nr)
{
	ir_func_t *fn = env->fn;
	int32_t key = ir_frame_alloc(fn, 8);
	ir_ref_t args[2];

	ir_store(fn, env->blk, 4, ir_reg(IR_FP), key, nr);
	args[0] = ir_ldmap(fn, env->blk, DL_MAP_PROG);
	args[1] = ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, key));
	return ir_call(fn, env->blk, BPF_FUNC_map_lookup_elem, 2, args);
}

/* The map value of syscall nr (a pointer), leaving if there is none: for
   the entry check only, where nothing is held yet. */
static ir_ref_t sc_map_value(dt_lowerenv_t *env, ir_ref_t nr)
{
	ir_func_t *fn = env->fn;
	ir_ref_t p;

	sc_need(env, ir_bin(fn, env->blk, IR_CULT, nr,
			    ir_con(fn, SC_NR_LIMIT)));
	p = sc_map_lookup(env, nr);
	sc_need(env, p);
	return p;
}

/* The argument count of syscall nr from the map, in a clause body (which
   may hold a record, so never leaves): the entry check found nr there, a
   failed lookup (which cannot happen) gives 0. */
static ir_ref_t sc_map_nargs(dt_lowerenv_t *env, ir_ref_t nr)
{
	ir_func_t *fn = env->fn;
	ir_ref_t p = sc_map_lookup(env, nr), nargs = ir_tmp(fn);
	ir_blk_t *has = ir_blk_new(fn), *join = ir_blk_new(fn);

	ir_emit(fn, env->blk, IR_COPY, nargs, ir_con(fn, 0), IR_NONE);
	ir_jnz(env->blk, p, has, join);
	ir_emit(fn, has, IR_COPY, nargs, ir_load(fn, has, 4, p, 4), IR_NONE);
	ir_jmp(has, join);
	env->blk = join;
	return nargs;
}

/* Which of the program's probes syscall nr is, leaving if none. */
static ir_ref_t sc_probe_of(dt_lowerenv_t *env, const dt_probe_t *prb,
			    ir_ref_t nr)
{
	ir_func_t *fn = env->fn;
	ir_ref_t id;

	if (env->probe_id != 0) {
		sc_need(env, ir_bin(fn, env->blk, IR_CEQ, nr,
				    ir_con(fn, sc_value(prb))));
		return ir_con(fn, env->probe_id);
	}
	id = ir_load(fn, env->blk, 4, sc_map_value(env, nr), 0);
	sc_need(env, id);
	return id;
}

/* The entry check: the probe id if this firing is one of the program's
   probes (a 64-bit syscall among its numbers), else leave. */
/* The tp_btf version: regs is a BTF pointer, read with plain loads (the
   kernel makes them faulting loads, ~1 ns, not a helper call). */
static ir_ref_t sc_btf_match(dt_lowerenv_t *env, const dt_probe_t *prb)
{
	ir_func_t *fn = env->fn;
	ir_ref_t regs = ir_load(fn, env->blk, 8, env->ctx, RAW_REGS), nr, id;

	if (sc_is_return(prb))
		nr = ir_load(fn, env->blk, 8, regs, REGS_ORIG_AX);
	else
		nr = ir_load(fn, env->blk, 8, env->ctx, RAW_NR_RET);
	id = sc_probe_of(env, prb, nr);
	regs = ir_load(fn, env->blk, 8, env->ctx, RAW_REGS);
	sc_need(env, ir_bin(fn, env->blk, IR_CNE,
			    ir_load(fn, env->blk, 2, regs, REGS_CS),
			    ir_con(fn, USER32_CS)));
	return id;
}

static ir_ref_t sc_raw_match(dt_lowerenv_t *env, const dt_probe_t *prb,
			     int unused)
{
	ir_func_t *fn = env->fn;
	ir_ref_t regs, nr, id;
	int32_t slot, cs;

	if (sc_is_btf(prb))
		return sc_btf_match(env, prb);
	if (sc_is_return(prb)) {	/* orig_ax, ip, cs in one read */
		regs = ir_load(fn, env->blk, 8, env->ctx, RAW_REGS);
		slot = sc_read_kernel(env, ir_bin(fn, env->blk, IR_ADD, regs,
						  ir_con(fn, REGS_ORIG_AX)),
				      REGS_CS + 8 - REGS_ORIG_AX);
		nr = sc_slot_load(env, 8, slot);
		cs = slot + (REGS_CS - REGS_ORIG_AX);
		id = sc_probe_of(env, prb, nr);
	} else {
		nr = ir_load(fn, env->blk, 8, env->ctx, RAW_NR_RET);
		id = sc_probe_of(env, prb, nr);
		regs = ir_load(fn, env->blk, 8, env->ctx, RAW_REGS);
		cs = sc_read_kernel(env, ir_bin(fn, env->blk, IR_ADD, regs,
						ir_con(fn, REGS_CS)), 8);
	}
	sc_need(env, ir_bin(fn, env->blk, IR_CNE, sc_slot_load(env, 2, cs),
			    ir_con(fn, USER32_CS)));
	return id;
}

static ir_ref_t sc_raw_entry_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
				 int n)
{
	ir_func_t *fn = env->fn;
	bool known = env->probe_id != 0 && prb->nargs >= 0;
	ir_ref_t regs, v, nr, nargs;

	if (n < 0 || n >= MAX_ARGS || (known && n >= prb->nargs))
		return IR_NONE;
	regs = ir_load(fn, env->blk, 8, env->ctx, RAW_REGS);
	if (sc_is_btf(prb))
		v = ir_load(fn, env->blk, 8, regs, sc_arg_off[n]);
	else
		v = sc_slot_load(env, 8, sc_read_kernel(env, ir_bin(fn,
				 env->blk, IR_ADD, regs,
				 ir_con(fn, sc_arg_off[n])), 8));
	if (known)
		return v;
	nr = ir_load(fn, env->blk, 8, env->ctx, RAW_NR_RET);
	nargs = sc_map_nargs(env, nr);
	return sc_mask_arg(env, v, nargs, n);
}

static ir_ref_t sc_raw_return_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
				  int n)
{
	if (n != 0 && n != 1)
		return IR_NONE;
	return ir_load(env->fn, env->blk, 8, env->ctx, RAW_NR_RET);
}

static ir_ref_t sc_raw_errno(dt_lowerenv_t *env, const dt_probe_t *prb,
			     int unused)
{
	return sc_errno_of(env, ir_load(env->fn, env->blk, 8, env->ctx,
					RAW_NR_RET));
}

/* ---- code generation: the tracepoint fallback ---------------------------- */

static ir_ref_t sc_cookie(dt_lowerenv_t *env)
{
	return ir_call(env->fn, env->blk, BPF_FUNC_get_attach_cookie, 1,
		       &env->ctx);
}

static ir_ref_t sc_tp_probeid(dt_lowerenv_t *env, const dt_probe_t *prb,
			      int unused)
{
	if (env->probe_id != 0)
		return ir_con(env->fn, env->probe_id);
	return ir_emit(env->fn, env->blk, IR_ZEXT32, ir_tmp(env->fn),
		       sc_cookie(env), IR_NONE)->to;
}

/* argN of an entry probe: loaded from the record by a program that knows
   its one syscall's count, else read through the helper and masked. */
static ir_ref_t sc_tp_entry_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
				int n)
{
	ir_func_t *fn = env->fn;
	bool known = env->probe_id != 0 && prb->nargs >= 0;
	ir_ref_t v, nargs;
	int32_t slot;

	if (n < 0 || n >= MAX_ARGS || (known && n >= prb->nargs))
		return IR_NONE;
	if (known)
		return ir_load(fn, env->blk, 8, env->ctx, REC_ARGS + 8 * n);
	slot = sc_read_kernel(env, ir_bin(fn, env->blk, IR_ADD, env->ctx,
					  ir_con(fn, REC_ARGS + 8 * n)), 8);
	v = sc_slot_load(env, 8, slot);
	nargs = ir_bin(fn, env->blk, IR_SHR, sc_cookie(env), ir_con(fn, 32));
	return sc_mask_arg(env, v, nargs, n);
}

static ir_ref_t sc_tp_return_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
				 int n)
{
	if (n != 0 && n != 1)
		return IR_NONE;
	return ir_load(env->fn, env->blk, 8, env->ctx, REC_ARGS);
}

static ir_ref_t sc_tp_errno(dt_lowerenv_t *env, const dt_probe_t *prb,
			    int unused)
{
	return sc_errno_of(env, ir_load(env->fn, env->blk, 8, env->ctx,
					REC_ARGS));
}

/* ---- the kinds ----------------------------------------------------------- */

typedef ir_ref_t sc_lowerfn_t(dt_lowerenv_t *env, const dt_probe_t *prb,
			      int n);

static const struct sc_kind {
	const char *rawtp;	/* the raw tracepoint, NULL: the fallback */
	int prog_type;
	sc_lowerfn_t *lower[DT_PV_NVARS];	/* by dt_pvar_t; NULL: none */
} sc_kinds[] = {
	[0] = { "sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, {
		[DT_PV_ARG] = sc_raw_entry_arg,
		[DT_PV_PROBEID] = sc_raw_match,
		[DT_PV_ENTRY] = sc_raw_match } },
	[D_RETURN] = { "sys_exit", BPF_PROG_TYPE_RAW_TRACEPOINT, {
		[DT_PV_ARG] = sc_raw_return_arg,
		[DT_PV_PROBEID] = sc_raw_match,
		[DT_PV_ERRNO] = sc_raw_errno,
		[DT_PV_ENTRY] = sc_raw_match } },
	[D_TP] = { NULL, BPF_PROG_TYPE_TRACEPOINT, {
		[DT_PV_ARG] = sc_tp_entry_arg,
		[DT_PV_PROBEID] = sc_tp_probeid } },
	[D_TP | D_RETURN] = { NULL, BPF_PROG_TYPE_TRACEPOINT, {
		[DT_PV_ARG] = sc_tp_return_arg,
		[DT_PV_PROBEID] = sc_tp_probeid,
		[DT_PV_ERRNO] = sc_tp_errno } },
	[D_BTF] = { "sys_enter", BPF_PROG_TYPE_TRACING, {
		[DT_PV_ARG] = sc_raw_entry_arg,
		[DT_PV_PROBEID] = sc_raw_match,
		[DT_PV_ENTRY] = sc_raw_match } },
	[D_BTF | D_RETURN] = { "sys_exit", BPF_PROG_TYPE_TRACING, {
		[DT_PV_ARG] = sc_raw_return_arg,
		[DT_PV_PROBEID] = sc_raw_match,
		[DT_PV_ERRNO] = sc_raw_errno,
		[DT_PV_ENTRY] = sc_raw_match } },
};

static int sc_kind(const dt_probe_t *prb)
{
	return (int)(sc_data(prb) & (D_BTF | D_TP | D_RETURN));
}

static int sc_prog_type_of(int kind)
{
	return sc_kinds[kind].prog_type;
}

static ir_ref_t sc_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			 dt_pvar_t what, int n)
{
	sc_lowerfn_t *fn = sc_kinds[sc_kind(prb)].lower[what];

	return fn != NULL ? fn(env, prb, n) : IR_NONE;
}

/* ---- prepare: the number -> probe map ------------------------------------ */

static bool sc_uses_progmap(const dt_bpfprog_t *bp)
{
	for (size_t i = 0; i < bp->code.nrelocs; i++)
		if (bp->code.relocs[i].mapidx == DL_MAP_PROG)
			return true;
	return false;
}

static int sc_map_error(dtrace_hdl_t *dtp, const char *what)
{
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to %s the syscall "
			    "number map: %s", what, strerror(errno));
}

/* map[nr] = id | nargs << 32 for every probe of the program, in one
   batch (one bpf(2) call, not one per probe: syscall:::entry has 360). */
static int sc_fill_map(dtrace_hdl_t *dtp, int fd, const dt_bpfprog_t *bp)
{
	uint32_t *keys = calloc(bp->nprobes, sizeof(*keys)), n = 0;
	uint64_t *vals = calloc(bp->nprobes, sizeof(*vals));
	int rc = -1;

	if (keys == NULL || vals == NULL) {
		errno = ENOMEM;
		rc = sc_map_error(dtp, "fill");
		goto out;
	}
	for (; n < bp->nprobes; n++) {
		dt_probe_t *prb = bp->probes[n];

		if (sc_need_format(dtp, prb) < 0)
			goto out;
		keys[n] = (uint32_t)sc_value(prb);
		vals[n] = prb->id | (uint64_t)prb->nargs << 32;
	}
	rc = bpf_map_update_batch(fd, keys, vals, &n, NULL) == 0 ? 0 :
	     sc_map_error(dtp, "fill");
out:
	free(keys);
	free(vals);
	return rc;
}

static int sc_prepare(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	int fd;

	if (bp->kind & D_BTF) {
		bp->attach_type = BPF_TRACE_RAW_TP;
		bp->attach_btf_id = dtp->feat.sys_btf[bp->kind & D_RETURN];
	}
	if (!sc_uses_progmap(bp))
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dt_syscall_nrs", 4, 8,
			    SC_NR_LIMIT, NULL);
	if (fd < 0)
		return sc_map_error(dtp, "create");
	dt_keep_fd(dtp, fd);
	if (sc_fill_map(dtp, fd, bp) < 0)
		return -1;
	bp->progmap_fd = fd;
	return 0;
}

/* ---- attach -------------------------------------------------------------- */

/* The fallback: a perf event on the probe's tracepoint and a link whose
   cookie is the probe id, and for entry probes the count in the high half. */
static int sc_tp_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT };
	uint64_t cookie = prb->id;

	if (sc_need_format(dtp, prb) < 0)
		return -1;
	attr.config = (uint64_t)sc_value(prb);
	if (!sc_is_return(prb))
		cookie |= (uint64_t)prb->nargs << 32;
	return dt_perf_attach(dtp, prb, &attr, 0, prog_fd, cookie);
}

/* A raw program: one link on sys_enter or sys_exit, whatever it serves. */
static int sc_raw_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, size_t nprobes,
			 int prog_fd)
{
	const char *tp = sc_kinds[sc_kind(prb)].rawtp;
	int fd = bpf_raw_tracepoint_open(sc_is_btf(prb) ? NULL : tp, prog_fd);
	char more[48] = "";

	if (fd >= 0) {
		dt_keep_fd(dtp, fd);
		return 0;
	}
	if (nprobes > 1)
		snprintf(more, sizeof(more), " (and %zu more)", nprobes - 1);
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s%s: bpf_raw_tracepoint_open(%s): %s",
			    prb->prov, prb->mod, prb->func, prb->name, more,
			    tp, strerror(errno));
}

/* One probe (for a raw kind: its program serves this probe alone). */
static int sc_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	if (sc_is_tp(prb))
		return sc_tp_attach(dtp, prb, prog_fd);
	return sc_raw_attach(dtp, prb, 1, prog_fd);
}

static int sc_attach_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	if (!sc_is_tp(bp->probes[0]))
		return sc_raw_attach(dtp, bp->probes[0], bp->nprobes, bp->fd);
	for (size_t i = 0; i < bp->nprobes; i++)
		if (sc_tp_attach(dtp, bp->probes[i], bp->fd) < 0)
			return -1;
	return 0;
}

const dt_provops_t dt_prov_syscall = {
	.name = "syscall",
	.attr = &sc_attr,
	.argtypes = sc_argtypes,
	.populate = sc_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = sc_kind,
	.lower = sc_lower,
	.attach = sc_attach,
	.prepare = sc_prepare,
	.attach_prog = sc_attach_prog,
	.prog_type_of = sc_prog_type_of,
	.never_nested = true,	/* at system-call entry and exit */
};
