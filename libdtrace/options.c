/*
 * options.c - the -x option framework: dtrace_setopt, dtrace_getopt, dt_opt.
 *
 * Every option is declared once in dt_options.h, DT_OPT(name, kind,
 * default) for the ones this dtrace acts on and DT_OPT_UNSUP(name, kind) for
 * the ones DTrace documents that it does not act on yet.  The handle keeps a
 * dt_optval_t per DT_OPT (dt_options_init fills in the defaults, and
 * dt_options_fini frees the strings); dt_opt() answers the value set or else
 * the default, so even a zeroed handle reads right.
 *
 * Values are read the way libdtrace reads them (dt_options.c), one parser
 * per kind:
 *   bool  no value, a non-negative number (any, even 0, as in DTrace: the
 *         option is then "set"), or yes/no enable/disable enabled/disabled
 *         true/false on/off set/unset (any case); "" turns it off.
 *   size  a number (C syntax: 0x1f, 017) with an optional k K m M g G t T
 *         suffix, powers of 1024; no sign, no space before the suffix.
 *   time  a number with an optional suffix (any case): ns nsec us usec ms
 *         msec s sec m min h hour d day, or hz (a rate: 10hz is 100ms);
 *         a bare number is nanoseconds, as in DTrace.
 *   int   a non-negative number.
 *   str   any text.
 *   bufpolicy  switch, fill or ring; bufresize  auto or manual (DTrace's
 *         words, in lower case only, as DTrace).
 * Size, time, int and str options need a value.  DTrace's errors are kept
 * word for word (dtrace(1) prints "dtrace: failed to set -x NAME: " first):
 *   Invalid option name
 *   Invalid value for specified option
 * and an option DTrace has but we do not act on gives
 *   Option is not supported by this dtrace yet
 * All are DTRACE_ERR_USAGE.  DTrace's compile-time flags (zdefs, cpp, ...)
 * refuse any value; we are lenient and read them as bools.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libdtrace.h"

#define ERR_NAME "Invalid option name"
#define ERR_VALUE "Invalid value for specified option"
#define ERR_UNSUP "Option is not supported by this dtrace yet"

typedef struct dt_optdesc {
	const char *name;
	dt_optkind_t kind;
	int id;			/* dt_optid_t, or -1 if not supported yet */
} dt_optdesc_t;

static const dt_optdesc_t dt_optdescs[] = {
#define DT_OPT(name, kind, def) { #name, kind, DT_OPT_##name },
#define DT_OPT_UNSUP(name, kind) { #name, kind, -1 },
#include "dt_options.h"
#undef DT_OPT_UNSUP
#undef DT_OPT
};

static const int64_t dt_optdefs[DT_NOPTS] = {
#define DT_OPT(name, kind, def) [DT_OPT_##name] = (def),
#include "dt_options.h"
#undef DT_OPT
};

static const dt_optdesc_t *dt_optdesc(const char *name)
{
	for (size_t i = 0; i < sizeof(dt_optdescs) / sizeof(dt_optdescs[0]);
	     i++) {
		if (strcmp(dt_optdescs[i].name, name) == 0)
			return &dt_optdescs[i];
	}
	return NULL;
}

/* ---- value parsers, one per kind ---------------------------------------- */

/* A whole non-negative number in C syntax; *end gets what follows it. */
static bool parse_number(const char *s, uint64_t *v, const char **end)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-' || *s == '\0')
		return false;
	errno = 0;
	*v = strtoull(s, &e, 0);
	if (errno != 0 || e == s)
		return false;
	*end = e;
	return true;
}

static int parse_bool(const char *s, dt_optval_t *ov)
{
	static const char *const words[][2] = {
		{ "yes", "no" }, { "enable", "disable" },
		{ "enabled", "disabled" }, { "true", "false" },
		{ "on", "off" }, { "set", "unset" },
	};
	const char *end;
	uint64_t v;

	ov->i = 1;
	if (s == NULL)
		return 0;
	if (*s == '\0') {
		ov->i = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i][0]) == 0)
			return 0;
		if (strcasecmp(s, words[i][1]) == 0) {
			ov->i = 0;
			return 0;
		}
	}
	return parse_number(s, &v, &end) && *end == '\0' ? 0 : -1;
}

static int parse_int(const char *s, dt_optval_t *ov)
{
	const char *end;
	uint64_t v;

	if (s == NULL || !parse_number(s, &v, &end) || *end != '\0' ||
	    v > INT64_MAX)
		return -1;
	ov->i = (int64_t)v;
	return 0;
}

static int parse_size(const char *s, dt_optval_t *ov)
{
	static const char suffixes[] = "kmgt";
	const char *end, *sfx;
	uint64_t v, mul = 1;

	if (s == NULL || !parse_number(s, &v, &end))
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' ||
		    (sfx = strchr(suffixes, tolower((unsigned char)*end))) ==
		    NULL)
			return -1;
		for (const char *p = suffixes; p <= sfx; p++)
			mul *= 1024;
	}
	if (v > (uint64_t)INT64_MAX / mul)
		return -1;
	ov->i = (int64_t)(v * mul);
	return 0;
}

static int parse_time(const char *s, dt_optval_t *ov)
{
	static const struct {
		const char *name;
		uint64_t mul;	/* ns per unit; 0: a rate in hz */
	} units[] = {
		{ "", 1 }, { "ns", 1 }, { "nsec", 1 },
		{ "us", 1000 }, { "usec", 1000 },
		{ "ms", 1000000 }, { "msec", 1000000 },
		{ "s", 1000000000 }, { "sec", 1000000000 },
		{ "m", 60000000000 }, { "min", 60000000000 },
		{ "h", 3600000000000 }, { "hour", 3600000000000 },
		{ "d", 86400000000000 }, { "day", 86400000000000 },
		{ "hz", 0 },
	};
	const char *end;
	uint64_t v;

	if (s == NULL || !parse_number(s, &v, &end))
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t mul = units[i].mul;

		if (strcasecmp(units[i].name, end) != 0)
			continue;
		if (mul == 0) {
			ov->i = v == 0 ? 0 : (int64_t)(1000000000 / v);
			return 0;
		}
		if (v > (uint64_t)INT64_MAX / mul)
			return -1;
		ov->i = (int64_t)(v * mul);
		return 0;
	}
	return -1;
}

static int parse_str(const char *s, dt_optval_t *ov)
{
	char *copy;

	if (s == NULL || (copy = strdup(s)) == NULL)
		return -1;
	free((char *)ov->s);
	ov->s = copy;
	return 0;
}

/* One of words[], as its index. */
static int parse_word(const char *s, const char *const *words, size_t n,
		      dt_optval_t *ov)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, words[i]) == 0) {
			ov->i = (int64_t)i;
			return 0;
		}
	return -1;
}

static int parse_bufpolicy(const char *s, dt_optval_t *ov)
{
	static const char *const words[] = {	/* dt_bufpolicy_t */
		[DT_BUFPOLICY_SWITCH] = "switch", [DT_BUFPOLICY_FILL] = "fill",
		[DT_BUFPOLICY_RING] = "ring",
	};
	return parse_word(s, words, sizeof(words) / sizeof(words[0]), ov);
}

static int parse_bufresize(const char *s, dt_optval_t *ov)
{
	static const char *const words[] = {	/* dt_bufresize_t */
		[DT_BUFRESIZE_AUTO] = "auto", [DT_BUFRESIZE_MANUAL] = "manual",
	};
	return parse_word(s, words, sizeof(words) / sizeof(words[0]), ov);
}

/* Indexed by dt_optkind_t. */
static int (*const parsers[])(const char *, dt_optval_t *) = {
	[DT_OK_BOOL] = parse_bool,
	[DT_OK_SIZE] = parse_size,
	[DT_OK_TIME] = parse_time,
	[DT_OK_INT] = parse_int,
	[DT_OK_STR] = parse_str,
	[DT_OK_BUFPOLICY] = parse_bufpolicy,
	[DT_OK_BUFRESIZE] = parse_bufresize,
};

/* ---- the interface ------------------------------------------------------ */

/* The option's descriptor, or NULL with the handle's error set. */
static const dt_optdesc_t *dt_optdesc_usable(dtrace_hdl_t *dtp,
					     const char *name)
{
	const dt_optdesc_t *od = name != NULL ? dt_optdesc(name) : NULL;

	if (od == NULL) {
		dt_set_error(dtp, DTRACE_ERR_USAGE, ERR_NAME);
		return NULL;
	}
	if (od->id < 0) {
		dt_set_error(dtp, DTRACE_ERR_USAGE, ERR_UNSUP);
		return NULL;
	}
	return od;
}

int dtrace_setopt(dtrace_hdl_t *dtp, const char *name, const char *value)
{
	const dt_optdesc_t *od;
	dt_optval_t ov;
	int rc = dt_cpp_setopt(dtp, name, value);

	if (rc <= 0)
		return rc;
	rc = dt_dlib_setopt(dtp, name, value);
	if (rc <= 0)
		return rc;
	od = dt_optdesc_usable(dtp, name);
	if (od == NULL)
		return -1;
	ov = dtp->opts[od->id];
	if (parsers[od->kind](value, &ov) != 0)
		return dt_set_error(dtp, DTRACE_ERR_USAGE, ERR_VALUE);
	ov.set = true;
	dtp->opts[od->id] = ov;
	/* the lexer reads it from the macros (#pragma D option too) */
	dtp->macros.defaultargs = dt_opt(dtp, DT_OPT_defaultargs) != 0;
	return 0;
}

int dtrace_getopt(dtrace_hdl_t *dtp, const char *name, int64_t *value)
{
	const dt_optdesc_t *od = dt_optdesc_usable(dtp, name);

	if (od == NULL)
		return -1;
	*value = dt_opt(dtp, (dt_optid_t)od->id);
	return 0;
}

int64_t dt_opt(const dtrace_hdl_t *dtp, dt_optid_t id)
{
	if ((unsigned)id >= DT_NOPTS)
		abort();	/* a caller's bug, not a user error */
	return dtp->opts[id].set ? dtp->opts[id].i : dt_optdefs[id];
}

const char *dt_opt_str(const dtrace_hdl_t *dtp, dt_optid_t id)
{
	if ((unsigned)id >= DT_NOPTS)
		abort();
	return dtp->opts[id].set ? dtp->opts[id].s : NULL;
}

void dt_options_init(dtrace_hdl_t *dtp)
{
	for (size_t i = 0; i < DT_NOPTS; i++) {
		dtp->opts[i].i = dt_optdefs[i];
		dtp->opts[i].s = NULL;
		dtp->opts[i].set = false;
	}
}

void dt_options_fini(dtrace_hdl_t *dtp)
{
	for (size_t i = 0; i < DT_NOPTS; i++) {
		free((char *)dtp->opts[i].s);
		dtp->opts[i].s = NULL;
	}
}
