/*
 * test_providers.c - the dtrace, syscall and profile providers, feature
 * probing and the attach plumbing.
 *
 * Without root: probe enumeration of the dtrace and profile providers, the
 * profile name parser, CPU lists, and the IR each provider's lower() emits,
 * run through a small IR interpreter on fake contexts (so the values are
 * checked, not the instruction spelling).  With root (the others skip):
 * feature probing, syscall enumeration against tracefs, and live attaches of
 * hand-written BPF programs (raw struct bpf_insn, no compiler) through the
 * providers' attach(): syscall::getppid:entry, tick-N and profile-N, firing
 * BEGIN/END with BPF_PROG_TEST_RUN, and letting go with dt_close_fds.
 *
 * dt_probe_insert, dt_set_error and friends come from probe.c/handle.c when
 * linked, else from the weak stand-ins in stubs_providers.c.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "provider.h"

/* ---- fixtures ------------------------------------------------------------ */

static dtrace_hdl_t *hdl_new(void)
{
	dtrace_hdl_t *dtp = calloc(1, sizeof(*dtp));

	cr_assert_not_null(dtp);
	return dtp;
}

static void hdl_free(dtrace_hdl_t *dtp)
{
	dt_close_fds(dtp);
	free(dtp->fds);
	dt_probe_table_destroy(dtp);
	free(dtp);
}

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Populate prov's probes for description s; returns what populate did. */
static int populate(dtrace_hdl_t *dtp, const dt_provops_t *ops, const char *s)
{
	dt_pdesc_t pd;

	const char *f[4];
	char buf[512], *p = buf;

	memset(&pd, 0, sizeof(pd));
	snprintf(buf, sizeof(buf), "%s", s);
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, ':');
		if (p == NULL && i < 3)
			cr_assert_fail("bad description %s", s);
		if (p != NULL)
			*p++ = '\0';
	}
	snprintf(pd.prov, sizeof(pd.prov), "%s", f[0]);
	snprintf(pd.mod, sizeof(pd.mod), "%s", f[1]);
	snprintf(pd.func, sizeof(pd.func), "%s", f[2]);
	snprintf(pd.name, sizeof(pd.name), "%s", f[3]);
	return ops->populate(dtp, &pd);
}

/* Probes of a provider in the table that match func/name patterns. */
static int count_probes(dtrace_hdl_t *dtp, const char *prov, const char *func,
			const char *name)
{
	int n = 0;

	for (size_t i = 1; i < dtp->nprobes; i++) {
		dt_probe_t *p = dtp->probes[i];

		n += p != NULL && strcmp(p->prov, prov) == 0 &&
		     dt_gmatch(p->func, func) && dt_gmatch(p->name, name);
	}
	return n;
}

static dt_probe_t *find_probe(dtrace_hdl_t *dtp, const char *prov,
			      const char *func, const char *name)
{
	for (size_t i = 1; i < dtp->nprobes; i++) {
		dt_probe_t *p = dtp->probes[i];

		if (p != NULL && strcmp(p->prov, prov) == 0 &&
		    strcmp(p->func, func) == 0 && strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

/* ---- the dtrace provider ------------------------------------------------- */

Test(dtrace_prov, fixed_ids)
{
	dtrace_hdl_t *dtp = hdl_new();

	cr_assert_eq(populate(dtp, &dt_prov_dtrace, "dtrace:::END"), 1);
	cr_assert_eq(find_probe(dtp, "dtrace", "", "BEGIN")->id, 1);
	cr_assert_eq(find_probe(dtp, "dtrace", "", "END")->id, 2);
	cr_assert_eq(find_probe(dtp, "dtrace", "", "ERROR")->id, 3);
	cr_assert_eq(populate(dtp, &dt_prov_dtrace, "dtrace:::"), 3);
	cr_assert_eq(populate(dtp, &dt_prov_dtrace, "dtrace:::ERR*"), 1);
	cr_assert_eq(populate(dtp, &dt_prov_dtrace, "dtrace:vmlinux::BEGIN"), 0);
	cr_assert_eq(count_probes(dtp, "dtrace", "", ""), 3);
	cr_assert_eq(dt_prov_dtrace.kind(find_probe(dtp, "dtrace", "", "BEGIN")),
		     dt_prov_dtrace.kind(find_probe(dtp, "dtrace", "", "END")));
	hdl_free(dtp);
}

/* ---- the profile provider: names ----------------------------------------- */

static const struct {
	const char *name;
	uint64_t ns;
	bool tick;
} good_names[] = {
	{ "tick-1s", 1000000000, true },
	{ "tick-100ms", 100000000, true },
	{ "tick-100msec", 100000000, true },
	{ "tick-5sec", 5000000000, true },
	{ "tick-1", 1000000000, true },
	{ "tick-1000", 1000000, true },
	{ "tick-1MIN", 60000000000, true },
	{ "tick-2hour", 7200000000000, true },
	{ "tick-1d", 86400000000000, true },
	{ "tick-1day", 86400000000000, true },
	{ "tick-3m", 180000000000, true },
	{ "tick-250us", 250000, true },
	{ "tick-250usec", 250000, true },
	{ "tick-300000ns", 300000, true },
	{ "tick-300000nsec", 300000, true },
	{ "profile-97", 10309278, false },
	{ "profile-1000hz", 1000000, false },
	{ "profile-1000Hz", 1000000, false },
	{ "profile-4999", 200040, false },
	{ "profile-5000", 200000, false },
	{ "profile-200us", 200000, false },
	{ "profile-1h", 3600000000000, false },
};

static const struct {
	const char *name;
	const char *why;	/* a substring of the message */
} bad_names[] = {
	{ "tick-", "must start with a number" },
	{ "tick-s", "must start with a number" },
	{ "tick--1", "must start with a number" },
	{ "profile-abc", "must start with a number" },
	{ "tick-10xyz", "unknown unit \"xyz\"" },
	{ "tick-1 s", "unknown unit \" s\"" },
	{ "tick-10.5s", "unknown unit \".5s\"" },
	{ "tick-1seconds", "unknown unit" },
	{ "tick-0", "must not be zero" },
	{ "tick-0ms", "must not be zero" },
	{ "profile-5001", "between 200us" },
	{ "tick-100us", "between 200us" },
	{ "tick-199999ns", "between 200us" },
	{ "tick-99999999999999999999d", "between 200us" },
	{ "tick-99999999999d", "between 200us" },
	{ "foo-10", "not a profile probe name" },
	{ "ticks-10", "not a profile probe name" },
	{ "", "not a profile probe name" },
};

Test(profile_prov, parse_good)
{
	for (size_t i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++) {
		char err[256] = "";
		uint64_t ns = 0;
		bool tick = !good_names[i].tick;

		cr_assert_eq(dt_profile_parse(good_names[i].name, &ns, &tick,
					      err, sizeof(err)), 0,
			     "%s: %s", good_names[i].name, err);
		cr_assert_eq(ns, good_names[i].ns, "%s: %llu ns",
			     good_names[i].name, (unsigned long long)ns);
		cr_assert_eq(tick, good_names[i].tick, "%s", good_names[i].name);
	}
}

Test(profile_prov, parse_bad)
{
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		char err[256] = "";
		uint64_t ns = 0;
		bool tick;

		cr_assert_eq(dt_profile_parse(bad_names[i].name, &ns, &tick,
					      err, sizeof(err)), -1,
			     "%s accepted", bad_names[i].name);
		cr_assert_not_null(strstr(err, bad_names[i].why),
				   "%s: \"%s\" lacks \"%s\"", bad_names[i].name,
				   err, bad_names[i].why);
		cr_assert_not_null(strstr(err, bad_names[i].name),
				   "%s: message does not name it: %s",
				   bad_names[i].name, err);
	}
}

Test(profile_prov, populate)
{
	dtrace_hdl_t *dtp = hdl_new();
	dt_probe_t *p;

	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::tick-1s"), 1);
	p = find_probe(dtp, "profile", "", "tick-1s");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->mod, "");
	cr_assert_eq(count_probes(dtp, "profile", "", ""), 1, "lazy: only tick-1s");
	/* a pattern sees DTrace's default set */
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::tick-*"), 6);
	cr_assert_eq(count_probes(dtp, "profile", "", ""), 7);
	for (const char *const *n = (const char *const[]){ "tick-1", "tick-10",
		"tick-100", "tick-500", "tick-1000", "tick-5000", NULL }; *n; n++)
		cr_assert_not_null(find_probe(dtp, "profile", "", *n), "%s", *n);
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::"), 13);
	cr_assert_eq(count_probes(dtp, "profile", "", "profile-*"), 7);
	for (const char *const *n = (const char *const[]){ "profile-97",
		"profile-199", "profile-499", "profile-997", "profile-1999",
		"profile-4001", "profile-4999", NULL }; *n; n++)
		cr_assert_not_null(find_probe(dtp, "profile", "", *n), "%s", *n);
	/* naming a default probe finds it again */
	uint32_t id97 = find_probe(dtp, "profile", "", "profile-97")->id;
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::profile-97"), 1);
	cr_assert_eq(find_probe(dtp, "profile", "", "profile-97")->id, id97);
	/* bad names and other modules match nothing and add nothing */
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::tick-10xyz"), 0);
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::tick-0"), 0);
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:vmlinux::tick-1s"), 0);
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile::f:tick-1s"), 0);
	cr_assert_eq(count_probes(dtp, "profile", "", ""), 14);
	hdl_free(dtp);
}

/* ---- CPU lists ----------------------------------------------------------- */

Test(attach, cpulist)
{
	int c[8];

	cr_assert_eq(dt_parse_cpulist("0-1\n", c, 8), 2);
	cr_assert(c[0] == 0 && c[1] == 1);
	cr_assert_eq(dt_parse_cpulist("0,2-3,5", c, 8), 4);
	cr_assert(c[0] == 0 && c[1] == 2 && c[2] == 3 && c[3] == 5);
	cr_assert_eq(dt_parse_cpulist("7", c, 8), 1);
	cr_assert_eq(c[0], 7);
	cr_assert_eq(dt_parse_cpulist("", c, 8), 0);
	cr_assert_eq(dt_parse_cpulist("3-1", c, 8), -1);
	cr_assert_eq(dt_parse_cpulist("a", c, 8), -1);
	cr_assert_eq(dt_parse_cpulist("0-3", c, 2), -1);
	cr_assert_eq(dt_parse_cpulist("1;2", c, 8), -1);
}

Test(attach, online_cpus)
{
	dtrace_hdl_t *dtp = hdl_new();
	int *cpus, n = dt_online_cpus(dtp, &cpus);

	cr_assert_eq(n, sysconf(_SC_NPROCESSORS_ONLN));
	free(cpus);
	hdl_free(dtp);
}

/* ---- lowering, checked by running the IR --------------------------------- */

typedef struct irrun {
	uint64_t cookie;	/* what bpf_get_attach_cookie returns */
	int calls;		/* helper calls made */
	uint64_t args[5];	/* the pending helper arguments */
	int nargs;
} irrun_t;

static uint64_t ref_val(const ir_func_t *fn, const uint64_t *t, ir_ref_t r)
{
	return ir_is_con(r) ? (uint64_t)ir_conval(fn, r) : t[r.val];
}

static uint64_t alu(ir_op_t op, uint64_t x, uint64_t y)
{
	switch (op) {
	case IR_COPY: return x;
	case IR_ADD: return x + y;
	case IR_SUB: return x - y;
	case IR_AND: return x & y;
	case IR_OR: return x | y;
	case IR_XOR: return x ^ y;
	case IR_SHL: return x << (y & 63);
	case IR_SHR: return x >> (y & 63);
	case IR_SAR: return (uint64_t)((int64_t)x >> (y & 63));
	case IR_NEG: return -x;
	case IR_ZEXT32: return (uint32_t)x;
	case IR_SEXT32: return (uint64_t)(int64_t)(int32_t)x;
	case IR_CEQ: return x == y;
	case IR_CNE: return x != y;
	case IR_CULT: return x < y;
	case IR_CULE: return x <= y;
	case IR_CUGT: return x > y;
	case IR_CUGE: return x >= y;
	case IR_CSLT: return (int64_t)x < (int64_t)y;
	case IR_CSLE: return (int64_t)x <= (int64_t)y;
	case IR_CSGT: return (int64_t)x > (int64_t)y;
	case IR_CSGE: return (int64_t)x >= (int64_t)y;
	default: cr_assert_fail("op %s not in the interpreter",
				ir_opinfo[op].text);
	}
	return 0;
}

static uint64_t call(int helper, irrun_t *rr)
{
	int nargs = rr->nargs;

	rr->nargs = 0;
	rr->calls++;
	if (helper == BPF_FUNC_get_attach_cookie && nargs == 1)
		return rr->cookie;
	if (helper == BPF_FUNC_probe_read_kernel && nargs == 3) {
		memcpy((void *)(uintptr_t)rr->args[0],
		       (const void *)(uintptr_t)rr->args[2], rr->args[1]);
		return 0;
	}
	cr_assert_fail("unexpected helper %d with %d arguments", helper, nargs);
	return 0;
}

static uint64_t exec_ins(const ir_func_t *fn, uint64_t *t, const ir_ins_t *in,
			 irrun_t *rr)
{
	uint64_t x = ref_val(fn, t, in->a[0]), y = ref_val(fn, t, in->a[1]);
	const char *p = (const char *)(uintptr_t)x + in->off;

	switch (in->op) {
	case IR_LOAD1: return *(const uint8_t *)p;
	case IR_LOAD2: return *(const uint16_t *)p;
	case IR_LOAD4: return *(const uint32_t *)p;
	case IR_LOAD8: return *(const uint64_t *)p;
	case IR_ARG:
		cr_assert_lt(rr->nargs, 5);
		rr->args[rr->nargs++] = x;
		return 0;
	case IR_CALL:
		return call(in->off, rr);
	default: return alu((ir_op_t)in->op, x, y);
	}
}

static uint64_t ir_run(const ir_func_t *fn, uint64_t r1, irrun_t *rr)
{
	uint64_t *t = calloc(fn->ntmp + 1, sizeof(uint64_t));
	uint64_t stack[64];
	const ir_blk_t *b = fn->blks[0];

	memset(stack, 0xa5, sizeof(stack));
	t[1] = r1;
	t[IR_FP] = (uint64_t)(uintptr_t)(stack + 64);
	for (int steps = 0; steps < 1000; steps++) {
		for (size_t i = 0; i < b->nins; i++) {
			uint64_t v = exec_ins(fn, t, &b->ins[i], rr);

			if (ir_is_tmp(b->ins[i].to))
				t[b->ins[i].to.val] = v;
		}
		if (b->jmp.kind == IR_J_RET) {
			uint64_t v = ref_val(fn, t, b->jmp.arg[0]);
			free(t);
			return v;
		}
		if (b->jmp.kind == IR_J_JMP)
			b = b->jmp.s1;
		else if (b->jmp.kind == IR_J_JNZ)
			b = ref_val(fn, t, b->jmp.arg[0]) ? b->jmp.s1 : b->jmp.s2;
		else
			cr_assert_fail("jump kind %d", b->jmp.kind);
	}
	cr_assert_fail("IR does not terminate");
	return 0;
}

/* Lower what/n for prb and run it on ctx; *none if lower said IR_NONE. */
static uint64_t lower_run(const dt_provops_t *ops, const dt_probe_t *prb,
			  uint32_t probe_id, dt_pvar_t what, int n,
			  const void *ctx, irrun_t *rr, bool *none)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = ir_func_new(a, "t");
	dt_lowerenv_t env = { .fn = fn, .blk = ir_blk_new(fn),
			      .ctx = ir_tmp(fn), .probe_id = probe_id };
	char err[256];
	ir_ref_t r;
	uint64_t v;

	ir_emit(fn, env.blk, IR_COPY, env.ctx, ir_reg(1), IR_NONE);
	r = ops->lower(&env, prb, what, n);
	*none = ir_is_none(r);
	ir_ret(env.blk, *none ? ir_con(fn, 0) : r);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "ir_check: %s", err);
	rr->calls = rr->nargs = 0;
	v = ir_run(fn, (uint64_t)(uintptr_t)ctx, rr);
	dl_arena_destroy(a);
	return v;
}

static uint64_t lower_val(const dt_provops_t *ops, const dt_probe_t *prb,
			  uint32_t probe_id, dt_pvar_t what, int n,
			  const void *ctx, irrun_t *rr)
{
	bool none;
	uint64_t v = lower_run(ops, prb, probe_id, what, n, ctx, rr, &none);

	cr_assert(!none, "lower(%d, %d) gave nothing", what, n);
	return v;
}

static bool lower_none(const dt_provops_t *ops, const dt_probe_t *prb,
		       dt_pvar_t what, int n, const void *ctx)
{
	irrun_t rr = { 0 };
	bool none;

	lower_run(ops, prb, 0, what, n, ctx, &rr, &none);
	return none;
}

Test(lower, dtrace)
{
	dt_probe_t prb = { .id = 1, .prov = "dtrace", .mod = "", .func = "",
			   .name = "BEGIN", .ops = &dt_prov_dtrace };
	uint64_t ctx[12] = { 2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	irrun_t rr = { 0 };

	cr_assert_eq(lower_val(&dt_prov_dtrace, &prb, 0, DT_PV_PROBEID, 0, ctx,
			       &rr), 2);
	cr_assert_eq(lower_val(&dt_prov_dtrace, &prb, 1, DT_PV_PROBEID, 0, ctx,
			       &rr), 1);
	for (int n = 0; n < 10; n++)
		cr_assert_eq(lower_val(&dt_prov_dtrace, &prb, 0, DT_PV_ARG, n,
				       ctx, &rr), 10 + n);
	cr_assert(lower_none(&dt_prov_dtrace, &prb, DT_PV_ERRNO, 0, ctx));
	cr_assert(lower_none(&dt_prov_dtrace, &prb, DT_PV_ARG, 11, ctx));
	cr_assert_eq(rr.calls, 0);
}

/* A syscall tracepoint record: header, __syscall_nr, then 6 slots. */
static void sc_record(uint64_t rec[8])
{
	memset(rec, 0, 8 * sizeof(uint64_t));
	rec[1] = 0;			/* __syscall_nr */
	for (int i = 0; i < 6; i++)
		rec[2 + i] = 100 + i;
}

Test(lower, syscall_entry_shared)
{
	dt_probe_t prb = { .id = 7, .prov = "syscall", .mod = "vmlinux",
			   .func = "read", .name = "entry",
			   .ops = &dt_prov_syscall, .data = (void *)0,
			   .nargs = -1 };
	uint64_t rec[8];
	irrun_t rr = { .cookie = 7 | (uint64_t)2 << 32 };

	sc_record(rec);
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_PROBEID, 0, rec,
			       &rr), 7);
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ARG, 0, rec,
			       &rr), 100);
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ARG, 1, rec,
			       &rr), 101);
	for (int n = 2; n < 6; n++)
		cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ARG, n,
				       rec, &rr), 0, "arg%d past nargs", n);
	rr.cookie = 9 | (uint64_t)6 << 32;
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ARG, 5, rec,
			       &rr), 105);
	cr_assert_eq(rr.calls, 2, "probe_read_kernel and the cookie");
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_PROBEID, 0, rec,
			       &rr), 9);
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ARG, 6, rec));
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ERRNO, 0, rec));
	/* one probe found by a pattern (nargs unknown): the same */
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 9, DT_PV_ARG, 4, rec,
			       &rr), 104);
	cr_assert_eq(rr.calls, 2);
}

Test(lower, syscall_entry_single)
{
	dt_probe_t prb = { .id = 7, .prov = "syscall", .mod = "vmlinux",
			   .func = "read", .name = "entry",
			   .ops = &dt_prov_syscall, .data = (void *)0,
			   .nargs = 3 };
	uint64_t rec[8];
	irrun_t rr = { .cookie = 0xdead };
	bool none;

	sc_record(rec);
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 7, DT_PV_PROBEID, 0, rec,
			       &rr), 7);
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 7, DT_PV_ARG, 2, rec,
			       &rr), 102);
	cr_assert_eq(rr.calls, 0, "no cookie needed for one known probe");
	lower_run(&dt_prov_syscall, &prb, 7, DT_PV_ARG, 3, rec, &rr, &none);
	cr_assert(none, "arg3 of a 3-argument syscall is 0");
}

Test(lower, syscall_return)
{
	dt_probe_t prb = { .id = 8, .prov = "syscall", .mod = "vmlinux",
			   .func = "read", .name = "return",
			   .ops = &dt_prov_syscall, .data = (void *)1,
			   .nargs = -1 };
	static const struct { int64_t ret; uint64_t err; } cases[] = {
		{ 5, 0 }, { 0, 0 }, { -1, 1 }, { -2, 2 }, { -4095, 4095 },
		{ -4096, 0 }, { INT64_MIN, 0 }, { INT64_MAX, 0 },
	};
	uint64_t rec[8];
	irrun_t rr = { .cookie = 8 };

	sc_record(rec);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rec[2] = (uint64_t)cases[i].ret;
		cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ERRNO, 0,
				       rec, &rr), cases[i].err, "ret %lld",
			     (long long)cases[i].ret);
		cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ARG, 0,
				       rec, &rr), (uint64_t)cases[i].ret);
		cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_ARG, 1,
				       rec, &rr), (uint64_t)cases[i].ret);
	}
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ARG, 2, rec));
	cr_assert_neq(dt_prov_syscall.kind(&prb),
		      dt_prov_syscall.kind(&(dt_probe_t){ .data = (void *)0 }));
}

Test(lower, profile)
{
	dt_probe_t prb = { .id = 20, .prov = "profile", .mod = "", .func = "",
			   .name = "tick-1s", .ops = &dt_prov_profile };
	uint64_t regs[24] = { 0 };
	irrun_t rr = { .cookie = 20 };

	regs[16] = 0x401234;		/* ip */
	regs[17] = 0x33;		/* cs: user */
	cr_assert_eq(lower_val(&dt_prov_profile, &prb, 0, DT_PV_ARG, 0, regs,
			       &rr), 0);
	cr_assert_eq(lower_val(&dt_prov_profile, &prb, 0, DT_PV_ARG, 1, regs,
			       &rr), 0x401234);
	regs[16] = 0xffffffff81001234ull;
	regs[17] = 0x10;		/* cs: kernel */
	cr_assert_eq(lower_val(&dt_prov_profile, &prb, 0, DT_PV_ARG, 0, regs,
			       &rr), 0xffffffff81001234ull);
	cr_assert_eq(lower_val(&dt_prov_profile, &prb, 0, DT_PV_ARG, 1, regs,
			       &rr), 0);
	cr_assert_eq(lower_val(&dt_prov_profile, &prb, 0, DT_PV_PROBEID, 0,
			       regs, &rr), 20);
	cr_assert_eq(lower_val(&dt_prov_profile, &prb, 21, DT_PV_PROBEID, 0,
			       regs, &rr), 21);
	cr_assert(lower_none(&dt_prov_profile, &prb, DT_PV_ARG, 2, regs));
	cr_assert(lower_none(&dt_prov_profile, &prb, DT_PV_ERRNO, 0, regs));
}

/* ---- root: features and syscall enumeration ------------------------------ */

Test(features, probe)
{
	need_root();
	dtrace_hdl_t *dtp = hdl_new();
	double t0 = now_ms(), t1, t2;

	cr_assert_eq(dt_features_probe(dtp), 0, "%s", dtp->errmsg);
	t1 = now_ms();
	cr_assert_eq(dt_features_probe(dtp), 0);
	t2 = now_ms();
	cr_assert(dtp->feat.probed);
	cr_assert(dtp->feat.ringbuf);
	cr_assert(dtp->feat.cookie);
	cr_assert(dtp->feat.perf_link);
	cr_assert_str_eq(dtp->feat.tracefs, "/sys/kernel/tracing");
	cr_log_info("dt_features_probe: %.2f ms, again %.3f ms", t1 - t0,
		    t2 - t1);
	cr_assert_lt(t2 - t1, 0.1);
	hdl_free(dtp);
}

/* The tracefs listing: count sys_enter_<glob> / sys_exit_<glob>. */
static int tracefs_count(const char *prefix, const char *glob)
{
	DIR *d = opendir("/sys/kernel/tracing/events/syscalls");
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		     dt_gmatch(de->d_name + strlen(prefix), glob);
	closedir(d);
	return n;
}

static dtrace_hdl_t *sc_hdl(void)
{
	dtrace_hdl_t *dtp;

	need_root();
	dtp = hdl_new();
	cr_assert_eq(dt_features_probe(dtp), 0, "%s", dtp->errmsg);
	return dtp;
}

Test(syscall_prov, populate_glob)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int n = tracefs_count("sys_enter_", "read*");

	cr_assert_geq(n, 5);	/* read readv readlink readlinkat readahead */
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read*:entry"), n);
	cr_assert_eq(count_probes(dtp, "syscall", "", ""), n);
	for (const char *const *f = (const char *const[]){ "read", "readv",
		"readlink", "readlinkat", "readahead", NULL }; *f; f++) {
		dt_probe_t *p = find_probe(dtp, "syscall", *f, "entry");

		cr_assert_not_null(p, "%s", *f);
		cr_assert_str_eq(p->mod, "vmlinux");
	}
	cr_assert_null(find_probe(dtp, "syscall", "read", "return"));
	/* again: same probes */
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read*:entry"), n);
	cr_assert_eq(count_probes(dtp, "syscall", "", ""), n);
	hdl_free(dtp);
}

Test(syscall_prov, populate_all)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int ne = tracefs_count("sys_enter_", ""), nx = tracefs_count("sys_exit_", "");
	double t0 = now_ms(), t1;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall:::"), ne + nx);
	t1 = now_ms();
	cr_log_info("populate syscall::: (%d probes): %.2f ms", ne + nx, t1 - t0);
	cr_assert_eq(count_probes(dtp, "syscall", "", "entry"), ne);
	cr_assert_eq(count_probes(dtp, "syscall", "", "return"), nx);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall:::entry"), ne);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall:vmlinux::return"), nx);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall:kernel::"), 0);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall:::foo"), 0);
	/* lazy: no format file read for a pattern */
	cr_assert_eq(find_probe(dtp, "syscall", "read", "entry")->nargs, -1);
	hdl_free(dtp);
}

Test(syscall_prov, populate_one)
{
	dtrace_hdl_t *dtp = sc_hdl();
	dt_probe_t *p;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read:entry"), 1);
	cr_assert_eq(count_probes(dtp, "syscall", "", ""), 1, "lazy");
	p = find_probe(dtp, "syscall", "read", "entry");
	cr_assert_eq(p->nargs, 3);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read:"), 2);
	cr_assert_eq(find_probe(dtp, "syscall", "read", "return")->nargs, 2);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	cr_assert_eq(find_probe(dtp, "syscall", "getppid", "entry")->nargs, 0);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::mmap:entry"), 1);
	cr_assert_eq(find_probe(dtp, "syscall", "mmap", "entry")->nargs, 6);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::nosuchcall:entry"), 0);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::../x:entry"), 0);
	cr_assert_null(find_probe(dtp, "syscall", "nosuchcall", "entry"));
	cr_assert_eq(count_probes(dtp, "syscall", "", ""), 4);
	hdl_free(dtp);
}

/* ---- root: live attaches of hand-written programs ------------------------ */

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define AND_IMM(d, i) INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define RSH_IMM(d, i) INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define XADD(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define TO_EXIT 0x7fff		/* jump offset patched to the final exit */

/* Map values: [0] count, [1] r9 (cookie/cpu), [4] r7, [5] r8. */
typedef struct slot {
	uint64_t count, r9, pad[2], r7, r8;
} slot_t;

static int map_new(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(slot_t), 4,
				NULL);

	cr_assert_geq(fd, 0, "map: %s", strerror(errno));
	return fd;
}

static slot_t map_get(int fd, uint32_t key)
{
	slot_t s;

	cr_assert_eq(bpf_map_lookup_elem(fd, &key, &s), 0);
	return s;
}

/*
 * Load: "r6 = r1", the body (computes r7, r8, r9 and the key at r10-4, may
 * jump TO_EXIT), then map[key].count++ and the registers stored.
 */
static int prog_load(int type, int mapfd, const struct bpf_insn *body,
		     size_t nbody)
{
	struct bpf_insn p[64];
	size_t n = 0;
	char log[16384] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log,
		    .log_size = sizeof(log), .log_level = 1);
	int fd;

	p[n++] = MOV_REG(6, 1);
	p[n++] = ST_W(10, -4, 0);
	memcpy(p + n, body, nbody * sizeof(*body));
	n += nbody;
	p[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, mapfd);
	p[n++] = INSN(0, 0, 0, 0, 0);
	p[n++] = MOV_REG(2, 10);
	p[n++] = ADD_IMM(2, -4);
	p[n++] = CALL(BPF_FUNC_map_lookup_elem);
	p[n++] = JEQ_IMM(0, 0, TO_EXIT);
	p[n++] = MOV_IMM(1, 1);
	p[n++] = XADD(0, 1, 0);
	p[n++] = STX(BPF_DW, 0, 9, 8);
	p[n++] = STX(BPF_DW, 0, 7, 32);
	p[n++] = STX(BPF_DW, 0, 8, 40);
	p[n++] = MOV_IMM(0, 0);
	p[n++] = EXIT;
	for (size_t i = 0; i < n; i++)
		if (BPF_CLASS(p[i].code) == BPF_JMP && p[i].off == TO_EXIT)
			p[i].off = (int16_t)(n - 2 - i - 1);
	fd = bpf_prog_load(type, NULL, "GPL", p, n, &o);
	cr_assert_geq(fd, 0, "load: %s\n%s", strerror(errno), log);
	return fd;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0);
}

/* A program that counts getppid entries of this process only. */
static int getppid_prog(int mapfd)
{
	struct bpf_insn body[] = {
		CALL(BPF_FUNC_get_current_pid_tgid),
		RSH_IMM(0, 32),
		JNE_IMM(0, getpid(), TO_EXIT),
		MOV_REG(1, 6),
		CALL(BPF_FUNC_get_attach_cookie),
		MOV_REG(9, 0),
		LDX(BPF_W, 7, 6, 8),		/* __syscall_nr */
		/* the first argument slot, past getppid's record: only
		   through a helper (a direct load fails the attach) */
		MOV_REG(1, 10),
		ADD_IMM(1, -16),
		MOV_IMM(2, 8),
		MOV_REG(3, 6),
		ADD_IMM(3, 16),
		CALL(BPF_FUNC_probe_read_kernel),
		LDX(BPF_DW, 8, 10, -16),
	};

	return prog_load(BPF_PROG_TYPE_TRACEPOINT, mapfd, body,
			 sizeof(body) / sizeof(body[0]));
}

Test(live, syscall_getppid)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = getppid_prog(mapfd), ncpu;
	dt_probe_t *p;
	slot_t s;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	p = find_probe(dtp, "syscall", "getppid", "entry");
	cr_assert_eq(dt_prov_syscall.attach(dtp, p, prog), 0, "%s", dtp->errmsg);
	cr_assert_eq(dtp->nfds, 2, "one perf event and one link");
	/* one perf event on CPU 0 fires on every CPU */
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (int c = 0; c < ncpu; c++) {
		pin_cpu(c);
		for (int i = 0; i < 5; i++)
			syscall(SYS_getppid);
	}
	s = map_get(mapfd, 0);
	cr_assert_eq(s.count, (uint64_t)(5 * ncpu));
	cr_assert_eq((uint32_t)s.r9, p->id, "cookie low half is the probe id");
	cr_assert_eq(s.r9 >> 32, 0, "getppid has no arguments");
	cr_assert_eq(s.r7, SYS_getppid);
	/* letting go: the program stops at once, and fast */
	double t0 = now_ms();
	dt_close_fds(dtp);
	double t1 = now_ms();
	cr_log_info("dt_close_fds, 1 tracepoint: %.1f ms", t1 - t0);
	syscall(SYS_getppid);
	cr_assert_eq(map_get(mapfd, 0).count, (uint64_t)(5 * ncpu));
	cr_assert_lt(t1 - t0, 1000);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

/* Why shared entry programs read arguments through a helper: the kernel
   will not attach a program that loads past the tracepoint's record. */
Test(live, syscall_direct_load_past_record)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new();
	struct bpf_insn body[] = {
		LDX(BPF_DW, 8, 6, 16),		/* "arg0" of getppid */
		MOV_IMM(7, 0),
		MOV_IMM(9, 0),
	};
	int prog = prog_load(BPF_PROG_TYPE_TRACEPOINT, mapfd, body, 3);

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	cr_assert_eq(dt_prov_syscall.attach(dtp, find_probe(dtp, "syscall",
			"getppid", "entry"), prog), -1);
	cr_assert_not_null(strstr(dtp->errmsg, "Permission denied"), "%s",
			   dtp->errmsg);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read:entry"), 1);
	cr_assert_eq(dt_prov_syscall.attach(dtp, find_probe(dtp, "syscall",
			"read", "entry"), prog), 0, "%s", dtp->errmsg);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, syscall_cookie_nargs)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = getppid_prog(mapfd);
	dt_probe_t *p;

	/* found through a pattern: the format is read at attach */
	cr_assert_gt(populate(dtp, &dt_prov_syscall, "syscall::getpp*:entry"), 0);
	cr_assert_gt(populate(dtp, &dt_prov_syscall, "syscall::getpp*:return"), 0);
	p = find_probe(dtp, "syscall", "getppid", "return");
	cr_assert_eq(p->nargs, -1);
	cr_assert_eq(dt_prov_syscall.attach(dtp, p, prog), 0, "%s", dtp->errmsg);
	cr_assert_eq(p->nargs, 2);
	syscall(SYS_getppid);
	slot_t s = map_get(mapfd, 0);
	cr_assert_eq(s.count, 1);
	cr_assert_eq(s.r9, p->id, "return probes: the cookie is the id");
	cr_assert_eq(s.r8, (uint64_t)getppid(), "ret");
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

/* Profile programs count user samples at key 1 and kernel ones at 2:
   r7 = ip, r8 = cs, r9 = cookie. */
static int profile_prog(int mapfd)
{
	struct bpf_insn body[] = {
		MOV_REG(1, 6),
		CALL(BPF_FUNC_get_attach_cookie),
		MOV_REG(9, 0),
		LDX(BPF_DW, 7, 6, 128),
		LDX(BPF_DW, 8, 6, 136),
		MOV_REG(1, 8),
		AND_IMM(1, 3),
		JEQ_IMM(1, 3, 2),
		ST_W(10, -4, 2),
		JA(1),
		ST_W(10, -4, 1),
	};

	return prog_load(BPF_PROG_TYPE_PERF_EVENT, mapfd, body,
			 sizeof(body) / sizeof(body[0]));
}

static void spin_ms(double ms)
{
	double end = now_ms() + ms;
	volatile uint64_t x = 0;

	while (now_ms() < end)
		for (int i = 0; i < 1000; i++)
			x += (uint64_t)i;
}

Test(live, tick)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = profile_prog(mapfd), *cpus;
	dt_probe_t *p;
	slot_t user, kern;

	cr_assert_eq(dt_online_cpus(dtp, &cpus) > 0, 1);
	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::tick-1000hz"), 1);
	p = find_probe(dtp, "profile", "", "tick-1000hz");
	cr_assert_eq(dt_prov_profile.attach(dtp, p, prog), 0, "%s", dtp->errmsg);
	cr_assert_eq(dtp->nfds, 2, "tick: one CPU");
	pin_cpu(cpus[0]);
	spin_ms(200);
	user = map_get(mapfd, 1);
	kern = map_get(mapfd, 2);
	cr_log_info("tick-1000hz over 200 ms busy: %llu user, %llu kernel",
		    (unsigned long long)user.count,
		    (unsigned long long)kern.count);
	cr_assert_geq(user.count + kern.count, 100);
	cr_assert_leq(user.count + kern.count, 300);
	cr_assert_gt(user.count, kern.count, "we were spinning in user mode");
	cr_assert_eq(user.r9, p->id);
	cr_assert_eq(user.r8 & 3, 3);
	cr_assert_lt(user.r7, 0x800000000000ull, "user PC");
	if (kern.count > 0)
		cr_assert_geq(kern.r7, 0xffff800000000000ull, "kernel PC");
	free(cpus);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, profile_every_cpu)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = profile_prog(mapfd);
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	dt_probe_t *p;
	uint64_t n;

	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::profile-997"), 1);
	p = find_probe(dtp, "profile", "", "profile-997");
	cr_assert_eq(dt_prov_profile.attach(dtp, p, prog), 0, "%s", dtp->errmsg);
	cr_assert_eq(dtp->nfds, (size_t)(2 * ncpu), "profile: every CPU");
	spin_ms(100);
	n = map_get(mapfd, 1).count + map_get(mapfd, 2).count;
	cr_log_info("profile-997 over 100 ms on %d CPUs: %llu", ncpu,
		    (unsigned long long)n);
	cr_assert_geq(n, 50);
	double t0 = now_ms();
	dt_close_fds(dtp);
	cr_log_info("dt_close_fds, %d cpu-clock events: %.1f ms", ncpu,
		    now_ms() - t0);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, dtrace_fire)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	struct bpf_insn body[] = {
		CALL(BPF_FUNC_get_smp_processor_id),
		MOV_REG(9, 0),
		LDX(BPF_DW, 7, 6, 0),		/* probe id */
		LDX(BPF_DW, 8, 6, 8),		/* arg0 */
	};
	int prog = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, mapfd, body,
			     sizeof(body) / sizeof(body[0]));
	slot_t s;

	cr_assert_eq(populate(dtp, &dt_prov_dtrace, "dtrace:::BEGIN"), 1);
	cr_assert_eq(dt_prov_dtrace.attach(dtp, find_probe(dtp, "dtrace", "",
							   "BEGIN"), prog), 0);
	pin_cpu(ncpu - 1);
	double t0 = now_ms();
	cr_assert_eq(dt_dtrace_fire(dtp, DT_PROBE_BEGIN, prog), 0, "%s",
		     dtp->errmsg);
	cr_log_info("dt_dtrace_fire: %.3f ms", now_ms() - t0);
	s = map_get(mapfd, 0);
	cr_assert_eq(s.count, 1);
	cr_assert_eq(s.r7, DT_PROBE_BEGIN);
	cr_assert_eq(s.r8, 0);
	cr_assert_eq(s.r9, (uint64_t)(ncpu - 1), "runs on dtrace's CPU");
	pin_cpu(0);
	cr_assert_eq(dt_dtrace_fire(dtp, DT_PROBE_END, prog), 0);
	s = map_get(mapfd, 0);
	cr_assert_eq(s.count, 2);
	cr_assert_eq(s.r7, DT_PROBE_END);
	cr_assert_eq(s.r9, 0);
	cr_assert_eq(dt_dtrace_fire(dtp, DT_PROBE_END, -1), -1);
	cr_assert_not_null(strstr(dtp->errmsg, "dtrace:::END"));
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, attach_error)
{
	dtrace_hdl_t *dtp = sc_hdl();
	dt_probe_t *p;

	cr_assert_eq(populate(dtp, &dt_prov_profile, "profile:::tick-1s"), 1);
	p = find_probe(dtp, "profile", "", "tick-1s");
	/* fd 0 is no BPF program: the link fails, the perf fd is kept */
	cr_assert_eq(dt_prov_profile.attach(dtp, p, 0), -1);
	cr_assert_not_null(strstr(dtp->errmsg,
				  "failed to enable profile:::tick-1s: "),
			   "%s", dtp->errmsg);
	cr_assert_eq(dtp->nfds, 1);
	hdl_free(dtp);
}
