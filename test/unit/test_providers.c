/*
 * test_providers.c - the dtrace, syscall and profile providers, feature
 * probing and the attach plumbing.
 *
 * Without root: probe enumeration of the dtrace and profile providers, the
 * profile name parser, CPU lists, the IR each provider's lower() emits, run
 * through a small IR interpreter on fake contexts (so the values are
 * checked, not the instruction spelling; the syscall provider's entry check
 * against fake raw tracepoint contexts, pt_regs and map), and the pt_regs
 * offsets against the kernel's BTF.  With root (the others skip): feature
 * probing, syscall enumeration against tracefs, the syscall number table
 * against the kernel's own tracepoints, and live attaches of hand-written
 * BPF programs (raw struct bpf_insn, no compiler) through the providers'
 * attach() or attach_prog(): syscall probes on the raw tracepoints
 * sys_enter/sys_exit and on the tracepoint fallback, the syscall program's
 * map (prepare), tick-N and profile-N, firing BEGIN/END with
 * BPF_PROG_TEST_RUN, and letting go with dt_close_fds.
 *
 * dt_probe_insert, dt_set_error and friends come from probe.c/handle.c when
 * linked, else from the weak stand-ins in stubs_providers.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <asm/ptrace.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
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
	uint64_t *progmap;	/* DL_MAP_PROG: an array of nprogmap u64 */
	uint32_t nprogmap;
	int lookups;		/* map lookups made */
} irrun_t;

#define NOT_OURS 0xdead0000beefull	/* what env->exit returns */
#define FAKE_MAP(i) (0x5a5a0000ull + (uint64_t)(i))	/* ldmap i */

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
	if (helper == BPF_FUNC_map_lookup_elem && nargs == 2 &&
	    rr->args[0] == FAKE_MAP(DL_MAP_PROG)) {
		uint32_t key = *(const uint32_t *)(uintptr_t)rr->args[1];

		rr->lookups++;
		return key < rr->nprogmap ?
		       (uint64_t)(uintptr_t)&rr->progmap[key] : 0;
	}
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
	char *p = (char *)(uintptr_t)x + in->off;

	switch (in->op) {
	case IR_STORE1: *(uint8_t *)p = (uint8_t)y; return 0;
	case IR_STORE2: *(uint16_t *)p = (uint16_t)y; return 0;
	case IR_STORE4: *(uint32_t *)p = (uint32_t)y; return 0;
	case IR_STORE8: *(uint64_t *)p = y; return 0;
	case IR_LDMAP: return FAKE_MAP(in->off);
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

/* Lower what/n for prb and run it on ctx; *none if lower said IR_NONE.
   A firing the provider finds not to be its own returns NOT_OURS. */
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

	env.exit = ir_blk_new(fn);
	ir_ret(env.exit, ir_con(fn, (int64_t)NOT_OURS));
	ir_emit(fn, env.blk, IR_COPY, env.ctx, ir_reg(1), IR_NONE);
	r = ops->lower(&env, prb, what, n);
	*none = ir_is_none(r);
	ir_ret(env.blk, *none ? ir_con(fn, 0) : r);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "ir_check: %s", err);
	rr->calls = rr->nargs = rr->lookups = 0;
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

/*
 * The syscall provider.  Probe data (syscall.c): bit 0 return, bit 1 the
 * tracepoint fallback, bits 2 up the syscall number (or tracepoint id).
 */
#define SC_RAW(nr, ret) ((void *)(((uintptr_t)(nr) << 3) | (ret)))
#define SC_BTF(nr, ret) ((void *)(((uintptr_t)(nr) << 3) | 4 | (ret)))
#define SC_TP(ret) ((void *)(uintptr_t)(2 | (ret)))
#define USER_CS 0x33
#define USER32_CS 0x23

static dt_probe_t sc_probe(uint32_t id, const char *func, void *data,
			   int nargs)
{
	return (dt_probe_t){ .id = id, .prov = "syscall", .mod = "vmlinux",
			     .func = func,
			     .name = ((uintptr_t)data & 1) ? "return" : "entry",
			     .ops = &dt_prov_syscall, .data = data,
			     .nargs = nargs };
}

/* A raw tracepoint firing: ctx = { regs, nr or ret }; the six argument
   registers hold 100..105, a 64-bit task's code segment. */
typedef struct sc_raw {
	uint64_t ctx[2];
	struct pt_regs regs;
} sc_raw_t;

static void sc_raw_init(sc_raw_t *f, uint64_t nr_or_ret, uint64_t orig_ax)
{
	memset(f, 0, sizeof(*f));
	f->ctx[0] = (uint64_t)(uintptr_t)&f->regs;
	f->ctx[1] = nr_or_ret;
	f->regs.rdi = 100;
	f->regs.rsi = 101;
	f->regs.rdx = 102;
	f->regs.r10 = 103;
	f->regs.r8 = 104;
	f->regs.r9 = 105;
	f->regs.rcx = 0xbad;	/* the C ABI's 4th argument: not a syscall's */
	f->regs.orig_rax = orig_ax;
	f->regs.cs = USER_CS;
}

static uint64_t sc_val(const dt_probe_t *prb, uint32_t probe_id,
		       dt_pvar_t what, int n, sc_raw_t *f, irrun_t *rr)
{
	return lower_val(&dt_prov_syscall, prb, probe_id, what, n, f->ctx, rr);
}

Test(lower, syscall_raw_entry_single)
{
	dt_probe_t prb = sc_probe(7, "read", SC_RAW(SYS_read, 0), 3);
	irrun_t rr = { 0 };
	sc_raw_t f;
	bool none;

	sc_raw_init(&f, SYS_read, 0);
	cr_assert_eq(sc_val(&prb, 7, DT_PV_ENTRY, 0, &f, &rr), 7);
	cr_assert_eq(rr.calls, 1, "one read: the code segment");
	cr_assert_eq(rr.lookups, 0, "one probe: no map");
	cr_assert_eq(sc_val(&prb, 7, DT_PV_PROBEID, 0, &f, &rr), 7);
	for (int n = 0; n < 3; n++)
		cr_assert_eq(sc_val(&prb, 7, DT_PV_ARG, n, &f, &rr), 100 + n);
	cr_assert_eq(rr.calls, 1, "one read per argument");
	lower_run(&dt_prov_syscall, &prb, 7, DT_PV_ARG, 3, f.ctx, &rr, &none);
	cr_assert(none, "arg3 of a 3-argument syscall is 0");
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ERRNO, 0, f.ctx));
	/* other syscalls, and 32-bit tasks, are not ours */
	f.ctx[1] = SYS_write;
	cr_assert_eq(sc_val(&prb, 7, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
	cr_assert_eq(rr.calls, 0, "rejected before any helper call");
	f.ctx[1] = ((uint64_t)1 << 32) | SYS_read;
	cr_assert_eq(sc_val(&prb, 7, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
	f.ctx[1] = SYS_read;
	f.regs.cs = USER32_CS;
	cr_assert_eq(sc_val(&prb, 7, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
	f.regs.cs = 0xabcd0000u | USER_CS;	/* only the low 16 bits count */
	cr_assert_eq(sc_val(&prb, 7, DT_PV_ENTRY, 0, &f, &rr), 7);
}

/* The map a program shared by read (id 7) and mmap (id 9) gets. */
static void sc_map_init(uint64_t *map, size_t n, irrun_t *rr)
{
	memset(map, 0, n * sizeof(*map));
	map[SYS_read] = 7 | (uint64_t)3 << 32;
	map[SYS_mmap] = 9 | (uint64_t)6 << 32;
	rr->progmap = map;
	rr->nprogmap = (uint32_t)n;
}

Test(lower, syscall_raw_entry_shared)
{
	dt_probe_t prb = sc_probe(7, "read", SC_RAW(SYS_read, 0), 3);
	static const uint64_t not_ours[] = {
		SYS_write, 1000000, (uint64_t)-1, 0x40000000 | SYS_read,
		((uint64_t)1 << 32) | SYS_read,
	};
	uint64_t map[512];
	irrun_t rr = { 0 };
	sc_raw_t f;

	sc_map_init(map, 512, &rr);
	sc_raw_init(&f, SYS_read, 0);
	cr_assert_eq(sc_val(&prb, 0, DT_PV_ENTRY, 0, &f, &rr), 7);
	cr_assert_eq(rr.lookups, 1);
	cr_assert_eq(sc_val(&prb, 0, DT_PV_PROBEID, 0, &f, &rr), 7);
	for (int n = 0; n < 6; n++)
		cr_assert_eq(sc_val(&prb, 0, DT_PV_ARG, n, &f, &rr),
			     n < 3 ? 100u + n : 0u, "read: arg%d", n);
	f.ctx[1] = SYS_mmap;
	cr_assert_eq(sc_val(&prb, 0, DT_PV_ENTRY, 0, &f, &rr), 9);
	cr_assert_eq(sc_val(&prb, 0, DT_PV_ARG, 5, &f, &rr), 105);
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ARG, 6, f.ctx));
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ERRNO, 0, f.ctx));
	for (size_t i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++) {
		f.ctx[1] = not_ours[i];
		cr_assert_eq(sc_val(&prb, 0, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS,
			     "nr %#llx", (unsigned long long)not_ours[i]);
	}
	f.ctx[1] = SYS_mmap;
	f.regs.cs = USER32_CS;
	cr_assert_eq(sc_val(&prb, 0, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
	/* one probe found by a pattern (count unknown): from the map */
	dt_probe_t pat = sc_probe(9, "mmap", SC_RAW(SYS_mmap, 0), -1);
	cr_assert_eq(sc_val(&pat, 9, DT_PV_ARG, 4, &f, &rr), 104);
	cr_assert_eq(rr.lookups, 1);
	map[SYS_mmap] = 9 | (uint64_t)3 << 32;
	cr_assert_eq(sc_val(&pat, 9, DT_PV_ARG, 4, &f, &rr), 0);
	cr_assert_eq(sc_val(&pat, 9, DT_PV_ARG, 2, &f, &rr), 102);
}

Test(lower, syscall_raw_return)
{
	static const struct { int64_t ret; uint64_t err; } cases[] = {
		{ 5, 0 }, { 0, 0 }, { -1, 1 }, { -2, 2 }, { -4095, 4095 },
		{ -4096, 0 }, { INT64_MIN, 0 }, { INT64_MAX, 0 },
	};
	dt_probe_t prb = sc_probe(8, "read", SC_RAW(SYS_read, 1), 2);
	uint64_t map[512];
	irrun_t rr = { 0 };
	sc_raw_t f;

	sc_map_init(map, 512, &rr);
	map[SYS_read] = 8 | (uint64_t)2 << 32;
	sc_raw_init(&f, 0, SYS_read);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f.ctx[1] = (uint64_t)cases[i].ret;
		cr_assert_eq(sc_val(&prb, 0, DT_PV_ERRNO, 0, &f, &rr),
			     cases[i].err, "ret %lld", (long long)cases[i].ret);
		for (int n = 0; n < 2; n++)
			cr_assert_eq(sc_val(&prb, 0, DT_PV_ARG, n, &f, &rr),
				     (uint64_t)cases[i].ret);
	}
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ARG, 2, f.ctx));
	/* the number is orig_ax, read with the code segment in one go */
	for (uint32_t id = 0; id <= 8; id += 8) {
		f.regs.orig_rax = SYS_read;
		cr_assert_eq(sc_val(&prb, id, DT_PV_ENTRY, 0, &f, &rr), 8);
		cr_assert_eq(rr.calls, id ? 1 : 2, "probe %u", id);
		f.regs.orig_rax = SYS_write;
		cr_assert_eq(sc_val(&prb, id, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
		f.regs.orig_rax = (uint64_t)-1;	/* after rt_sigreturn */
		cr_assert_eq(sc_val(&prb, id, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
		f.regs.orig_rax = SYS_read;
		f.regs.cs = USER32_CS;
		cr_assert_eq(sc_val(&prb, id, DT_PV_ENTRY, 0, &f, &rr), NOT_OURS);
		f.regs.cs = USER_CS;
	}
}

/* A syscall tracepoint record: header, __syscall_nr, then 6 slots. */
static void sc_record(uint64_t rec[8])
{
	memset(rec, 0, 8 * sizeof(uint64_t));
	rec[1] = 0;			/* __syscall_nr */
	for (int i = 0; i < 6; i++)
		rec[2 + i] = 100 + i;
}

Test(lower, syscall_tp_entry_shared)
{
	dt_probe_t prb = sc_probe(7, "read", SC_TP(0), -1);
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
	cr_assert(lower_none(&dt_prov_syscall, &prb, DT_PV_ENTRY, 0, rec),
		  "the tracepoint fires for its own syscall only");
	/* one probe found by a pattern (nargs unknown): the same */
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 9, DT_PV_ARG, 4, rec,
			       &rr), 104);
	cr_assert_eq(rr.calls, 2);
}

Test(lower, syscall_tp_entry_single)
{
	dt_probe_t prb = sc_probe(7, "read", SC_TP(0), 3);
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

Test(lower, syscall_tp_return)
{
	dt_probe_t prb = sc_probe(8, "read", SC_TP(1), -1);
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
	cr_assert_eq(lower_val(&dt_prov_syscall, &prb, 0, DT_PV_PROBEID, 0, rec,
			       &rr), 8);
}

/* Six kinds: entry and return, raw, BTF-typed raw and fallback; each its
   program type. */
Test(lower, syscall_kinds)
{
	void *data[] = { SC_RAW(SYS_read, 0), SC_RAW(SYS_read, 1), SC_TP(0),
			 SC_TP(1), SC_BTF(SYS_read, 0), SC_BTF(SYS_read, 1) };
	static const int types[] = {
		BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT,
		BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_TRACEPOINT,
		BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_TRACING,
	};
	int kinds[6];

	for (int i = 0; i < 6; i++) {
		dt_probe_t prb = sc_probe(5, "read", data[i], -1);

		kinds[i] = dt_prov_syscall.kind(&prb);
		for (int j = 0; j < i; j++)
			cr_assert_neq(kinds[i], kinds[j]);
		cr_assert_eq(dt_prov_syscall.prog_type_of(kinds[i]), types[i]);
	}
	cr_assert_eq(dt_prov_syscall.kind(&(dt_probe_t){
		.data = SC_RAW(SYS_write, 0) }), kinds[0],
		"one kind for all raw entry probes");
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

/* Preemption: debugfs' model in force first; then the version string, a
   dynamic kernel's preempt= and its config's default. */
Test(features, preempt_decide)
{
	const char *dyn = "#1 SMP PREEMPT_DYNAMIC Debian 6.12.95-1",
		   *none = "#1 SMP Debian 6.1.192-2";

	cr_expect(dt_preempt_decide("none voluntary (full) lazy\n", none,
				    NULL, NULL));
	cr_expect(dt_preempt_decide("none voluntary full (lazy)\n", dyn,
				    NULL, "none"));
	cr_expect_not(dt_preempt_decide("none (voluntary) full\n", dyn,
					"preempt=full", "full"));
	cr_expect_not(dt_preempt_decide("(none) voluntary full lazy", dyn,
					NULL, NULL));
	cr_expect(dt_preempt_decide(NULL, "#1 SMP PREEMPT_RT Tue", NULL,
				    NULL));
	cr_expect(dt_preempt_decide(NULL, "#1 SMP PREEMPT Fri Oct 3", NULL,
				    "none"));
	cr_expect_not(dt_preempt_decide(NULL, none, "preempt=full", "full"));
	cr_expect(dt_preempt_decide(NULL, dyn, "ro quiet preempt=full",
				    "voluntary"));
	cr_expect_not(dt_preempt_decide(NULL, dyn, "preempt=voluntary quiet",
					"full"));
	cr_expect_not(dt_preempt_decide(NULL, dyn, "nopreempt=full", "none"));
	cr_expect(dt_preempt_decide(NULL, dyn, "x", "full"));
	cr_expect(dt_preempt_decide(NULL, dyn, NULL, "lazy"));
	cr_expect_not(dt_preempt_decide(NULL, dyn, NULL, "voluntary"));
	cr_expect(dt_preempt_decide(NULL, dyn, NULL, NULL));	/* unknown */
	cr_expect(dt_preempt_decide(NULL, NULL, NULL, NULL));
}

/* Which descriptions may get uprobe (preemptible) probes: by provider. */
Test(features, pdesc_preemptible)
{
	static const struct { const char *desc; bool want; } t[] = {
		{ "pid123:a.out:main:entry", true },
		{ "pid*::malloc:entry", true },
		{ "python4567:::function-entry", true },
		{ "postgresql*:::query-start", true },
		{ "*:::entry", true },
		{ ":::entry", true },
		{ "syscall::read:entry", false },
		{ "fbt::vfs_read:entry", false },
		{ "profile:::tick-1s", false },
		{ "sched:::on-cpu", false },
		{ "dtrace:::BEGIN", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dt_pdesc_t pd;
		cr_assert_eq(dt_pdesc_parse(t[i].desc, &pd), 0);
		cr_expect_eq(dt_pdesc_preemptible(&pd), t[i].want, "%s",
			     t[i].desc);
	}
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
	/* these tests attach hand-written raw tracepoint programs: the
	   BTF-typed ones (tp_btf) are the e2e suite's and btf_kinds' */
	dtp->feat.sys_btf_probed = true;
	return dtp;
}

/* Where the kernel has BTF-typed raw tracepoints, numbered syscalls are
   served by them: sys_enter's and sys_exit's btf_trace_ typedefs found by
   the kernel. */
Test(syscall_prov, btf_kinds)
{
	dtrace_hdl_t *dtp;

	need_root();
	dtp = hdl_new();
	cr_assert_eq(dt_features_probe(dtp), 0, "%s", dtp->errmsg);
	if (dt_features_btf_id("btf_trace_sys_enter", BTF_KIND_TYPEDEF) == 0) {
		cr_log_info("no BTF-typed raw tracepoints here");
		hdl_free(dtp);
		return;
	}
	cr_assert_eq(dt_features_btf_id("no_such_type_at_all",
					BTF_KIND_TYPEDEF), 0);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:"), 2);
	cr_assert_neq(dtp->feat.sys_btf[0], 0);
	cr_assert_neq(dtp->feat.sys_btf[1], 0);
	cr_assert_neq(dtp->feat.sys_btf[0], dtp->feat.sys_btf[1]);
	cr_assert_eq(find_probe(dtp, "syscall", "getppid", "entry")->data,
		     SC_BTF(SYS_getppid, 0));
	cr_assert_eq(find_probe(dtp, "syscall", "getppid", "return")->data,
		     SC_BTF(SYS_getppid, 1));
	hdl_free(dtp);
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
	/* numbered syscalls are served by the raw tracepoints */
	p = find_probe(dtp, "syscall", "read", "return");
	cr_assert_eq(p->data, SC_RAW(SYS_read, 1));
	p = find_probe(dtp, "syscall", "getppid", "entry");
	cr_assert_eq(p->data, SC_RAW(SYS_getppid, 0));
	/* stat's tracepoint is named after its function, newstat */
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::newstat:entry"), 1);
	cr_assert_eq(find_probe(dtp, "syscall", "newstat", "entry")->data,
		     SC_RAW(SYS_stat, 0));
	hdl_free(dtp);
}

/* -lv's argument types: an entry probe's from its format file (the name
   dropped, the count capped by max), a return probe's one long. */
Test(syscall_prov, argtypes)
{
	dtrace_hdl_t *dtp = sc_hdl();
	char types[6][DT_TYPE_NAME_MAX];
	const dt_probe_t *p;

	cr_assert_not_null(dt_prov_syscall.attr);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::openat:"), 2);
	p = find_probe(dtp, "syscall", "openat", "entry");
	cr_assert_eq(dt_prov_syscall.argtypes(dtp, p, types, 6), 4);
	cr_assert_str_eq(types[0], "int");
	cr_assert_str_eq(types[1], "const char *");
	cr_assert_str_eq(types[3], "umode_t");
	cr_assert_eq(dt_prov_syscall.argtypes(dtp, p, types, 2), 2);
	p = find_probe(dtp, "syscall", "openat", "return");
	cr_assert_eq(dt_prov_syscall.argtypes(dtp, p, types, 6), 1);
	cr_assert_str_eq(types[0], "long");
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	p = find_probe(dtp, "syscall", "getppid", "entry");
	cr_assert_eq(dt_prov_syscall.argtypes(dtp, p, types, 6), 0);
	hdl_free(dtp);
}

/* The pt_regs offsets the raw programs read (the user ABI's struct pt_regs,
   <asm/ptrace.h>) against the running kernel's BTF. */
static int btf_off(const struct btf *btf, int id, const char *member)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		int off = (int)btf_member_bit_offset(t, i) / 8, sub;

		if (name != NULL && strcmp(name, member) == 0)
			return off;
		if ((name == NULL || *name == '\0') &&
		    (sub = btf_off(btf, m->type, member)) >= 0)
			return off + sub;	/* an anonymous union */
	}
	return -1;
}

Test(syscall_prov, pt_regs_vs_btf)
{
	static const struct { const char *name; size_t off; } regs[] = {
		{ "di", offsetof(struct pt_regs, rdi) },
		{ "si", offsetof(struct pt_regs, rsi) },
		{ "dx", offsetof(struct pt_regs, rdx) },
		{ "r10", offsetof(struct pt_regs, r10) },
		{ "r8", offsetof(struct pt_regs, r8) },
		{ "r9", offsetof(struct pt_regs, r9) },
		{ "orig_ax", offsetof(struct pt_regs, orig_rax) },
		{ "cs", offsetof(struct pt_regs, cs) },
	};
	struct btf *btf = btf__load_vmlinux_btf();
	int id;

	if (btf == NULL)
		cr_skip_test("no kernel BTF");
	id = btf__find_by_name_kind(btf, "pt_regs", BTF_KIND_STRUCT);
	cr_assert_gt(id, 0);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		cr_assert_eq(btf_off(btf, id, regs[i].name), (int)regs[i].off,
			     "pt_regs.%s", regs[i].name);
	btf__free(btf);
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

/* The program of some syscall probes, as attach_prog and prepare see it. */
static dt_bpfprog_t sc_prog(dt_probe_t **probes, size_t n, int fd)
{
	return (dt_bpfprog_t){ .ops = &dt_prov_syscall,
			       .kind = dt_prov_syscall.kind(probes[0]),
			       .probes = probes, .nprobes = n, .fd = fd,
			       .progmap_fd = -1 };
}

static bool is_link(int fd)
{
	char path[64], target[64] = "";

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return readlink(path, target, sizeof(target) - 1) > 0 &&
	       strcmp(target, "anon_inode:bpf_link") == 0;
}

/* r8 = the 8 bytes at regs + off, regs = ctx[0] of a raw tracepoint. */
#define READ_REGS(r, off) \
	LDX(BPF_DW, 3, 6, 0), ADD_IMM(3, (int32_t)(off)), MOV_REG(1, 10), \
	ADD_IMM(1, -16), MOV_IMM(2, 8), CALL(BPF_FUNC_probe_read_kernel), \
	LDX(BPF_DW, r, 10, -16)

/* sys_enter, this process, syscall nr: r7 = nr, r8 = arg1, r9 = arg2. */
static int raw_enter_prog(int mapfd, int nr)
{
	struct bpf_insn body[] = {
		CALL(BPF_FUNC_get_current_pid_tgid),
		RSH_IMM(0, 32),
		JNE_IMM(0, getpid(), TO_EXIT),
		LDX(BPF_DW, 7, 6, 8),
		JNE_IMM(7, nr, TO_EXIT),
		READ_REGS(8, offsetof(struct pt_regs, rsi)),
		READ_REGS(9, offsetof(struct pt_regs, rdx)),
	};

	return prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, mapfd, body,
			 sizeof(body) / sizeof(body[0]));
}

/* sys_exit, this process, syscall nr: r7 = orig_ax, r8 = ret, r9 = cs. */
static int raw_exit_prog(int mapfd, int nr)
{
	struct bpf_insn body[] = {
		CALL(BPF_FUNC_get_current_pid_tgid),
		RSH_IMM(0, 32),
		JNE_IMM(0, getpid(), TO_EXIT),
		READ_REGS(7, offsetof(struct pt_regs, orig_rax)),
		JNE_IMM(7, nr, TO_EXIT),
		READ_REGS(9, offsetof(struct pt_regs, cs)),
		LDX(BPF_DW, 8, 6, 8),
	};

	return prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, mapfd, body,
			 sizeof(body) / sizeof(body[0]));
}

/* Call getppid 5 times on every CPU; returns how many calls that was. */
static uint64_t getppid_everywhere(void)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);

	for (int c = 0; c < ncpu; c++) {
		pin_cpu(c);
		for (int i = 0; i < 5; i++)
			syscall(SYS_getppid);
	}
	return (uint64_t)(5 * ncpu);
}

Test(live, syscall_raw_getppid)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = raw_enter_prog(mapfd, SYS_getppid);
	dt_probe_t *p;
	dt_bpfprog_t bp;
	uint64_t n;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	p = find_probe(dtp, "syscall", "getppid", "entry");
	bp = sc_prog(&p, 1, prog);
	double t0 = now_ms();
	cr_assert_eq(dt_prov_syscall.attach_prog(dtp, &bp), 0, "%s",
		     dtp->errmsg);
	cr_log_info("attach_prog, raw sys_enter: %.3f ms", now_ms() - t0);
	cr_assert_eq(dtp->nfds, 1, "one raw tracepoint link");
	cr_assert(is_link(dtp->fds[0]));
	n = getppid_everywhere();
	slot_t s = map_get(mapfd, 0);
	cr_assert_eq(s.count, n);
	cr_assert_eq(s.r7, SYS_getppid);
	/* letting go: the program stops at once, and fast */
	t0 = now_ms();
	dt_close_fds(dtp);
	double t1 = now_ms();
	cr_log_info("dt_close_fds, 1 raw tracepoint link: %.1f ms", t1 - t0);
	syscall(SYS_getppid);
	cr_assert_eq(map_get(mapfd, 0).count, n);
	cr_assert_lt(t1 - t0, 1000);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, syscall_raw_args)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = raw_enter_prog(mapfd, SYS_openat);
	static const char path[] = "/nonexistent/dtrace-unit-test";
	dt_probe_t *p;
	dt_bpfprog_t bp;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::openat:entry"), 1);
	p = find_probe(dtp, "syscall", "openat", "entry");
	cr_assert_eq(p->nargs, 4);
	bp = sc_prog(&p, 1, prog);
	cr_assert_eq(dt_prov_syscall.attach_prog(dtp, &bp), 0, "%s",
		     dtp->errmsg);
	cr_assert_eq(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC,
			     0), -1);
	slot_t s = map_get(mapfd, 0);
	cr_assert_eq(s.count, 1);
	cr_assert_eq(s.r8, (uint64_t)(uintptr_t)path, "arg1");
	cr_assert_eq(s.r9, (uint64_t)(O_RDONLY | O_CLOEXEC), "arg2");
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, syscall_raw_return_errno)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = raw_exit_prog(mapfd, SYS_openat), fd;
	dt_probe_t *p;
	dt_bpfprog_t bp;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::openat:return"), 1);
	p = find_probe(dtp, "syscall", "openat", "return");
	bp = sc_prog(&p, 1, prog);
	cr_assert_eq(dt_prov_syscall.attach_prog(dtp, &bp), 0, "%s",
		     dtp->errmsg);
	cr_assert_eq(syscall(SYS_openat, AT_FDCWD, "/nonexistent/dtrace-unit",
			     O_RDONLY, 0), -1);
	cr_assert_eq(errno, ENOENT);
	slot_t s = map_get(mapfd, 0);
	cr_assert_eq(s.count, 1, "sys_exit, not sys_enter");
	cr_assert_eq(s.r7, SYS_openat, "orig_ax");
	cr_assert_eq((int64_t)s.r8, -ENOENT, "ret: errno 2");
	cr_assert_eq(s.r9 & 0xffff, USER_CS, "a 64-bit task's code segment");
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0);
	cr_assert_geq(fd, 0);
	s = map_get(mapfd, 0);
	cr_assert_eq(s.count, 2);
	cr_assert_eq(s.r8, (uint64_t)fd);
	close(fd);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

/* A program's own map: syscall number -> probe id | argument count << 32,
   made only when its code refers to it. */
Test(live, syscall_prepare_map)
{
	dtrace_hdl_t *dtp = sc_hdl();
	bpf_reloc_t reloc = { .insn = 0, .mapidx = DL_MAP_PROG };
	dt_probe_t *probes[3];
	dt_bpfprog_t bp;
	uint64_t v;
	uint32_t key;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read*:entry"), 5);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::mmap:entry"), 1);
	probes[0] = find_probe(dtp, "syscall", "read", "entry");
	probes[1] = find_probe(dtp, "syscall", "readv", "entry");
	probes[2] = find_probe(dtp, "syscall", "mmap", "entry");
	cr_assert_eq(probes[0]->nargs, -1, "found by a pattern");
	bp = sc_prog(probes, 3, -1);
	cr_assert_eq(dt_prov_syscall.prepare(dtp, &bp), 0, "%s", dtp->errmsg);
	cr_assert_eq(bp.progmap_fd, -1, "no reference, no map");
	cr_assert_eq(dtp->nfds, 0);
	bp.code.relocs = &reloc;
	bp.code.nrelocs = 1;
	cr_assert_eq(dt_prov_syscall.prepare(dtp, &bp), 0, "%s", dtp->errmsg);
	cr_assert_geq(bp.progmap_fd, 0);
	cr_assert_eq(probes[0]->nargs, 3, "read from the format at prepare");
	static const struct { int nr, probe, nargs; } want[] = {
		{ SYS_read, 0, 3 }, { SYS_readv, 1, 3 }, { SYS_mmap, 2, 6 },
		{ SYS_write, -1, 0 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		key = (uint32_t)want[i].nr;
		cr_assert_eq(bpf_map_lookup_elem(bp.progmap_fd, &key, &v), 0);
		cr_assert_eq(v, want[i].probe < 0 ? 0 :
			     probes[want[i].probe]->id |
			     (uint64_t)want[i].nargs << 32, "nr %d", key);
	}
	hdl_free(dtp);
}

Test(live, syscall_raw_attach_error)
{
	dtrace_hdl_t *dtp = sc_hdl();
	dt_probe_t *p;
	dt_bpfprog_t bp;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	p = find_probe(dtp, "syscall", "getppid", "entry");
	bp = sc_prog(&p, 1, 0);		/* fd 0 is no BPF program */
	cr_assert_eq(dt_prov_syscall.attach_prog(dtp, &bp), -1);
	cr_assert_not_null(strstr(dtp->errmsg, "failed to enable "
		"syscall:vmlinux:getppid:entry: bpf_raw_tracepoint_open("
		"sys_enter): "), "%s", dtp->errmsg);
	cr_assert_eq(dtp->nfds, 0);
	hdl_free(dtp);
}

/* The table's numbers against the kernel, for the rows the headers could
   not give (renamed, or newer than the headers): the kernel's own
   tracepoint for each name must fire, with that number, when a child calls
   the number with harmless arguments (-1, 0, ...: EBADF, EFAULT, EINVAL;
   uprobe and uretprobe outside a uprobe trampoline kill the child).
   A wrong number would call another syscall and leave the tracepoint
   silent. */
Test(syscall_prov, table_vs_kernel)
{
	static const char *const names[] = {
		"newstat", "newfstat", "newlstat", "newuname", "sendfile64",
		"umount", "cachestat", "fchmodat2", "map_shadow_stack",
		"futex_wake", "futex_wait", "futex_requeue", "statmount",
		"listmount", "lsm_get_self_attr", "lsm_set_self_attr",
		"lsm_list_modules", "mseal", "setxattrat", "getxattrat",
		"listxattrat", "removexattrat", "open_tree_attr",
		"file_getattr", "file_setattr", "uretprobe", "uprobe",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, sizeof(slot_t),
				   N, NULL);
	struct bpf_insn body[] = {
		MOV_REG(1, 6),
		CALL(BPF_FUNC_get_attach_cookie),
		STX(BPF_W, 10, 0, -4),		/* key = cookie */
		LDX(BPF_W, 7, 6, 8),		/* __syscall_nr */
		MOV_IMM(8, 0),
		MOV_IMM(9, 0),
	};
	int prog = prog_load(BPF_PROG_TYPE_TRACEPOINT, mapfd, body, 6);
	int nr[N], tested = 0, pid;

	for (int i = 0; i < N; i++) {
		struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT };
		char d[160], path[256];
		dt_probe_t *p;
		FILE *f;
		int tpid;

		snprintf(d, sizeof(d), "syscall::%s:entry", names[i]);
		nr[i] = -1;
		if (populate(dtp, &dt_prov_syscall, d) != 1)
			continue;	/* no such syscall on this kernel */
		p = find_probe(dtp, "syscall", names[i], "entry");
		cr_assert_eq((uintptr_t)p->data & 3, 0, "%s: in the table",
			     names[i]);
		nr[i] = (int)((uintptr_t)p->data >> 3);
		/* the kernel's tracepoint, as the fallback would attach it */
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/"
			 "syscalls/sys_enter_%s/id", names[i]);
		cr_assert_not_null(f = fopen(path, "r"));
		cr_assert_eq(fscanf(f, "%d", &tpid), 1);
		fclose(f);
		attr.config = (uint64_t)tpid;
		cr_assert_eq(dt_perf_attach(dtp, p, &attr, 0, prog,
					    (uint64_t)i), 0, "%s", dtp->errmsg);
		tested++;
	}
	for (int i = 0; i < N; i++) {	/* uprobe, uretprobe: SIGILL */
		if (nr[i] < 0)
			continue;
		if ((pid = fork()) == 0) {
			syscall(nr[i], -1L, 0L, 0L, 0L, 0L, 0L);
			_exit(0);
		}
		cr_assert_gt(pid, 0);
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < N; i++) {
		if (nr[i] < 0)
			continue;
		slot_t s = map_get(mapfd, (uint32_t)i);
		cr_assert_gt(s.count, 0, "%s (%d): its tracepoint did not fire",
			     names[i], nr[i]);
		cr_assert_eq(s.r7, (uint64_t)nr[i], "%s", names[i]);
	}
	cr_log_info("%d table rows checked against the kernel", tested);
	cr_assert_geq(tested, 6);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

/* ---- root: the tracepoint fallback ----------------------------------------- */

/* Make a probe take the fallback, as one whose syscall the table lacks. */
static void sc_force_tp(dt_probe_t *p)
{
	p->data = SC_TP((uintptr_t)p->data & 1);
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

Test(live, syscall_tp_getppid)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = getppid_prog(mapfd);
	dt_probe_t *p;
	dt_bpfprog_t bp;
	uint64_t n;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getpp*:entry"), 1);
	p = find_probe(dtp, "syscall", "getppid", "entry");
	sc_force_tp(p);
	bp = sc_prog(&p, 1, prog);
	cr_assert_eq(dt_prov_syscall.prog_type_of(bp.kind),
		     BPF_PROG_TYPE_TRACEPOINT);
	cr_assert_eq(dt_prov_syscall.attach_prog(dtp, &bp), 0, "%s",
		     dtp->errmsg);
	cr_assert_eq(dtp->nfds, 2, "one perf event and one link");
	cr_assert_eq(p->nargs, 0, "the format is read at attach");
	/* one perf event on CPU 0 fires on every CPU */
	n = getppid_everywhere();
	slot_t s = map_get(mapfd, 0);
	cr_assert_eq(s.count, n);
	cr_assert_eq((uint32_t)s.r9, p->id, "cookie low half is the probe id");
	cr_assert_eq(s.r9 >> 32, 0, "getppid has no arguments");
	cr_assert_eq(s.r7, SYS_getppid);
	/* as under -w, dtrace closes the link itself, so that the program
	   cannot fire after dt_close_fds (without -w the link goes to the
	   detached reaper with the perf event and may fire a little
	   longer: attach.c, tst.fbt-detach.sh) */
	dtp->opts[DT_OPT_destructive] = (dt_optval_t){ .set = true, .i = 1 };
	double t0 = now_ms();
	dt_close_fds(dtp);
	double t1 = now_ms();
	cr_log_info("dt_close_fds, 1 tracepoint perf event: %.1f ms", t1 - t0);
	syscall(SYS_getppid);
	cr_assert_eq(map_get(mapfd, 0).count, n);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

/* Why shared fallback programs read arguments through a helper: the kernel
   will not attach a program that loads past the tracepoint's record. */
Test(live, syscall_tp_direct_load_past_record)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new();
	struct bpf_insn body[] = {
		LDX(BPF_DW, 8, 6, 16),		/* "arg0" of getppid */
		MOV_IMM(7, 0),
		MOV_IMM(9, 0),
	};
	int prog = prog_load(BPF_PROG_TYPE_TRACEPOINT, mapfd, body, 3);
	dt_probe_t *p;

	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::getppid:entry"), 1);
	p = find_probe(dtp, "syscall", "getppid", "entry");
	sc_force_tp(p);
	cr_assert_eq(dt_prov_syscall.attach(dtp, p, prog), -1);
	cr_assert_not_null(strstr(dtp->errmsg, "Permission denied"), "%s",
			   dtp->errmsg);
	cr_assert_eq(populate(dtp, &dt_prov_syscall, "syscall::read:entry"), 1);
	p = find_probe(dtp, "syscall", "read", "entry");
	sc_force_tp(p);
	cr_assert_eq(dt_prov_syscall.attach(dtp, p, prog), 0, "%s",
		     dtp->errmsg);
	close(prog);
	close(mapfd);
	hdl_free(dtp);
}

Test(live, syscall_tp_cookie_nargs)
{
	dtrace_hdl_t *dtp = sc_hdl();
	int mapfd = map_new(), prog = getppid_prog(mapfd);
	dt_probe_t *p;

	/* found through a pattern: the format is read at attach */
	cr_assert_gt(populate(dtp, &dt_prov_syscall, "syscall::getpp*:entry"), 0);
	cr_assert_gt(populate(dtp, &dt_prov_syscall, "syscall::getpp*:return"), 0);
	p = find_probe(dtp, "syscall", "getppid", "return");
	sc_force_tp(p);
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
	double t0 = now_ms();
	cr_assert_eq(dt_prov_profile.attach(dtp, p, prog), 0, "%s", dtp->errmsg);
	cr_assert_eq(dtp->nfds, 2, "tick: one CPU");
	pin_cpu(cpus[0]);
	spin_ms(200);
	user = map_get(mapfd, 1);
	kern = map_get(mapfd, 2);
	/* a loaded machine stretches the window: ticks follow wall time */
	double elapsed = now_ms() - t0;
	cr_log_info("tick-1000hz over 200 ms busy: %llu user, %llu kernel",
		    (unsigned long long)user.count,
		    (unsigned long long)kern.count);
	cr_assert_geq(user.count + kern.count, 100);
	cr_assert_leq(user.count + kern.count, (uint64_t)(elapsed * 1.5) + 20,
		      "%llu ticks in %.0f ms",
		      (unsigned long long)(user.count + kern.count), elapsed);
	/* not more than kernel ticks: on a loaded machine other tasks
	   share the CPU, and their ticks count too */
	cr_assert_gt(user.count, 0, "we were spinning in user mode");
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
