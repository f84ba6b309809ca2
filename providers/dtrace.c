/*
 * dtrace.c - the dtrace provider: dtrace:::BEGIN, dtrace:::END and
 * dtrace:::ERROR.
 *
 * These probes are not in the kernel: dtrace itself fires them, by running
 * the program once with BPF_PROG_TEST_RUN.  The program is of the raw
 * tracepoint type because that type's test run takes an arbitrary context
 * (an array of up to 12 u64) and runs the program right there, on the CPU
 * the calling thread is on, with preemption off - which is what DTrace
 * promises for BEGIN and END ("the CPU dtrace runs on").  The context is
 *
 *	ctx[0]		the probe id (1, 2 or 3)
 *	ctx[1 + n]	argN (ERROR's arguments; zero for BEGIN and END)
 *
 * so one program serves all three probes: they are of one kind, and the
 * program tells them apart by ctx[0] (or knows the id when it has only one
 * probe).  There is nothing to attach: the program fd is all dt_dtrace_fire
 * needs.
 *
 * Ids: populate inserts all three, always and in this order, so BEGIN is 1,
 * END 2 and ERROR 3 (probe.c also reserves those ids for these names).
 *
 * Stability (dtrace -lv): DTrace's values for this provider, Stable names
 * and arguments, the empty module and function Private.  Like DTrace, we
 * give no argument types, not even for ERROR's six arguments, so there is
 * no argtypes hook.
 */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "provider.h"

#define CTX_WORDS 12		/* the kernel's MAX_BPF_FUNC_ARGS */

static const dt_provattr_t dtrace_attr = {
	.prov = { DT_STAB_STABLE, DT_STAB_STABLE, DT_CLASS_COMMON },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_STABLE, DT_STAB_STABLE, DT_CLASS_COMMON },
	.args = { DT_STAB_STABLE, DT_STAB_STABLE, DT_CLASS_COMMON },
};

static const char *const dtrace_names[] = { "BEGIN", "END", "ERROR" };
static const int dtrace_nargs[] = { 0, 0, 6 };	/* ERROR: arg0..arg5 */

static int dtrace_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	int n = 0;

	for (size_t i = 0; i < 3; i++) {
		dt_probe_t *prb = dt_probe_insert(dtp, &dt_prov_dtrace, "", "",
						  dtrace_names[i], NULL);

		if (prb == NULL)
			return -1;
		prb->nargs = dtrace_nargs[i];
		n += dt_gmatch("", pd->mod) && dt_gmatch("", pd->func) &&
		     dt_gmatch(prb->name, pd->name);
	}
	return n;
}

static int dtrace_kind(const dt_probe_t *prb)
{
	return 0;
}

static ir_ref_t dtrace_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			     dt_pvar_t what, int n)
{
	if (what == DT_PV_PROBEID)
		return env->probe_id != 0 ? ir_con(env->fn, env->probe_id) :
		       ir_load(env->fn, env->blk, 8, env->ctx, 0);
	if (what == DT_PV_ARG && n >= 0 && n + 1 < CTX_WORDS)
		return ir_load(env->fn, env->blk, 8, env->ctx, 8 * (n + 1));
	return IR_NONE;
}

static int dtrace_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	return 0;
}

int dt_dtrace_fire(dtrace_hdl_t *dtp, uint32_t probe_id, int prog_fd)
{
	uint64_t ctx[CTX_WORDS] = { probe_id };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx,
		    .ctx_size_in = sizeof(ctx));

	if (bpf_prog_test_run_opts(prog_fd, &opts) == 0)
		return 0;
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
			    "failed to fire dtrace:::%s: %s",
			    probe_id >= 1 && probe_id <= 3 ?
			    dtrace_names[probe_id - 1] : "?",
			    strerror(errno));
}

const dt_provops_t dt_prov_dtrace = {
	.name = "dtrace",
	.attr = &dtrace_attr,
	.populate = dtrace_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = dtrace_kind,
	.lower = dtrace_lower,
	.attach = dtrace_attach,
	.never_nested = true,	/* run by dtrace (BPF_PROG_TEST_RUN) */
};
