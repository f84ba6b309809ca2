/*
 * sdt.c - the sdt provider: every kernel tracepoint as sdt:<group>::<event>
 * (sdt:sched::sched_switch), as in Oracle's Linux DTrace, whose module
 * field is the tracepoint's group and whose function field is empty.
 *
 * Probes.  Listed lazily from tracefs (events/<group>/<event>/, mounted by
 * features.c): a description naming group and event exactly costs one
 * format file; a pattern costs a readdir of events/ and of each group it
 * matches.  The groups other providers serve, or that no program can
 * attach to, are not sdt's: syscalls (the syscall provider), kprobes and
 * uprobes (made by other tools; we never write tracefs), ftrace (the
 * tracer's own events).  A probe's format file is read when its argument
 * count or types or its tracepoint id are first needed, once.
 *
 * Arguments.  Oracle's sdt provider passes a tracepoint's fields, the ones
 * its format file lists after the four common_* fields, in order, as
 * arg0..argN: it runs a tracepoint program (its context is the event's
 * record, the fields as the format file lays them out), loads the scalar
 * fields at their declared size and passes the address of the others
 * (task_rename's char oldcomm[16] is read with stringof(args[1])).  We do
 * the same, with tpformat.c's classification of each field:
 *
 *	integers (1, 2, 4, 8 bytes, pointers too)  the value, sign- or
 *		zero-extended by the field's declared size and signedness;
 *	arrays and other aggregates (char comm[16])  the field's address in
 *		the record;
 *	__data_loc (and __rel_loc) fields  the address of the data in the
 *		record (sched_process_exec's filename: the string itself),
 *		so that stringof(arg0) reads it.
 *
 * Addresses into the record are good only while the probe fires, as in
 * DTrace.  arg0..arg9 exist (the compiler's argN); a tracepoint with more
 * fields shows them all in -lv.
 *
 * Why not raw tracepoints.  A raw tracepoint (or a BTF-typed tp_btf
 * program) would be cheaper to dispatch (~17 ns against 40-90 ns) and to
 * let go of (see attach.c: a tracepoint perf event takes ~45 ms to close,
 * serialized by the kernel, which is why the reaper exists), but its
 * arguments are the tracepoint's TP_PROTO arguments (sched_switch's are
 * two task_struct pointers and a flag), not the fields of the record that
 * the kernel's TP_fast_assign computes from them: those fields are what
 * the format files, -lv and DTrace scripts written for Oracle's DTrace
 * name.  So sdt probes are perf tracepoint events; the stable providers
 * built on tracepoints (proc.c), whose arguments DTrace defines itself,
 * use raw tracepoints.  Measured here (6.18): letting go of two sdt
 * probes, dtrace closes their links in parallel (~29 ms) and leaves the
 * two perf events (~50 ms each, one after the other) to the reaper;
 * `-c /bin/true` with sdt:sched::sched_process_exec takes ~60 ms from
 * start to exit, proc:::exec-success (a raw tracepoint) ~30-50 ms.
 *
 * Programs.  All sdt probes are one kind: a clause set is one program,
 * attached to every probe it serves through a perf event
 * (PERF_TYPE_TRACEPOINT, config = the event id) and a BPF link whose cookie
 * is the probe id in its low half and the probe's slot in the program in
 * its high half.  A program with one probe knows its record layout and
 * loads its arguments directly from the context.  A program shared by
 * probes of different layouts finds each argument's place in its own
 * array map (DL_MAP_PROG, made by prepare()): one entry per slot, one
 * sdt_argdesc_t per argument, read with bpf_probe_read_kernel at a
 * variable offset (the kernel refuses to attach a tracepoint program whose
 * direct loads reach past the shortest record) and extended by shifts.
 *
 * A kernel without perf links with attach cookies (before 5.15) can only
 * run programs that serve one probe; a shared one is refused when enabled.
 *
 * Probe data: an sdt_data_t in the handle's arena.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

#define SDT_MAX_ARGS 10		/* arg0 .. arg9 */
#define LOC_MASK 0xffff		/* __data_loc: offset in the low half */

/* A field as the program reads it (the probe's own layout). */
typedef struct sdt_arg {
	uint16_t off, size;
	uint8_t kind;		/* DT_TF_* */
	bool is_signed;
} sdt_arg_t;

typedef struct sdt_data {
	const char *tracefs;	/* the handle's, for lazy reads */
	bool have_format;	/* the fields below are read */
	int err;		/* errno of a failed read, else 0 */
	int id;			/* the perf tracepoint id */
	int nargs;		/* arguments the program can read */
	sdt_arg_t args[SDT_MAX_ARGS];
} sdt_data_t;

/* One argument in the program's map (a multi-probe program): the 8 bytes
   at off are read, shifted left then right by shift (arithmetically if
   signed); an address argument is ctx + add + (that & LOC_MASK if loc). */
typedef struct sdt_argdesc {
	uint16_t off;
	uint16_t add;
	uint8_t shift;
	uint8_t is_signed;
	uint8_t flags;		/* DESC_* */
	uint8_t pad;
} sdt_argdesc_t;
#define DESC_PRESENT 1u		/* else the argument is 0 */
#define DESC_ADDR 2u		/* the result is an address in the record */
#define DESC_LOC 4u		/* ... plus the loc word's offset */

/* ---- format files --------------------------------------------------------- */

static int sdt_read(const dt_probe_t *prb, dt_tpformat_t *fmt)
{
	const sdt_data_t *d = prb->data;

	return dt_tpformat_read(d->tracefs, prb->mod, prb->name, fmt);
}

/* Read the probe's layout once; 0, or -1 with errno (also kept). */
static int sdt_format(dt_probe_t *prb)
{
	sdt_data_t *d = prb->data;
	dt_tpformat_t *fmt;

	if (d->have_format || d->err != 0) {
		errno = d->err;
		return d->err != 0 ? -1 : 0;
	}
	if ((fmt = malloc(sizeof(*fmt))) == NULL)
		return -1;
	if (sdt_read(prb, fmt) < 0) {
		d->err = errno;
		free(fmt);
		return -1;
	}
	d->id = fmt->id;
	d->nargs = fmt->nfields < SDT_MAX_ARGS ? fmt->nfields : SDT_MAX_ARGS;
	for (int i = 0; i < d->nargs; i++) {
		const dt_tpfield_t *f = &fmt->fields[i];

		d->args[i] = (sdt_arg_t){ (uint16_t)f->off, (uint16_t)f->size,
					  (uint8_t)f->kind, f->is_signed };
	}
	prb->nargs = fmt->nfields;
	d->have_format = true;
	free(fmt);
	return 0;
}

static int sdt_need_format(dtrace_hdl_t *dtp, dt_probe_t *prb)
{
	if (sdt_format(prb) == 0)
		return 0;
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: cannot read its tracepoint format: "
			    "%s", prb->prov, prb->mod, prb->func, prb->name,
			    strerror(errno));
}

/* ---- stability and argument types (dtrace -lv) ---------------------------- */

/* Oracle's values for this provider. */
static const dt_provattr_t sdt_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
	.args = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
};

static int sdt_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			char types[][DT_TYPE_NAME_MAX], int max)
{
	dt_tpformat_t *fmt = malloc(sizeof(*fmt));
	int n = 0;

	if (fmt == NULL || sdt_read(prb, fmt) < 0) {
		free(fmt);
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot read the "
				    "tracepoint format of %s:%s:%s:%s: %s",
				    prb->prov, prb->mod, prb->func, prb->name,
				    strerror(errno));
	}
	for (; n < max && n < fmt->nfields && n < DT_TP_MAX_FIELDS; n++)
		snprintf(types[n], DT_TYPE_NAME_MAX, "%s",
			 fmt->fields[n].type);
	free(fmt);
	return n;
}

/* ---- populate ------------------------------------------------------------- */

static dt_probe_t *sdt_insert(dtrace_hdl_t *dtp, const char *group,
			      const char *event)
{
	sdt_data_t *d = dl_alloc(dtp->arena, sizeof(*d));

	d->tracefs = dtp->feat.tracefs;
	return dt_probe_insert(dtp, &dt_prov_sdt, group, "", event, d);
}

/* One tracepoint found by dt_tracefs_walk; a probe named exactly has its
   format read now (its argument count for the listing). */
static int sdt_found(dtrace_hdl_t *dtp, const char *group, const char *event,
		     bool exact)
{
	dt_probe_t *prb = sdt_insert(dtp, group, event);

	if (prb == NULL)
		return -1;
	if (exact)
		(void)sdt_format(prb);
	return 1;
}

static int sdt_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	return dt_tracefs_walk(dtp, pd, sdt_found);
}

/* ---- code generation: one probe ------------------------------------------- */

static ir_ref_t sdt_sext(dt_lowerenv_t *env, ir_ref_t v, int size)
{
	static const ir_op_t ops[9] = {
		[1] = IR_SEXT8, [2] = IR_SEXT16, [4] = IR_SEXT32,
	};

	if (size >= 8 || ops[size] == 0)
		return v;
	return ir_emit(env->fn, env->blk, ops[size], ir_tmp(env->fn), v,
		       IR_NONE)->to;
}

/*
 * The record's address as a number.  The context is a pointer to the
 * verifier, which allows no arithmetic on it past constant offsets (sum()
 * of such an argument would not load), so the pointer is spilled and
 * copied back through bpf_probe_read_kernel, which makes it a scalar.
 */
static ir_ref_t sdt_record(dt_lowerenv_t *env)
{
	ir_func_t *fn = env->fn;
	int32_t spill = ir_frame_alloc(fn, 8), copy = ir_frame_alloc(fn, 8);
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, copy)),
		ir_con(fn, 8),
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, spill)),
	};

	ir_store(fn, env->blk, 8, ir_reg(IR_FP), spill, env->ctx);
	ir_call(fn, env->blk, BPF_FUNC_probe_read_kernel, 3, args);
	return ir_load(fn, env->blk, 8, ir_reg(IR_FP), copy);
}

/* argN of a program that serves this probe alone: from the record at the
   field's constant offset. */
static ir_ref_t sdt_arg_known(dt_lowerenv_t *env, const sdt_arg_t *a)
{
	ir_func_t *fn = env->fn;
	ir_ref_t v, loc;

	switch (a->kind) {
	case DT_TF_INT:
		v = ir_load(fn, env->blk, a->size, env->ctx, a->off);
		return a->is_signed ? sdt_sext(env, v, a->size) : v;
	case DT_TF_ADDR:
		return ir_bin(fn, env->blk, IR_ADD, sdt_record(env),
			      ir_con(fn, a->off));
	default:		/* DT_TF_DATALOC, DT_TF_RELLOC */
		loc = ir_load(fn, env->blk, 4, env->ctx, a->off);
		loc = ir_bin(fn, env->blk, IR_AND, loc, ir_con(fn, LOC_MASK));
		if (a->kind == DT_TF_RELLOC)
			loc = ir_bin(fn, env->blk, IR_ADD, loc,
				     ir_con(fn, a->off + a->size));
		return ir_bin(fn, env->blk, IR_ADD, sdt_record(env), loc);
	}
}

/* ---- code generation: shared programs ------------------------------------- */

static ir_ref_t sdt_cookie(dt_lowerenv_t *env)
{
	return ir_call(env->fn, env->blk, BPF_FUNC_get_attach_cookie, 1,
		       &env->ctx);
}

/* The probe's descriptors in the program's map, or 0 (a lookup that
   cannot fail, but the verifier does not know). */
static ir_ref_t sdt_desc(dt_lowerenv_t *env)
{
	ir_func_t *fn = env->fn;
	int32_t key = ir_frame_alloc(fn, 8);
	ir_ref_t slot = ir_bin(fn, env->blk, IR_SHR, sdt_cookie(env),
			       ir_con(fn, 32));
	ir_ref_t args[2], p;

	ir_store(fn, env->blk, 4, ir_reg(IR_FP), key, slot);
	args[0] = ir_ldmap(fn, env->blk, DL_MAP_PROG);
	args[1] = ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, key));
	p = ir_call(fn, env->blk, BPF_FUNC_map_lookup_elem, 2, args);
	return p;
}

/* v & -(cond != 0), without a branch. */
static ir_ref_t sdt_mask(dt_lowerenv_t *env, ir_ref_t v, ir_ref_t cond)
{
	ir_func_t *fn = env->fn;
	ir_ref_t m = ir_bin(fn, env->blk, IR_CNE, cond, ir_con(fn, 0));

	m = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), m, IR_NONE)->to;
	return ir_bin(fn, env->blk, IR_AND, v, m);
}

/* The 8 bytes at rec + off, through the helper (0 if it faults). */
static ir_ref_t sdt_read8(dt_lowerenv_t *env, ir_ref_t rec, ir_ref_t off)
{
	ir_func_t *fn = env->fn;
	int32_t slot = ir_frame_alloc(fn, 8);
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot)),
		ir_con(fn, 8),
		ir_bin(fn, env->blk, IR_ADD, rec, off),
	};

	ir_call(fn, env->blk, BPF_FUNC_probe_read_kernel, 3, args);
	return ir_load(fn, env->blk, 8, ir_reg(IR_FP), slot);
}

/* argN of a shared program, from the descriptor in its map (see
   sdt_argdesc_t): a value, or an address in the record (a number, as
   sdt_record makes it). */
static ir_ref_t sdt_arg_shared(dt_lowerenv_t *env, int n)
{
	ir_func_t *fn = env->fn;
	ir_blk_t *has = ir_blk_new(fn), *addr = ir_blk_new(fn);
	ir_blk_t *join = ir_blk_new(fn);
	ir_ref_t res = ir_tmp(fn), p = sdt_desc(env), d, off, sh, flags;
	ir_ref_t v, lo, ar, sgn, add, rec;
	int32_t at = n * (int32_t)sizeof(sdt_argdesc_t);

	ir_emit(fn, env->blk, IR_COPY, res, ir_con(fn, 0), IR_NONE);
	ir_jnz(env->blk, p, has, join);
	env->blk = has;
	d = ir_load(fn, has, 8, p, at);
	off = ir_bin(fn, has, IR_AND, d, ir_con(fn, 0xffff));
	flags = ir_bin(fn, has, IR_SHR, d, ir_con(fn, 48));
	sh = ir_bin(fn, has, IR_AND, ir_bin(fn, has, IR_SHR, d,
					   ir_con(fn, 32)), ir_con(fn, 63));
	sgn = ir_bin(fn, has, IR_AND, ir_bin(fn, has, IR_SHR, d,
					    ir_con(fn, 40)), ir_con(fn, 1));
	rec = sdt_record(env);
	v = ir_bin(fn, has, IR_SHL, sdt_read8(env, rec, off), sh);
	lo = ir_bin(fn, env->blk, IR_SHR, v, sh);
	ar = ir_bin(fn, env->blk, IR_SAR, v, sh);
	/* lo, or ar if signed: lo ^ ((lo ^ ar) & -sgn) */
	v = ir_bin(fn, env->blk, IR_XOR, lo, sdt_mask(env, ir_bin(fn,
		   env->blk, IR_XOR, lo, ar), sgn));
	v = sdt_mask(env, v, ir_bin(fn, env->blk, IR_AND, flags,
				   ir_con(fn, DESC_PRESENT)));
	ir_emit(fn, env->blk, IR_COPY, res, v, IR_NONE);
	ir_jnz(env->blk, ir_bin(fn, env->blk, IR_AND, flags,
				ir_con(fn, DESC_ADDR)), addr, join);
	/* an address: ctx + add (+ the loc word's offset) */
	add = ir_bin(fn, addr, IR_AND, ir_bin(fn, addr, IR_SHR, d,
					     ir_con(fn, 16)),
		     ir_con(fn, 0xffff));
	env->blk = addr;
	v = sdt_mask(env, ir_bin(fn, addr, IR_AND, v, ir_con(fn, LOC_MASK)),
		     ir_bin(fn, addr, IR_AND, flags, ir_con(fn, DESC_LOC)));
	add = ir_bin(fn, addr, IR_ADD, add, v);
	ir_emit(fn, addr, IR_COPY, res, ir_bin(fn, addr, IR_ADD, rec, add),
		IR_NONE);
	ir_jmp(addr, join);
	env->blk = join;
	return res;
}

static ir_ref_t sdt_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			  dt_pvar_t what, int n)
{
	const sdt_data_t *d = prb->data;

	switch (what) {
	case DT_PV_PROBEID:
		if (env->probe_id != 0)
			return ir_con(env->fn, env->probe_id);
		return ir_emit(env->fn, env->blk, IR_ZEXT32, ir_tmp(env->fn),
			       sdt_cookie(env), IR_NONE)->to;
	case DT_PV_ARG:
		if (n < 0 || n >= SDT_MAX_ARGS)
			return IR_NONE;
		if (env->probe_id == 0)
			return sdt_arg_shared(env, n);
		/* one probe: its layout is known (populate or prepare read
		   it; if it could not, attaching will say why) */
		if (sdt_format((dt_probe_t *)prb) < 0 || n >= d->nargs)
			return IR_NONE;
		return sdt_arg_known(env, &d->args[n]);
	default:
		return IR_NONE;
	}
}

static int sdt_kind(const dt_probe_t *prb)
{
	(void)prb;
	return 0;
}

/* ---- prepare: the argument map of a shared program ------------------------ */

static bool sdt_uses_progmap(const dt_bpfprog_t *bp)
{
	for (size_t i = 0; i < bp->code.nrelocs; i++)
		if (bp->code.relocs[i].mapidx == DL_MAP_PROG)
			return true;
	return false;
}

static sdt_argdesc_t sdt_argdesc(const sdt_arg_t *a)
{
	sdt_argdesc_t d = { .off = a->off, .flags = DESC_PRESENT };

	switch (a->kind) {
	case DT_TF_INT:
		d.shift = (uint8_t)(64 - 8 * a->size);
		d.is_signed = a->is_signed;
		break;
	case DT_TF_ADDR:
		d.add = a->off;
		d.flags |= DESC_ADDR;
		break;
	default:
		d.shift = 32;	/* the loc word */
		d.add = a->kind == DT_TF_RELLOC ? a->off + a->size : 0;
		d.flags |= DESC_ADDR | DESC_LOC;
		break;
	}
	return d;
}

static int sdt_map_error(dtrace_hdl_t *dtp, const char *what)
{
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to %s the sdt "
			    "argument map: %s", what, strerror(errno));
}

static int sdt_prepare(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	sdt_argdesc_t descs[SDT_MAX_ARGS];
	int fd;

	if (!sdt_uses_progmap(bp))
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dt_sdt_args", 4,
			    sizeof(descs), (uint32_t)bp->nprobes, NULL);
	if (fd < 0)
		return sdt_map_error(dtp, "create");
	dt_keep_fd(dtp, fd);
	for (uint32_t i = 0; i < bp->nprobes; i++) {
		const sdt_data_t *d = bp->probes[i]->data;

		if (sdt_need_format(dtp, bp->probes[i]) < 0)
			return -1;
		memset(descs, 0, sizeof(descs));
		for (int a = 0; a < d->nargs; a++)
			descs[a] = sdt_argdesc(&d->args[a]);
		if (bpf_map_update_elem(fd, &i, descs, BPF_ANY) < 0)
			return sdt_map_error(dtp, "fill");
	}
	bp->progmap_fd = fd;
	return 0;
}

/* ---- attach --------------------------------------------------------------- */

static int sdt_attach_slot(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd,
			   uint32_t slot)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT };

	if (sdt_need_format(dtp, prb) < 0)
		return -1;
	attr.config = (uint64_t)((const sdt_data_t *)prb->data)->id;
	return dt_perf_attach(dtp, prb, &attr, 0, prog_fd,
			      prb->id | (uint64_t)slot << 32);
}

static int sdt_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	return sdt_attach_slot(dtp, prb, prog_fd, 0);
}

static int sdt_attach_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	const dt_probe_t *prb = bp->probes[0];

	if (bp->nprobes > 1 && (!dtp->feat.perf_link || !dtp->feat.cookie))
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				    "%s:%s:%s:%s (and %zu more): a program "
				    "shared by several sdt probes needs BPF "
				    "perf links with attach cookies, which "
				    "this kernel does not have", prb->prov,
				    prb->mod, prb->func, prb->name,
				    bp->nprobes - 1);
	for (size_t i = 0; i < bp->nprobes; i++)
		if (sdt_attach_slot(dtp, bp->probes[i], bp->fd,
				    (uint32_t)i) < 0)
			return -1;
	return 0;
}

const dt_provops_t dt_prov_sdt = {
	.name = "sdt",
	.attr = &sdt_attr,
	.argtypes = sdt_argtypes,
	.populate = sdt_populate,
	.prog_type = BPF_PROG_TYPE_TRACEPOINT,
	.kind = sdt_kind,
	.lower = sdt_lower,
	.attach = sdt_attach,
	.prepare = sdt_prepare,
	.attach_prog = sdt_attach_prog,
};
