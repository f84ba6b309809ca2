/*
 * test_probe.c - probe descriptions, glob matching and the probe table
 * (libdtrace/probe.c), with fake providers instead of the real ones.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

/* ---- descriptions ------------------------------------------------------- */

static void prb_expect_desc(const char *s, const char *prov, const char *mod,
			    const char *func, const char *name)
{
	dt_pdesc_t pd;

	cr_assert_eq(dt_pdesc_parse(s, &pd), 0, "\"%s\" refused", s);
	cr_expect_str_eq(pd.prov, prov, "%s: prov [%s]", s, pd.prov);
	cr_expect_str_eq(pd.mod, mod, "%s: mod [%s]", s, pd.mod);
	cr_expect_str_eq(pd.func, func, "%s: func [%s]", s, pd.func);
	cr_expect_str_eq(pd.name, name, "%s: name [%s]", s, pd.name);
}

Test(probe, pdesc_fields_fill_from_the_right)
{
	prb_expect_desc("syscall:vmlinux:read:entry", "syscall", "vmlinux",
			"read", "entry");
	prb_expect_desc("BEGIN", "", "", "", "BEGIN");
	prb_expect_desc("read:entry", "", "", "read", "entry");
	prb_expect_desc("vmlinux:read:entry", "", "vmlinux", "read", "entry");
	prb_expect_desc("syscall:::entry", "syscall", "", "", "entry");
	prb_expect_desc("syscall:::", "syscall", "", "", "");
	prb_expect_desc(":::", "", "", "", "");
	prb_expect_desc("", "", "", "", "");
	prb_expect_desc("profile:::tick-1s", "profile", "", "", "tick-1s");
	prb_expect_desc("syscall::open*:", "syscall", "", "open*", "");
	prb_expect_desc("pid1234:libc.so.6:malloc:entry", "pid1234",
			"libc.so.6", "malloc", "entry");
}

Test(probe, pdesc_errors_and_escapes)
{
	dt_pdesc_t pd;
	char longname[300];

	cr_expect_eq(dt_pdesc_parse("a:b:c:d:e", &pd), -1);
	cr_expect_eq(dt_pdesc_parse("::::", &pd), -1);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_expect_eq(dt_pdesc_parse(longname, &pd), -1);
	/* an escaped colon stays in its field, as a glob escape */
	prb_expect_desc("a\\:b:c", "", "", "a\\:b", "c");
	prb_expect_desc("p:m:f\\:g:n", "p", "m", "f\\:g", "n");
	cr_expect(dt_gmatch("f:g", "f\\:g"));
}

/* ---- glob matching ------------------------------------------------------ */

Test(probe, gmatch)
{
	static const struct {
		const char *s, *pat;
		bool match;
	} cases[] = {
		{ "anything", "", true },    { "", "", true },
		{ "read", "read", true },    { "read", "reads", false },
		{ "reads", "read", false },  { "read", "r*", true },
		{ "read", "*d", true },      { "read", "*", true },
		{ "", "*", true },           { "", "?", false },
		{ "read", "r??d", true },    { "read", "r?d", false },
		{ "read", "*e*", true },     { "read", "*x*", false },
		{ "sys_enter_openat", "sys_enter_open*", true },
		{ "aXbXc", "a*b*c", true },  { "abcbc", "a*bc", true },
		{ "abcbd", "a*bc", false },  { "mississippi", "*ss*ss*", true },
		{ "read", "[rw]ead", true }, { "write", "[rw]*", true },
		{ "bead", "[rw]ead", false }, { "b", "[a-c]", true },
		{ "d", "[a-c]", false },     { "d", "[!a-c]", true },
		{ "b", "[!a-c]", false },    { "-", "[a-]", true },
		{ "]", "[]]", true },        { "x", "[]x]", true },
		{ "a", "[", false },         { "a", "[a", false },
		{ "*", "\\*", true },        { "a", "\\*", false },
		{ "a?", "a\\?", true },      { "ab", "a\\?", false },
		{ "[", "\\[", true },        { "tick-1s", "tick-*", true },
		{ "a\\", "a\\", true },      { "é", "?*", true },
		{ "entry", "ent[!x]y", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(dt_gmatch(cases[i].s, cases[i].pat),
			     cases[i].match, "\"%s\" ~ \"%s\"", cases[i].s,
			     cases[i].pat);
	cr_expect(dt_gmatch("x", NULL));
}

Test(probe, gmatch_no_blowup)
{
	char s[4096];

	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	cr_expect(!dt_gmatch(s, "*a*a*a*a*a*a*a*a*b"));
	cr_expect(dt_gmatch(s, "*a*a*a*a*a*a*a*a*"));
}

/* ---- the table, with fake providers -------------------------------------- */

typedef struct prb_log {
	int populated[3];	/* how many times each provider was asked */
	uint32_t seen[64];
	int nseen;
	int stop_after;		/* cb returns 1 after this many, if > 0 */
	bool fail;		/* cb returns -1 */
} prb_log_t;

static prb_log_t prb_log;

static int prb_pop_syscall(dtrace_hdl_t *dtp, const dt_pdesc_t *pd);
static int prb_pop_dtrace(dtrace_hdl_t *dtp, const dt_pdesc_t *pd);
static int prb_pop_broken(dtrace_hdl_t *dtp, const dt_pdesc_t *pd);

static const dt_provops_t prb_fake_dtrace = {
	.name = "dtrace", .populate = prb_pop_dtrace,
};
static const dt_provops_t prb_fake_syscall = {
	.name = "syscall", .populate = prb_pop_syscall,
};
static const dt_provops_t prb_fake_broken = {
	.name = "broken", .populate = prb_pop_broken,
};
static const dt_provops_t prb_fake_pid = { .name = "pid" };

static const dt_provops_t *const prb_provs[] = {
	&prb_fake_dtrace, &prb_fake_syscall, &prb_fake_broken, &prb_fake_pid,
	NULL,
};

static int prb_pop_syscall(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	static const char *const calls[] = { "read", "write", "open", "openat" };

	prb_log.populated[1]++;
	for (size_t i = 0; i < 4; i++) {
		if (!dt_gmatch(calls[i], pd->func))
			continue;
		if (dt_probe_insert(dtp, &prb_fake_syscall, "vmlinux", calls[i],
				    "entry", NULL) == NULL ||
		    dt_probe_insert(dtp, &prb_fake_syscall, "vmlinux", calls[i],
				    "return", NULL) == NULL)
			return -1;
	}
	return 0;
}

static int prb_pop_dtrace(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	/* inserted in a scrambled order: ids must still be 1, 2, 3 */
	prb_log.populated[0]++;
	dt_probe_insert(dtp, &prb_fake_dtrace, "", "", "ERROR", NULL);
	dt_probe_insert(dtp, &prb_fake_dtrace, "", "", "BEGIN", NULL);
	dt_probe_insert(dtp, &prb_fake_dtrace, "", "", "END", NULL);
	return 0;
}

static int prb_pop_broken(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	prb_log.populated[2]++;
	dt_set_error(dtp, DTRACE_ERR_SYSTEM, "broken provider");
	return -1;
}

static int prb_cb(dtrace_hdl_t *dtp, dt_probe_t *prb, void *arg)
{
	prb_log_t *log = arg;

	if (log->fail)
		return -1;
	if (log->nseen < 64)
		log->seen[log->nseen++] = prb->id;
	return log->stop_after > 0 && log->nseen >= log->stop_after;
}

static dtrace_hdl_t *prb_hdl(void)
{
	dtrace_hdl_t *dtp = calloc(1, sizeof(*dtp));

	cr_assert_not_null(dtp);
	memset(&prb_log, 0, sizeof(prb_log));
	return dtp;
}

static void prb_free(dtrace_hdl_t *dtp)
{
	dt_probe_table_destroy(dtp);
	free(dtp);
}

static int prb_iter(dtrace_hdl_t *dtp, const char *desc)
{
	dt_pdesc_t pd;

	cr_assert_eq(dt_pdesc_parse(desc, &pd), 0);
	prb_log.nseen = 0;
	return dt_probe_iter_provs(dtp, &pd, prb_provs, prb_cb, &prb_log);
}

Test(probe, ids_reserved_and_in_order)
{
	dtrace_hdl_t *dtp = prb_hdl();
	dt_probe_t *a, *b;

	a = dt_probe_insert(dtp, &prb_fake_syscall, "vmlinux", "read",
			    "entry", (void *)7);
	b = dt_probe_insert(dtp, &prb_fake_syscall, "vmlinux", "read",
			    "return", NULL);
	cr_assert(a != NULL && b != NULL);
	cr_expect_eq(a->id, 4);
	cr_expect_eq(b->id, 5);
	cr_expect_str_eq(a->prov, "syscall");
	cr_expect_str_eq(a->func, "read");
	cr_expect_eq(a->data, (void *)7);
	cr_expect_eq(a->ops, &prb_fake_syscall);
	cr_expect_eq(a->nargs, -1);
	/* the same probe again is the same probe */
	cr_expect_eq(dt_probe_insert(dtp, &prb_fake_syscall, "vmlinux",
				     "read", "entry", NULL), a);
	cr_expect_eq(a->data, (void *)7);
	/* BEGIN/END/ERROR take 1..3 even when they come late */
	prb_pop_dtrace(dtp, NULL);
	cr_expect_str_eq(dt_probe_by_id(dtp, 1)->name, "BEGIN");
	cr_expect_str_eq(dt_probe_by_id(dtp, 2)->name, "END");
	cr_expect_str_eq(dt_probe_by_id(dtp, 3)->name, "ERROR");
	cr_expect_eq(dt_probe_by_id(dtp, 4), a);
	cr_expect_eq(dt_probe_by_id(dtp, 5), b);
	cr_expect_null(dt_probe_by_id(dtp, 0));
	cr_expect_null(dt_probe_by_id(dtp, 6));
	cr_expect_null(dt_probe_by_id(dtp, 100000));
	/* "BEGIN" of another provider is an ordinary probe */
	a = dt_probe_insert(dtp, &prb_fake_syscall, "", "", "BEGIN", NULL);
	cr_expect_eq(a->id, 6);
	cr_expect_eq(dtp->nprobes, 7);
	prb_free(dtp);
}

Test(probe, iter_populates_matching_providers_only)
{
	dtrace_hdl_t *dtp = prb_hdl();

	cr_expect_eq(prb_iter(dtp, "syscall::open*:entry"), 2);
	cr_expect_eq(prb_log.populated[0], 0);
	cr_expect_eq(prb_log.populated[1], 1);
	cr_expect_eq(prb_log.populated[2], 0);
	cr_expect_eq(prb_log.seen[0], 4);	/* open:entry */
	cr_expect_eq(prb_log.seen[1], 6);	/* openat:entry */
	cr_expect_eq(dtp->nprobes, 8);		/* 4..7 */

	cr_expect_eq(prb_iter(dtp, "BEGIN"), -1);	/* asks "broken" too */
	cr_expect_str_eq(dtp->errmsg, "broken provider");
	prb_free(dtp);
}

Test(probe, iter_in_id_order_across_providers)
{
	dtrace_hdl_t *dtp = prb_hdl();

	cr_expect_eq(prb_iter(dtp, "syscall::read:"), 2);
	cr_expect_eq(prb_iter(dtp, "dtrace:::"), 3);
	/* populating is lazy: this one adds write, open and openat */
	cr_expect_eq(prb_iter(dtp, "s*:::return"), 4);
	cr_expect_eq(prb_log.seen[0], 5);
	cr_expect_eq(prb_log.seen[3], 11);
	cr_expect_eq(prb_iter(dtp, "[ds]*:::"), 11);
	cr_expect_eq(prb_log.seen[0], 1);
	cr_expect_eq(prb_log.seen[1], 2);
	cr_expect_eq(prb_log.seen[2], 3);
	cr_expect_eq(prb_log.seen[3], 4);
	cr_expect_eq(prb_log.seen[4], 5);
	cr_expect_eq(prb_iter(dtp, "nosuch:::"), 0);
	prb_free(dtp);
}

Test(probe, iter_exact_description_and_callbacks)
{
	dtrace_hdl_t *dtp = prb_hdl();
	dt_pdesc_t pd;

	cr_expect_eq(prb_iter(dtp, "syscall:vmlinux:write:return"), 1);
	cr_expect_eq(prb_log.seen[0], 5);
	cr_expect_eq(prb_iter(dtp, "syscall:vmlinux:write:bogus"), 0);
	cr_expect_eq(prb_iter(dtp, "syscall:vmlinux:*:*"), 8);
	prb_log.stop_after = 2;
	cr_expect_eq(prb_iter(dtp, "syscall:::"), 2);	/* stopped */
	prb_log.stop_after = 0;
	prb_log.fail = true;
	cr_expect_eq(prb_iter(dtp, "syscall:::"), -1);
	cr_expect_eq(prb_iter(dtp, "syscall:vmlinux:read:entry"), -1);
	prb_log.fail = false;
	cr_assert_eq(dt_pdesc_parse("syscall:::entry", &pd), 0);
	cr_expect_eq(dt_probe_iter_provs(dtp, &pd, prb_provs, NULL, NULL), 4);
	prb_free(dtp);
}

Test(probe, pid_style_provider_names)
{
	dtrace_hdl_t *dtp = prb_hdl();

	/* "pid123" asks "pid" (which has no populate here); nothing breaks */
	cr_expect_eq(prb_iter(dtp, "pid123:::"), 0);
	cr_expect_eq(prb_log.populated[1], 0);
	prb_free(dtp);
}

Test(probe, match_fields)
{
	dt_probe_t p = { .prov = "syscall", .mod = "vmlinux", .func = "read",
			 .name = "entry" };
	dt_pdesc_t pd;

	cr_assert_eq(dt_pdesc_parse("syscall::r*:", &pd), 0);
	cr_expect(dt_probe_match(&p, &pd));
	cr_assert_eq(dt_pdesc_parse("syscall:kernel::", &pd), 0);
	cr_expect(!dt_probe_match(&p, &pd));
	cr_assert_eq(dt_pdesc_parse("entry", &pd), 0);
	cr_expect(dt_probe_match(&p, &pd));
}

Test(probe, many_probes)
{
	dtrace_hdl_t *dtp = prb_hdl();
	char func[32];
	dt_pdesc_t pd;

	for (int i = 0; i < 50000; i++) {
		snprintf(func, sizeof(func), "fn%d", i);
		cr_assert_not_null(dt_probe_insert(dtp, &prb_fake_pid, "mod",
						   func, "entry", NULL));
	}
	for (int i = 0; i < 50000; i += 997) {
		dt_probe_t *prb;

		snprintf(func, sizeof(func), "fn%d", i);
		prb = dt_probe_insert(dtp, &prb_fake_pid, "mod", func,
				      "entry", NULL);
		cr_assert_eq(prb->id, (uint32_t)i + 4);
		cr_assert_eq(dt_probe_by_id(dtp, prb->id), prb);
	}
	cr_assert_eq(dt_pdesc_parse("pid:mod:fn4999?:entry", &pd), 0);
	cr_expect_eq(dt_probe_iter_provs(dtp, &pd, NULL, NULL, NULL), 10);
	cr_assert_eq(dt_pdesc_parse("pid:mod:fn49999:entry", &pd), 0);
	cr_expect_eq(dt_probe_iter_provs(dtp, &pd, NULL, NULL, NULL), 1);
	dt_probe_table_destroy(dtp);
	cr_expect_null(dtp->probes);
	cr_expect_eq(dtp->nprobes, 0);
	free(dtp);
}
