/*
 * test_options.c - the -x option framework (libdtrace/options.c): defaults,
 * DTrace's parsing of bools, sizes, times and ints, and its error texts.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "libdtrace.h"

static dtrace_hdl_t *opt_hdl(void)
{
	dtrace_hdl_t *dtp = calloc(1, sizeof(*dtp));

	cr_assert_not_null(dtp);
	return dtp;
}

/* Set name=value on a fresh handle and return the value dt_opt() sees. */
static int64_t opt_value(const char *name, const char *value, dt_optid_t id)
{
	dtrace_hdl_t *dtp = opt_hdl();
	int64_t v;

	cr_assert_eq(dtrace_setopt(dtp, name, value), 0, "%s=%s: %s", name,
		     value ? value : "(none)", dtp->errmsg);
	v = dt_opt(dtp, id);
	free(dtp);
	return v;
}

/* name=value must fail with msg. */
static void opt_fails(const char *name, const char *value, const char *msg)
{
	dtrace_hdl_t *dtp = opt_hdl();

	cr_expect_eq(dtrace_setopt(dtp, name, value), -1, "%s=%s accepted",
		     name, value ? value : "(none)");
	cr_expect_str_eq(dtp->errmsg, msg, "%s=%s: [%s]", name,
			 value ? value : "(none)", dtp->errmsg);
	cr_expect_eq(dtp->errkind, DTRACE_ERR_USAGE);
	free(dtp);
}

#define BADVAL "Invalid value for specified option"

Test(options, defaults_on_a_zeroed_handle)
{
	dtrace_hdl_t *dtp = opt_hdl();
	int64_t v;

	cr_expect_eq(dt_opt(dtp, DT_OPT_quiet), 0);
	cr_expect_eq(dt_opt(dtp, DT_OPT_strsize), 256);
	cr_expect_eq(dt_opt(dtp, DT_OPT_bufsize), 4 * 1024 * 1024);
	cr_expect_eq(dt_opt(dtp, DT_OPT_switchrate), 1000000000);
	cr_expect_eq(dt_opt(dtp, DT_OPT_nspec), 1);
	cr_expect_eq(dt_opt(dtp, DT_OPT_ustackframes), 100);
	cr_expect_eq(dtrace_getopt(dtp, "strsize", &v), 0);
	cr_expect_eq(v, 256);
	free(dtp);
}

Test(options, booleans)
{
	cr_expect_eq(opt_value("quiet", NULL, DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("quiet", "yes", DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("quiet", "ON", DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("quiet", "enabled", DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("quiet", "set", DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("quiet", "true", DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("quiet", "no", DT_OPT_quiet), 0);
	cr_expect_eq(opt_value("quiet", "Off", DT_OPT_quiet), 0);
	cr_expect_eq(opt_value("quiet", "disable", DT_OPT_quiet), 0);
	cr_expect_eq(opt_value("quiet", "unset", DT_OPT_quiet), 0);
	cr_expect_eq(opt_value("quiet", "false", DT_OPT_quiet), 0);
	cr_expect_eq(opt_value("quiet", "", DT_OPT_quiet), 0);
	/* DTrace: any number sets the option, even 0 */
	cr_expect_eq(opt_value("quiet", "0", DT_OPT_quiet), 1);
	cr_expect_eq(opt_value("flowindent", "7", DT_OPT_flowindent), 1);
	cr_expect_eq(opt_value("zdefs", NULL, DT_OPT_zdefs), 1);
	opt_fails("quiet", "maybe", BADVAL);
	opt_fails("quiet", "-1", BADVAL);
	opt_fails("quiet", "1x", BADVAL);
}

Test(options, sizes)
{
	cr_expect_eq(opt_value("bufsize", "512", DT_OPT_bufsize), 512);
	cr_expect_eq(opt_value("bufsize", "4k", DT_OPT_bufsize), 4096);
	cr_expect_eq(opt_value("bufsize", "4K", DT_OPT_bufsize), 4096);
	cr_expect_eq(opt_value("bufsize", "2m", DT_OPT_bufsize), 2 << 20);
	cr_expect_eq(opt_value("bufsize", "16M", DT_OPT_bufsize), 16 << 20);
	cr_expect_eq(opt_value("bufsize", "1g", DT_OPT_bufsize), 1 << 30);
	cr_expect_eq(opt_value("bufsize", "3G", DT_OPT_bufsize), 3LL << 30);
	cr_expect_eq(opt_value("bufsize", "2t", DT_OPT_bufsize), 2LL << 40);
	cr_expect_eq(opt_value("bufsize", "0x10k", DT_OPT_bufsize), 16384);
	cr_expect_eq(opt_value("strsize", "010", DT_OPT_strsize), 8);
	cr_expect_eq(opt_value("dynvarsize", "32m", DT_OPT_dynvarsize),
		     32 << 20);
	opt_fails("bufsize", NULL, BADVAL);
	opt_fails("bufsize", "", BADVAL);
	opt_fails("bufsize", "-1", BADVAL);
	opt_fails("bufsize", "-4k", BADVAL);
	opt_fails("bufsize", "k", BADVAL);
	opt_fails("bufsize", "4kb", BADVAL);
	opt_fails("bufsize", "4 k", BADVAL);
	opt_fails("bufsize", "1.5m", BADVAL);
	opt_fails("bufsize", "4x", BADVAL);
	opt_fails("bufsize", "99999999999999999999", BADVAL);
	opt_fails("bufsize", "9223372036854775807k", BADVAL);
}

Test(options, times)
{
	cr_expect_eq(opt_value("switchrate", "10hz", DT_OPT_switchrate),
		     100000000);
	cr_expect_eq(opt_value("switchrate", "1s", DT_OPT_switchrate),
		     1000000000);
	cr_expect_eq(opt_value("switchrate", "100ms", DT_OPT_switchrate),
		     100000000);
	cr_expect_eq(opt_value("switchrate", "500us", DT_OPT_switchrate),
		     500000);
	cr_expect_eq(opt_value("switchrate", "1000ns", DT_OPT_switchrate),
		     1000);
	/* DTrace: a bare number is nanoseconds */
	cr_expect_eq(opt_value("switchrate", "1000", DT_OPT_switchrate),
		     1000);
	cr_expect_eq(opt_value("aggrate", "2m", DT_OPT_aggrate),
		     120000000000);
	cr_expect_eq(opt_value("aggrate", "2min", DT_OPT_aggrate),
		     120000000000);
	cr_expect_eq(opt_value("aggrate", "1h", DT_OPT_aggrate),
		     3600000000000);
	cr_expect_eq(opt_value("aggrate", "1hour", DT_OPT_aggrate),
		     3600000000000);
	cr_expect_eq(opt_value("aggrate", "1d", DT_OPT_aggrate),
		     86400000000000);
	cr_expect_eq(opt_value("statusrate", "10SEC", DT_OPT_statusrate),
		     10000000000);
	cr_expect_eq(opt_value("statusrate", "5msec", DT_OPT_statusrate),
		     5000000);
	cr_expect_eq(opt_value("statusrate", "3usec", DT_OPT_statusrate),
		     3000);
	cr_expect_eq(opt_value("statusrate", "7nsec", DT_OPT_statusrate), 7);
	cr_expect_eq(opt_value("statusrate", "0hz", DT_OPT_statusrate), 0);
	cr_expect_eq(opt_value("statusrate", "97Hz", DT_OPT_statusrate),
		     1000000000 / 97);
	opt_fails("switchrate", NULL, BADVAL);
	opt_fails("switchrate", "-1s", BADVAL);
	opt_fails("switchrate", "10 hz", BADVAL);
	opt_fails("switchrate", "5parsecs", BADVAL);
	opt_fails("switchrate", "s", BADVAL);
	opt_fails("switchrate", "99999999999d", BADVAL);
}

Test(options, integers)
{
	cr_expect_eq(opt_value("nspec", "4", DT_OPT_nspec), 4);
	cr_expect_eq(opt_value("stackframes", "0x40", DT_OPT_stackframes),
		     64);
	opt_fails("nspec", NULL, BADVAL);
	opt_fails("nspec", "four", BADVAL);
	opt_fails("nspec", "-2", BADVAL);
	opt_fails("nspec", "4k", BADVAL);
}

Test(options, buffer_policies)
{
	cr_expect_eq(opt_value("bufpolicy", "switch", DT_OPT_bufpolicy),
		     DT_BUFPOLICY_SWITCH);
	cr_expect_eq(opt_value("bufpolicy", "fill", DT_OPT_bufpolicy),
		     DT_BUFPOLICY_FILL);
	cr_expect_eq(opt_value("bufpolicy", "ring", DT_OPT_bufpolicy),
		     DT_BUFPOLICY_RING);
	cr_expect_eq(opt_value("bufresize", "manual", DT_OPT_bufresize),
		     DT_BUFRESIZE_MANUAL);
	cr_expect_eq(opt_value("bufresize", "auto", DT_OPT_bufresize),
		     DT_BUFRESIZE_AUTO);
	opt_fails("bufpolicy", "Ring", BADVAL);
	opt_fails("bufpolicy", "", BADVAL);
	opt_fails("bufpolicy", NULL, BADVAL);
	opt_fails("bufresize", "1", BADVAL);
	dtrace_hdl_t *dtp = opt_hdl();
	cr_expect_eq(dt_opt(dtp, DT_OPT_bufpolicy), DT_BUFPOLICY_SWITCH);
	cr_expect_eq(dt_opt(dtp, DT_OPT_bufresize), DT_BUFRESIZE_AUTO);
	free(dtp);
}

Test(options, unknown_and_unsupported)
{
	dtrace_hdl_t *dtp = opt_hdl();
	int64_t v = 42;

	opt_fails("bogus", NULL, "Invalid option name");
	opt_fails("", "1", "Invalid option name");
	opt_fails(NULL, "1", "Invalid option name");
	opt_fails("Quiet", NULL, "Invalid option name");  /* case matters */
	opt_fails("aggzoom", NULL, "Option is not supported by this "
		  "dtrace yet");
	opt_fails("cleanrate", "101hz", "Option is not supported by this "
		  "dtrace yet");
	cr_expect_eq(dtrace_getopt(dtp, "bogus", &v), -1);
	cr_expect_str_eq(dtp->errmsg, "Invalid option name");
	cr_expect_eq(dtrace_getopt(dtp, "rawbytes", &v), -1);
	cr_expect_eq(v, 42);
	free(dtp);
}

Test(options, set_get_and_failed_set_keeps_value)
{
	dtrace_hdl_t *dtp = opt_hdl();
	int64_t v;

	cr_assert_eq(dtrace_setopt(dtp, "bufsize", "8m"), 0);
	cr_expect_eq(dtrace_setopt(dtp, "bufsize", "8q"), -1);
	cr_expect_eq(dtrace_getopt(dtp, "bufsize", &v), 0);
	cr_expect_eq(v, 8 << 20);
	cr_expect(dtp->opts[DT_OPT_bufsize].set);
	cr_assert_eq(dtrace_setopt(dtp, "quiet", NULL), 0);
	cr_assert_eq(dtrace_setopt(dtp, "quiet", "no"), 0);
	cr_expect_eq(dt_opt(dtp, DT_OPT_quiet), 0);
	cr_expect_null(dt_opt_str(dtp, DT_OPT_quiet));
	dt_options_fini(dtp);
	free(dtp);
}

Test(options, init_sets_defaults)
{
	dtrace_hdl_t *dtp = opt_hdl();

	dt_options_init(dtp);
	cr_expect_eq(dtp->opts[DT_OPT_bufsize].i, 4 * 1024 * 1024);
	cr_expect_eq(dtp->opts[DT_OPT_stackframes].i, 20);
	cr_expect(!dtp->opts[DT_OPT_bufsize].set);
	cr_expect_eq(dt_opt(dtp, DT_OPT_aggsize), 4 * 1024 * 1024);
	cr_assert_eq(dtrace_setopt(dtp, "aggsize", "1m"), 0);
	cr_expect_eq(dt_opt(dtp, DT_OPT_aggsize), 1024 * 1024);
	dt_options_fini(dtp);
	free(dtp);
}
