/*
 * rawtp.c - the rawtp provider: every kernel tracepoint as a raw
 * tracepoint, rawtp:<group>::<event> (rawtp:sched::sched_process_exec),
 * named as in Oracle's Linux DTrace: the module is the tracepoint's group,
 * the function empty.
 *
 * Arguments.  A raw tracepoint passes the arguments the kernel gives the
 * tracepoint (its TP_PROTO), not the record the event would write (that
 * is the sdt provider): sched_process_exec's are the task, the pid it had
 * before exec and the struct linux_binprm.  Each is a 64-bit word of the
 * context; argN is word N.  Their count and types come from the kernel's
 * BTF, whose btf_trace_<event> typedef is a pointer to the tracepoint's
 * prototype (its first parameter, the tracepoint's private data, is not an
 * argument): args[] is typed from it (args[0]->comm), and -lv shows it.
 * A kernel without BTF has rawtp probes without argument counts or types:
 * arg0..arg9 are read as asked, and a program reading past the
 * tracepoint's arguments is refused by the kernel when it is attached
 * (Oracle's DTrace finds the count by trial loads; we say what happened).
 *
 * Probes.  Listed lazily from tracefs like sdt's (events/<group>/<event>),
 * the same groups left out (syscalls: their raw tracepoints are
 * raw_syscalls' sys_enter and sys_exit; kprobes, uprobes, ftrace), and,
 * where there is BTF, only the events the kernel has a raw tracepoint of
 * that name for (those with a btf_trace_ typedef).
 *
 * Programs.  One BPF_PROG_TYPE_RAW_TRACEPOINT program per probe (each
 * probe its own kind: the kernel checks each program's context reads
 * against its tracepoint's argument count, and a raw tracepoint has no
 * attach cookie on older kernels), its probe id a constant, attached with
 * bpf_raw_tracepoint_open: a link that closes in microseconds (no perf
 * event), so dispatch costs ~17 ns rather than sdt's 40-90 ns.
 *
 * Probe data: a rawtp_data_t in the handle's arena.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "provider.h"

#define RAWTP_MAX_ARGS 10	/* arg0 .. arg9 */

typedef struct rawtp_data {
	uint32_t proto;		/* BTF FUNC_PROTO, 0: no BTF for it */
} rawtp_data_t;

/* Oracle's values for this provider. */
static const dt_provattr_t rawtp_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
	.args = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
};

static uint32_t rawtp_proto(const dt_probe_t *prb)
{
	return ((const rawtp_data_t *)prb->data)->proto;
}

static int rawtp_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			  char types[][DT_TYPE_NAME_MAX], int max)
{
	dt_kbtf_t *kb = rawtp_proto(prb) != 0 ? dt_kbtf(dtp) : NULL;

	if (kb == NULL)
		return 0;
	return dt_kbtf_params(kb, rawtp_proto(prb), 1, types, max);
}

/* ---- populate ------------------------------------------------------------- */

/* Insert group:event (found by dt_tracefs_walk) if it is a raw
   tracepoint: 1, 0 if it is not, -1. */
static int rawtp_found(dtrace_hdl_t *dtp, const char *group,
		       const char *event, bool exact)
{
	const dt_kbtf_t *kb = dt_kbtf(dtp);	/* loaded once per handle */
	uint32_t proto = kb != NULL ? dt_kbtf_rawtp(kb, event) : 0;
	rawtp_data_t *d;
	dt_probe_t *prb;

	(void)exact;
	if (kb != NULL && proto == 0)
		return 0;
	d = dl_alloc(dtp->arena, sizeof(*d));
	d->proto = proto;
	if ((prb = dt_probe_insert(dtp, &dt_prov_rawtp, group, "", event,
				   d)) == NULL)
		return -1;
	if (proto != 0)
		prb->nargs = dt_kbtf_nparams(kb, proto) - 1;
	return 1;
}

static int rawtp_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	return dt_tracefs_walk(dtp, pd, rawtp_found);
}

/* ---- code generation and attach ------------------------------------------- */

/* Each probe its own kind (see the essay). */
static int rawtp_kind(const dt_probe_t *prb)
{
	return (int)prb->id;
}

static ir_ref_t rawtp_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			    dt_pvar_t what, int n)
{
	if (what == DT_PV_PROBEID)
		return ir_con(env->fn, prb->id);
	if (what != DT_PV_ARG || n < 0 || n >= RAWTP_MAX_ARGS ||
	    (prb->nargs >= 0 && n >= prb->nargs))
		return IR_NONE;
	return ir_load(env->fn, env->blk, 8, env->ctx, 8 * n);
}

static int rawtp_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	int fd = bpf_raw_tracepoint_open(prb->name, prog_fd);

	if (fd >= 0) {
		dt_keep_fd(dtp, fd);
		return 0;
	}
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: bpf_raw_tracepoint_open(%s): %s%s",
			    prb->prov, prb->mod, prb->func, prb->name,
			    prb->name, strerror(errno), errno == EINVAL &&
			    prb->nargs < 0 ? " (without BTF the argument "
			    "count is not known: does the program read past "
			    "the tracepoint's arguments?)" : "");
}

const dt_provops_t dt_prov_rawtp = {
	.name = "rawtp",
	.attr = &rawtp_attr,
	.argtypes = rawtp_argtypes,
	.populate = rawtp_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = rawtp_kind,
	.lower = rawtp_lower,
	.attach = rawtp_attach,
};
