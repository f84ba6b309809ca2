/*
 * profile.c - the profile provider: profile:::profile-N fires on every CPU
 * and profile:::tick-N on one CPU, at a rate or interval N.
 *
 * Names: "profile-" or "tick-", a decimal number, then an optional unit,
 * case-insensitive: ns nsec us usec ms msec s sec m min h hour d day give
 * an interval, hz (the default for a bare number) a rate.  The interval must
 * be at least 200 us, as in DTrace.  Such probes exist once named: a
 * description whose name field is a plain name creates its probe; a pattern
 * (and dtrace -l) sees DTrace's default set, profile-97, -199, -499, -997,
 * -1999, -4001, -4999 and tick-1, -10, -100, -500, -1000, -5000, plus any
 * already created.  Module and function are empty.  A name that does not
 * parse matches nothing, as in DTrace; dt_profile_parse says why.
 *
 * Attach: a perf software cpu-clock event with sample_period = the
 * interval in ns, per online CPU for profile-N and on the first online CPU
 * for tick-N, each with a BPF link whose cookie is the probe id.  All
 * profile probes share one program (one kind).  The context is struct
 * bpf_perf_event_data, the interrupted registers first: arg0 is the kernel
 * PC if the sample hit the kernel else 0, arg1 the user PC if it hit user
 * mode else 0, computed with a mask rather than a branch.
 *
 * data: the interval in ns shifted left once, bit 0 set for tick-N.
 *
 * Stability (dtrace -lv): DTrace's values for this provider; like DTrace,
 * no argument types (arg0 and arg1 are untyped), so no argtypes hook.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

#define NSEC_PER_SEC 1000000000ull
#define MIN_INTERVAL 200000ull		/* 200 us */
#define MAX_INTERVAL (1ull << 62)	/* keeps the shift in data exact */

static const struct {
	const char *name;
	uint64_t ns;		/* nanoseconds per unit; 0: a rate in hz */
} profile_units[] = {
	{ "ns", 1 }, { "nsec", 1 },
	{ "us", 1000 }, { "usec", 1000 },
	{ "ms", 1000000 }, { "msec", 1000000 },
	{ "s", NSEC_PER_SEC }, { "sec", NSEC_PER_SEC },
	{ "m", 60 * NSEC_PER_SEC }, { "min", 60 * NSEC_PER_SEC },
	{ "h", 3600 * NSEC_PER_SEC }, { "hour", 3600 * NSEC_PER_SEC },
	{ "d", 86400 * NSEC_PER_SEC }, { "day", 86400 * NSEC_PER_SEC },
	{ "hz", 0 }, { "", 0 },
};

static const dt_provattr_t profile_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.mod = { DT_STAB_UNSTABLE, DT_STAB_UNSTABLE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.args = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
};

/* DTrace's default set, the probes a pattern sees. */
static const char *const profile_defaults[] = {
	"profile-97", "profile-199", "profile-499", "profile-997",
	"profile-1999", "profile-4001", "profile-4999",
	"tick-1", "tick-10", "tick-100", "tick-500", "tick-1000", "tick-5000",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int unit_ns(const char *unit, uint64_t *ns)
{
	for (size_t i = 0; i < NELEM(profile_units); i++) {
		if (strcasecmp(unit, profile_units[i].name) == 0) {
			*ns = profile_units[i].ns;
			return 0;
		}
	}
	return -1;
}

/* The interval of n units, or of n hz when unit_len is 0; past
   MAX_INTERVAL when it overflows. */
static uint64_t interval(uint64_t n, uint64_t unit_len)
{
	if (unit_len == 0)
		return NSEC_PER_SEC / n;
	if (n > MAX_INTERVAL / unit_len)
		return MAX_INTERVAL + 1;
	return n * unit_len;
}

static int parse_fail(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* The decimal number at s (saturating); *end is left past its digits. */
static uint64_t parse_num(const char *s, const char **end)
{
	uint64_t n = 0;

	for (; isdigit((unsigned char)*s); s++)
		n = n > UINT64_MAX / 10 ? UINT64_MAX :
					  n * 10 + (uint64_t)(*s - '0');
	*end = s;
	return n;
}

int dt_profile_parse(const char *name, uint64_t *period_ns, bool *tick,
		     char *err, size_t errsz)
{
	bool is_tick = strncmp(name, "tick-", 5) == 0;
	const char *p = name + (is_tick ? 5 : 8), *unit;
	uint64_t n, ulen, ns;

	if (!is_tick && strncmp(name, "profile-", 8) != 0)
		return parse_fail(err, errsz, "\"%s\" is not a profile probe "
				  "name (profile-N or tick-N)", name);
	n = parse_num(p, &unit);
	if (unit == p)
		return parse_fail(err, errsz, "\"%s\": the rate or interval "
				  "must start with a number", name);
	if (unit_ns(unit, &ulen) < 0)
		return parse_fail(err, errsz, "\"%s\": unknown unit \"%s\" "
				  "(use ns, us, ms, s, m, h, d or hz)", name,
				  unit);
	if (n == 0)
		return parse_fail(err, errsz, "\"%s\": the rate or interval "
				  "must not be zero", name);
	ns = interval(n, ulen);
	if (ns < MIN_INTERVAL || ns > MAX_INTERVAL)
		return parse_fail(err, errsz, "\"%s\": the interval must be "
				  "between 200us and %llu days", name,
				  (unsigned long long)(MAX_INTERVAL /
						       (86400 * NSEC_PER_SEC)));
	*period_ns = ns;
	*tick = is_tick;
	return 0;
}

/* ---- populate ------------------------------------------------------------ */

/* Create the probe of a valid name; 1 if it exists now, 0 if the name is
   not one, -1 on error. */
static int profile_insert(dtrace_hdl_t *dtp, const char *name)
{
	char err[256];
	uint64_t ns;
	bool tick;

	if (dt_profile_parse(name, &ns, &tick, err, sizeof(err)) < 0)
		return 0;
	return dt_probe_insert(dtp, &dt_prov_profile, "", "", name,
			       (void *)(uintptr_t)(ns << 1 | tick)) != NULL ?
	       1 : -1;
}

static int profile_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	int n = 0, r;

	if (!dt_gmatch("", pd->mod) || !dt_gmatch("", pd->func))
		return 0;
	if (pd->name[0] != '\0' && strpbrk(pd->name, "*?[\\") == NULL)
		return profile_insert(dtp, pd->name);
	for (size_t i = 0; i < NELEM(profile_defaults); i++) {
		if (!dt_gmatch(profile_defaults[i], pd->name))
			continue;
		if ((r = profile_insert(dtp, profile_defaults[i])) < 0)
			return -1;
		n += r;
	}
	return n;
}

/* ---- code generation ----------------------------------------------------- */

/*
 * Where the interrupted PC and the privilege level are in the registers at
 * the start of struct bpf_perf_event_data, and how to tell user mode:
 * (word & mode_mask) == user_val.
 */
static const struct {
	int pc_off, mode_off;
	int64_t mode_mask, user_val;
} profile_regs =
#if defined(__x86_64__)
	{ 128, 136, 3, 3 };		/* pt_regs ip, cs; CPL 3 */
#elif defined(__aarch64__)
	{ 256, 264, 0xf, 0 };		/* user_pt_regs pc, pstate; EL0t */
#else
#error "profile.c: add this architecture's pt_regs layout"
#endif

static int profile_kind(const dt_probe_t *prb)
{
	return 0;
}

/* arg0 (kernel PC) or arg1 (user PC): pc & mask, the mask all ones when
   the sample's mode is the one wanted, else zero. */
static ir_ref_t perf_pc(dt_lowerenv_t *env, bool user)
{
	ir_func_t *fn = env->fn;
	ir_blk_t *b = env->blk;
	ir_ref_t pc = ir_load(fn, b, 8, env->ctx, profile_regs.pc_off);
	ir_ref_t mode = ir_load(fn, b, 8, env->ctx, profile_regs.mode_off);
	ir_ref_t is_user, mask;

	mode = ir_bin(fn, b, IR_AND, mode, ir_con(fn, profile_regs.mode_mask));
	is_user = ir_bin(fn, b, IR_CEQ, mode,
			 ir_con(fn, profile_regs.user_val));
	if (user)
		mask = ir_emit(fn, b, IR_NEG, ir_tmp(fn), is_user, IR_NONE)->to;
	else
		mask = ir_bin(fn, b, IR_SUB, is_user, ir_con(fn, 1));
	return ir_bin(fn, b, IR_AND, pc, mask);
}

ir_ref_t dt_perf_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
		       dt_pvar_t what, int n)
{
	(void)prb;
	if (what == DT_PV_PROBEID)
		return dt_cookie_probeid(env);
	if (what == DT_PV_ARG && (n == 0 || n == 1))
		return perf_pc(env, n == 1);
	return IR_NONE;
}

/* ---- attach -------------------------------------------------------------- */

static int profile_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	uintptr_t data = (uintptr_t)prb->data;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = data >> 1,
	};

	/* tick-N: on one CPU */
	return dt_perf_attach_cpus(dtp, prb, &attr, (data & 1) ? 1 : -1,
				   prog_fd);
}

const dt_provops_t dt_prov_profile = {
	.name = "profile",
	.attr = &profile_attr,
	.populate = profile_populate,
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.kind = profile_kind,
	.lower = dt_perf_lower,
	.attach = profile_attach,
};
