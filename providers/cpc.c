/*
 * cpc.c - the cpc provider: cpc:::<event>-<mode>-<count> fires on a CPU
 * every <count> occurrences there of a performance counter event, as in
 * Oracle's Linux DTrace (cpc:::cycles-all-50000000).
 *
 * Names.  <event> is one of the kernel's generic perf events, named as
 * Oracle's DTrace names them (libpfm4's names for the perf PMU's events,
 * lower case, '-' made '_': cycles, cpu_cycles, perf_count_hw_cpu_cycles,
 * instructions, cpu_clock, task_clock, page_faults, context_switches, cs,
 * ...); <mode> is user, kernel or all (the event counted only in user
 * mode, only in the kernel, or both); <count> a positive decimal number
 * (for the clock events, nanoseconds).  Oracle's optional attributes
 * between mode and count (unit masks of model-specific events) are not
 * supported: such names match nothing, as in Oracle's DTrace, nor are the
 * model-specific events of a CPU's own PMU.
 *
 * Probes.  A description naming a probe exactly creates it if the name
 * parses.  A pattern (and dtrace -l) sees, as in Oracle's DTrace, each
 * event this machine can count with mode "all" and the count 1000000000
 * (a high value, as a guide), plus any probes already created; an event
 * the machine cannot count (a hardware event on a machine without a PMU,
 * like most virtual machines) is not listed, and naming it exactly gives
 * a probe that fails when enabled, saying why.
 *
 * Attach.  A perf event of the generic type (PERF_TYPE_HARDWARE or
 * PERF_TYPE_SOFTWARE) with sample_period = <count> and exclude_user or
 * exclude_kernel by the mode, on every online CPU, each with a BPF link
 * whose cookie is the probe id; all cpc probes share one program (one
 * kind), like profile's.  The context is struct bpf_perf_event_data: arg0
 * is the kernel PC where the event was counted (0 if in user mode), arg1
 * the user PC (0 if in the kernel), as in Oracle's DTrace; no argument
 * types (Oracle's are untyped too).
 *
 * Probe data: a cpc_data_t in the handle's arena.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

#define CPC_LIST_SUFFIX "-all-1000000000"
#define PMU_DIR "/sys/bus/event_source/devices/cpu"

/* The events, in the order -l lists them. */
static const struct cpc_event {
	const char *name;
	uint32_t type;		/* PERF_TYPE_HARDWARE or _SOFTWARE */
	uint64_t config;
} cpc_events[] = {
#define HW(n, c) { n, PERF_TYPE_HARDWARE, PERF_COUNT_HW_##c }
#define SW(n, c) { n, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_##c }
	HW("perf_count_hw_cpu_cycles", CPU_CYCLES),
	HW("cycles", CPU_CYCLES),
	HW("cpu_cycles", CPU_CYCLES),
	HW("perf_count_hw_instructions", INSTRUCTIONS),
	HW("instructions", INSTRUCTIONS),
	HW("perf_count_hw_cache_references", CACHE_REFERENCES),
	HW("cache_references", CACHE_REFERENCES),
	HW("perf_count_hw_cache_misses", CACHE_MISSES),
	HW("cache_misses", CACHE_MISSES),
	HW("perf_count_hw_branch_instructions", BRANCH_INSTRUCTIONS),
	HW("branch_instructions", BRANCH_INSTRUCTIONS),
	HW("branches", BRANCH_INSTRUCTIONS),
	HW("perf_count_hw_branch_misses", BRANCH_MISSES),
	HW("branch_misses", BRANCH_MISSES),
	HW("perf_count_hw_bus_cycles", BUS_CYCLES),
	HW("bus_cycles", BUS_CYCLES),
	HW("perf_count_hw_stalled_cycles_frontend", STALLED_CYCLES_FRONTEND),
	HW("stalled_cycles_frontend", STALLED_CYCLES_FRONTEND),
	HW("idle_cycles_frontend", STALLED_CYCLES_FRONTEND),
	HW("perf_count_hw_stalled_cycles_backend", STALLED_CYCLES_BACKEND),
	HW("stalled_cycles_backend", STALLED_CYCLES_BACKEND),
	HW("idle_cycles_backend", STALLED_CYCLES_BACKEND),
	HW("perf_count_hw_ref_cpu_cycles", REF_CPU_CYCLES),
	HW("ref_cycles", REF_CPU_CYCLES),
	SW("perf_count_sw_cpu_clock", CPU_CLOCK),
	SW("cpu_clock", CPU_CLOCK),
	SW("perf_count_sw_task_clock", TASK_CLOCK),
	SW("task_clock", TASK_CLOCK),
	SW("perf_count_sw_page_faults", PAGE_FAULTS),
	SW("page_faults", PAGE_FAULTS),
	SW("faults", PAGE_FAULTS),
	SW("perf_count_sw_context_switches", CONTEXT_SWITCHES),
	SW("context_switches", CONTEXT_SWITCHES),
	SW("cs", CONTEXT_SWITCHES),
	SW("perf_count_sw_cpu_migrations", CPU_MIGRATIONS),
	SW("cpu_migrations", CPU_MIGRATIONS),
	SW("migrations", CPU_MIGRATIONS),
	SW("perf_count_sw_page_faults_min", PAGE_FAULTS_MIN),
	SW("minor_faults", PAGE_FAULTS_MIN),
	SW("perf_count_sw_page_faults_maj", PAGE_FAULTS_MAJ),
	SW("major_faults", PAGE_FAULTS_MAJ),
	SW("perf_count_sw_alignment_faults", ALIGNMENT_FAULTS),
	SW("alignment_faults", ALIGNMENT_FAULTS),
	SW("perf_count_sw_emulation_faults", EMULATION_FAULTS),
	SW("emulation_faults", EMULATION_FAULTS),
#undef HW
#undef SW
};
#define CPC_NEVENTS (sizeof(cpc_events) / sizeof(cpc_events[0]))

enum { CPC_ALL, CPC_USER, CPC_KERNEL };
static const char *const cpc_modes[] = { "all", "user", "kernel" };

typedef struct cpc_data {
	const struct cpc_event *ev;
	int mode;		/* CPC_* */
	uint64_t count;
} cpc_data_t;

/* Oracle's values for this provider. */
static const dt_provattr_t cpc_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.mod = { DT_STAB_UNSTABLE, DT_STAB_UNSTABLE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.args = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
};

/* ---- names ---------------------------------------------------------------- */

/* Parse "<event>-<mode>-<count>": 0, or -1 if name is not a cpc name. */
static int cpc_parse(const char *name, cpc_data_t *d)
{
	const char *m = strchr(name, '-'), *c = m ? strchr(m + 1, '-') : NULL;
	char *end;

	if (c == NULL || c[1] < '0' || c[1] > '9')
		return -1;
	d->ev = NULL;
	for (size_t i = 0; i < CPC_NEVENTS; i++)
		if (strlen(cpc_events[i].name) == (size_t)(m - name) &&
		    strncmp(cpc_events[i].name, name, (size_t)(m - name)) == 0)
			d->ev = &cpc_events[i];
	d->mode = -1;
	for (int i = 0; i < 3; i++)
		if (strlen(cpc_modes[i]) == (size_t)(c - m - 1) &&
		    strncmp(cpc_modes[i], m + 1, (size_t)(c - m - 1)) == 0)
			d->mode = i;
	errno = 0;
	d->count = strtoull(c + 1, &end, 10);
	if (d->ev == NULL || d->mode < 0 || *end != '\0' || errno != 0 ||
	    d->count == 0)
		return -1;
	return 0;
}

static void cpc_attr_of(const cpc_data_t *d, struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->type = d->ev->type;
	attr->config = d->ev->config;
	attr->sample_period = d->count;
	attr->exclude_user = d->mode == CPC_KERNEL;
	attr->exclude_kernel = d->mode == CPC_USER;
}

/* ---- populate ------------------------------------------------------------- */

/* Create the probe of a valid name: 1, 0 if it is not one, -1 on error. */
static int cpc_insert(dtrace_hdl_t *dtp, const char *name)
{
	cpc_data_t d, *dp;

	if (cpc_parse(name, &d) < 0)
		return 0;
	dp = dl_alloc(dtp->arena, sizeof(*dp));
	*dp = d;
	return dt_probe_insert(dtp, &dt_prov_cpc, "", "", name, dp) != NULL ?
	       1 : -1;
}

/* Can this machine count ev (on the first CPU, the way it will be)? */
static bool cpc_countable(const struct cpc_event *ev)
{
	cpc_data_t d = { ev, CPC_ALL, 1000000000 };
	struct perf_event_attr attr;
	int fd;

	cpc_attr_of(&d, &attr);
	attr.disabled = 1;
	if ((fd = dt_perf_event_open(&attr, -1, 0)) < 0)
		return false;
	close(fd);
	return true;
}

static int cpc_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	char name[128];
	int n = 0, r;

	if (!dt_gmatch("", pd->mod) || !dt_gmatch("", pd->func))
		return 0;
	if (pd->name[0] != '\0' && strpbrk(pd->name, "*?[\\") == NULL)
		return cpc_insert(dtp, pd->name);
	for (size_t i = 0; i < CPC_NEVENTS; i++) {
		snprintf(name, sizeof(name), "%s%s", cpc_events[i].name,
			 CPC_LIST_SUFFIX);
		if (!dt_gmatch(name, pd->name) ||
		    !cpc_countable(&cpc_events[i]))
			continue;
		if ((r = cpc_insert(dtp, name)) < 0)
			return -1;
		n += r;
	}
	return n;
}

/* ---- code generation and attach ------------------------------------------- */

static int cpc_kind(const dt_probe_t *prb)
{
	return 0;
}

/* A hardware event on a machine without a CPU PMU: say so, rather than
   perf_event_open's ENOENT. */
static int cpc_no_pmu(dtrace_hdl_t *dtp, const dt_probe_t *prb)
{
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot enable "
			    "%s:%s:%s:%s: this machine has no hardware "
			    "performance counters (no CPU PMU in "
			    "/sys/bus/event_source/devices: a virtual machine "
			    "without a virtual PMU?); cpc can count software "
			    "events only", prb->prov, prb->mod, prb->func,
			    prb->name);
}

static int cpc_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	const cpc_data_t *d = prb->data;
	struct perf_event_attr attr;

	if (d->ev->type == PERF_TYPE_HARDWARE && access(PMU_DIR, F_OK) != 0)
		return cpc_no_pmu(dtp, prb);
	cpc_attr_of(d, &attr);
	return dt_perf_attach_cpus(dtp, prb, &attr, -1, prog_fd);
}

const dt_provops_t dt_prov_cpc = {
	.name = "cpc",
	.attr = &cpc_attr,
	.populate = cpc_populate,
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.kind = cpc_kind,
	.lower = dt_perf_lower,
	.attach = cpc_attach,
};
