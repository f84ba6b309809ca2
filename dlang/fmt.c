/*
 * fmt.c - DTrace printf format strings: the table of conversions and the
 * parser (fmt.h).
 *
 * The table below is the one place that knows DTrace's conversions: what
 * each accepts (the compiler's type checks ask dl_fmt_convinfo), whether
 * this dtrace prints it yet, and DTrace's prototype text for type errors.
 * It follows libdtrace's printf dictionary: the C conversions plus a A (kernel
 * and user symbols), C and S (escaped char and string), k (stack), T (RFC
 * 822 time), Y (wall time) and the wide forms lc ls wc ws.  There is no %F,
 * %m or %n in DTrace: those are "undefined" like any other letter.
 *
 * The parser walks the format the way libdtrace's dt_printf_create() does,
 * so the same formats are accepted and the same errors given, in DTrace's
 * words (DTrace reports them with the tag D_SYNTAX):
 *   format conversion #N name expected before end of format string
 *   format conversion #N is undefined: %Z
 *   format conversion #N has more than one '.' specified
 *   format conversion #N has more than one '*' specified for the output width
 *   format conversion #N uses unsupported positional format (%n$)
 *   format conversion #N cannot be combined with other format flags: %%
 * Conversions are numbered from 1 in order of appearance, %% included.
 * DTrace's quirks kept on purpose: a '0' is the zero-pad flag only before
 * any width digit; '-' and '0' cancel each other (the later wins); '?' means
 * width 16; '@' is a flag (printa's aggregation value).  One extension: the
 * C99 lengths hh j z t are accepted with integer conversions, which DTrace
 * calls undefined; h l ll L w follow DTrace's own combinations.
 *
 * Memory: one malloc block holds the pieces and a private copy of the
 * format (the pieces' text points into it), freed by dl_fmt_free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* DTrace's prototype texts, used in its type-error messages. */
static const char proto_xint[] = "char, short, int, long, or long long";
static const char proto_csi[] = "char, short, or int";
static const char proto_fp[] = "float, double, or long double";
static const char proto_addr[] = "pointer or integer";
static const char proto_uaddr[] =
	"pointer or integer (with -p/-c) or _usymaddr (without -p/-c)";
static const char proto_cstr[] = "char [] or string (or use stringof)";
static const char proto_wstr[] = "wchar_t []";

#define I DL_FA_INT
#define P DL_FA_PTR
#define S DL_FA_STR

static const dl_fmtconvinfo_t convs[] = {
	/* name conv args            max need supp  proto        what */
	{ "a", 'a', I | P | DL_FA_SYM, 0, 0, true, proto_addr,
	  "kernel symbol+offset of an address" },
	{ "A", 'A', I | P | DL_FA_SYM, 0, 0, true, proto_uaddr,
	  "user symbol+offset of an address" },
	{ "c", 'c', I, 4, 0, true, proto_csi, "character" },
	{ "C", 'C', I, 4, 0, false, proto_csi, "character, C-escaped" },
	{ "d", 'd', I, 0, 0, true, proto_xint, "signed decimal" },
	{ "e", 'e', DL_FA_FLOAT, 0, 0, false, proto_fp, "[-]d.ddde+dd" },
	{ "E", 'E', DL_FA_FLOAT, 0, 0, false, proto_fp, "[-]d.dddE+dd" },
	{ "f", 'f', DL_FA_FLOAT, 0, 0, false, proto_fp, "[-]ddd.ddd" },
	{ "g", 'g', DL_FA_FLOAT, 0, 0, false, proto_fp, "%e or %f" },
	{ "G", 'G', DL_FA_FLOAT, 0, 0, false, proto_fp, "%E or %f" },
	{ "i", 'i', I, 0, 0, true, proto_xint, "signed decimal" },
	{ "k", 'k', DL_FA_STACK, 0, 0, false, "stack", "a stack" },
	{ "o", 'o', I, 0, 0, true, proto_xint, "unsigned octal" },
	{ "p", 'p', I | P, 0, 0, true, proto_addr, "hexadecimal address" },
	{ "s", 's', S, 0, 0, true, proto_cstr, "string" },
	{ "S", 'S', S, 0, 0, false, proto_cstr, "string, C-escaped" },
	{ "T", 'T', I, 0, 8, true, "int64_t", "time in RFC 822 form" },
	{ "u", 'u', I, 0, 0, true, proto_xint, "unsigned decimal" },
	{ "x", 'x', I, 0, 0, true, proto_xint, "unsigned hexadecimal" },
	{ "X", 'X', I, 0, 0, true, proto_xint, "unsigned HEXADECIMAL" },
	{ "Y", 'Y', I, 0, 8, true, "int64_t", "wall time: 2024 Jan  5 10:20:30" },
	{ "%", '%', 0, 0, 0, true, "void", "a percent sign" },
	{ "lc", 'c', I, 4, 0, false, "int", "wide character" },
	{ "wc", 'c', I, 4, 0, false, "int", "wide character" },
	{ "ls", 's', DL_FA_WSTR, 0, 0, false, proto_wstr, "wide string" },
	{ "ws", 's', DL_FA_WSTR, 0, 0, false, proto_wstr, "wide string" },
};

#undef I
#undef P
#undef S

#define NCONVS (sizeof(convs) / sizeof(convs[0]))

static const dl_fmtconvinfo_t *convinfo_by_name(const char *name)
{
	for (size_t i = 0; i < NCONVS; i++) {
		if (strcmp(convs[i].name, name) == 0)
			return &convs[i];
	}
	return NULL;
}

const dl_fmtconvinfo_t *dl_fmt_convinfo(char c)
{
	char name[2] = { c, '\0' };

	return c == '\0' ? NULL : convinfo_by_name(name);
}

/* Integer conversions take every length; the others only DTrace's few. */
static bool length_ok(const char *len, char conv)
{
	static const char *const wide_ok[] = { "lc", "ls", "wc", "ws" };
	char name[12];

	if (len[0] == '\0')
		return true;
	if (strchr("diouxX", conv) != NULL)
		return strcmp(len, "L") != 0 && strcmp(len, "w") != 0;
	if (strchr("eEfgG", conv) != NULL)
		return strcmp(len, "L") == 0;
	snprintf(name, sizeof(name), "%s%c", len, conv);
	for (size_t i = 0; i < sizeof(wide_ok) / sizeof(wide_ok[0]); i++) {
		if (strcmp(name, wide_ok[i]) == 0)
			return true;
	}
	return false;
}

const dl_fmtconvinfo_t *dl_fmt_convinfo_of(const dl_fmtconv_t *cv)
{
	char name[4];

	if (cv == NULL || cv->conv == '\0')
		return NULL;
	if (cv->length[0] == '\0' || strchr("lw", cv->length[0]) == NULL ||
	    strchr("cs", cv->conv) == NULL)
		return dl_fmt_convinfo(cv->conv);
	snprintf(name, sizeof(name), "%c%c", cv->length[0], cv->conv);
	return convinfo_by_name(name);
}

/* ---- the parser -------------------------------------------------------- */

/* State while parsing one conversion. */
typedef struct fmt_scan {
	const char *start;	/* the conversion's '%' */
	const char *p;		/* at the character being looked at */
	dl_fmtconv_t *cv;
	unsigned n;		/* conversion number, from 1 */
	char name[8];		/* length characters, then the conversion */
	int digits;		/* digit runs seen in this field (width/prec) */
	bool dot;
	char *err;
	size_t errsz;
} fmt_scan_t;

static int scan_error(fmt_scan_t *sc, const char *fmt, const char *what)
{
	char tail[128];

	snprintf(tail, sizeof(tail), fmt, what);
	snprintf(sc->err, sc->errsz, "format conversion #%u %s", sc->n, tail);
	return -1;
}

static void flag_del(dl_fmtconv_t *cv, char f)
{
	char *q = strchr(cv->flags, f);

	if (q != NULL)
		memmove(q, q + 1, strlen(q + 1) + 1);
}

/* Each scanner looks at *sc->p: 0 to go on, 1 at the conversion, -1 error. */

static int scan_flag(fmt_scan_t *sc)
{
	dl_fmtconv_t *cv = sc->cv;
	char f = *sc->p++;
	size_t n = strlen(cv->flags);

	if (strchr(cv->flags, f) == NULL && n + 1 < sizeof(cv->flags)) {
		cv->flags[n] = f;
		cv->flags[n + 1] = '\0';
	}
	if (f == '0')
		flag_del(cv, '-');
	else if (f == '-')
		flag_del(cv, '0');
	return 0;
}

/* A run of digits: the zero flag, the width or the precision. */
static int scan_digits(fmt_scan_t *sc)
{
	int n = 0;

	if (!sc->dot && sc->digits == 0 && *sc->p == '0')
		return scan_flag(sc);
	while (*sc->p >= '0' && *sc->p <= '9') {
		if (n < 100000000)
			n = n * 10 + (*sc->p - '0');
		sc->p++;
	}
	if (sc->dot)
		sc->cv->prec = n;
	else
		sc->cv->width = n;
	sc->digits++;
	return 0;
}

static int scan_star(fmt_scan_t *sc)
{
	bool *star = sc->dot ? &sc->cv->prec_star : &sc->cv->width_star;

	if (*star)
		return scan_error(sc, "has more than one '*' specified for "
				  "the output %s", sc->dot ? "precision" :
				  "width");
	*star = true;
	sc->p++;
	return 0;
}

static int scan_dot(fmt_scan_t *sc)
{
	if (sc->dot)
		return scan_error(sc, "has more than one '.' specified%s", "");
	sc->dot = true;
	sc->digits = 0;
	sc->cv->prec = 0;
	sc->p++;
	return 0;
}

static int scan_ptrwidth(fmt_scan_t *sc)
{
	sc->cv->width = 16;	/* '?': the width of an LP64 pointer */
	sc->p++;
	return 0;
}

static int scan_dollar(fmt_scan_t *sc)
{
	return scan_error(sc, "uses unsupported positional format (%s)",
			  "%n$");
}

/* Length characters are collected and judged with the conversion. */
static int scan_length(fmt_scan_t *sc)
{
	size_t n = strlen(sc->name);

	if (n + 2 < sizeof(sc->name)) {
		sc->name[n] = *sc->p;
		sc->name[n + 1] = '\0';
	}
	sc->p++;
	return 0;
}

/* "%%" is the percent conversion; a '%' after anything else is an error. */
static int scan_percent(fmt_scan_t *sc)
{
	if (sc->p != sc->start + 1)
		return scan_error(sc, "cannot be combined with other format "
				  "flags: %s", "%%");
	return 1;
}

static const struct {
	const char *chars;
	int (*scan)(fmt_scan_t *sc);
} scanners[] = {
	{ "0123456789", scan_digits },	{ "#+- '@", scan_flag },
	{ "*", scan_star },		{ ".", scan_dot },
	{ "?", scan_ptrwidth },		{ "$", scan_dollar },
	{ "hlLwjzt", scan_length },	{ "%", scan_percent },
};

/* One character of a conversion's prefix; returns 1 at the conversion. */
static int scan_one(fmt_scan_t *sc)
{
	char c = *sc->p;

	if (c == '\0')
		return scan_error(sc, "name expected before end of format "
				  "string%s", "");
	for (size_t i = 0; i < sizeof(scanners) / sizeof(scanners[0]); i++) {
		if (strchr(scanners[i].chars, c) != NULL)
			return scanners[i].scan(sc);
	}
	return 1;	/* any other character names the conversion */
}

static bool length_known(const char *len)
{
	static const char *const lens[] = {
		"", "hh", "h", "l", "ll", "L", "j", "z", "t", "w"
	};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (strcmp(len, lens[i]) == 0)
			return true;
	}
	return false;
}

/* Parse the conversion starting at the '%' at start; fills *cv. */
static int scan_conv(fmt_scan_t *sc, const char *start)
{
	dl_fmtconv_t *cv = sc->cv;
	int r;

	cv->width = cv->prec = -1;
	sc->start = start;
	sc->p = start + 1;
	sc->digits = 0;
	sc->dot = false;
	sc->name[0] = '\0';
	while ((r = scan_one(sc)) == 0)
		continue;
	if (r < 0)
		return -1;
	cv->conv = *sc->p++;
	cv->spec = start;
	cv->speclen = (size_t)(sc->p - start);
	if (length_known(sc->name))
		strcpy(cv->length, sc->name);
	if (dl_fmt_convinfo(cv->conv) == NULL || !length_known(sc->name) ||
	    !length_ok(sc->name, cv->conv)) {
		char name[12];

		snprintf(name, sizeof(name), "%%%s%c", sc->name, cv->conv);
		return scan_error(sc, "is undefined: %s", name);
	}
	return 0;
}

static size_t count_pieces(const char *fmt)
{
	size_t n = 1;

	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p == '%')
			n++;
	}
	return n;
}

static size_t conv_nargs(const dl_fmtconv_t *cv)
{
	size_t n = (size_t)cv->width_star + (size_t)cv->prec_star;

	if (cv->conv != '%' && strchr(cv->flags, '@') == NULL)
		n++;
	return n;
}

static int parse_pieces(const char *copy, dl_fmt_t *out, char *err,
			size_t errsz)
{
	fmt_scan_t sc = { .err = err, .errsz = errsz };
	const char *q = copy, *p;

	while ((p = strchr(q, '%')) != NULL) {
		sc.cv = &out->convs[out->nconvs++];
		sc.n = (unsigned)out->nconvs;
		sc.cv->text = q;
		sc.cv->textlen = (size_t)(p - q);
		if (scan_conv(&sc, p) < 0)
			return -1;
		out->nargs += conv_nargs(sc.cv);
		q = sc.p;
	}
	if (*q != '\0' || *copy == '\0') {
		dl_fmtconv_t *cv = &out->convs[out->nconvs++];

		cv->text = q;
		cv->textlen = strlen(q);
		cv->width = cv->prec = -1;
	}
	return 0;
}

int dl_fmt_parse(const char *fmt, dl_fmt_t *out, char *err, size_t errsz)
{
	size_t npieces = count_pieces(fmt), len = strlen(fmt);
	size_t head = npieces * sizeof(dl_fmtconv_t);
	char *block = calloc(1, head + len + 1);

	memset(out, 0, sizeof(*out));
	if (block == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(block + head, fmt, len + 1);
	out->convs = (dl_fmtconv_t *)(void *)block;
	if (parse_pieces(block + head, out, err, errsz) < 0) {
		dl_fmt_free(out);
		return -1;
	}
	return 0;
}

void dl_fmt_free(dl_fmt_t *f)
{
	if (f == NULL)
		return;
	free(f->convs);
	memset(f, 0, sizeof(*f));
}
