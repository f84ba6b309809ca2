/*
 * test_fmt.c - printf formats (dlang/fmt.c) and DTrace's output formatting
 * (libdtrace/print.c): parsing, DTrace's error texts, the conversion table,
 * printf of records field by field, trace() and the probe line.
 *
 * Expected strings are what DTrace prints (from libdtrace's printf rules and
 * Oracle's test suite), not what C's printf would print where they differ.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libdtrace.h"

/* ---- helpers ------------------------------------------------------------ */

/* A record under construction: bytes and the fields describing them. */
typedef struct fmt_rec {
	_Alignas(8) unsigned char buf[2048];
	size_t len;
	dl_field_t f[16];
	size_t nf;
} fmt_rec_t;

static void fmt_rec_init(fmt_rec_t *r)
{
	memset(r, 0, sizeof(*r));
	r->len = DL_REC_DATA;		/* fields follow the header */
}

static void fmt_int(fmt_rec_t *r, unsigned size, bool is_signed, int64_t v)
{
	dl_field_t *f = &r->f[r->nf++];

	r->len = (r->len + size - 1) / size * size;
	f->kind = DL_F_INT;
	f->off = (uint32_t)r->len;
	f->size = size;
	f->is_signed = is_signed;
	memcpy(r->buf + r->len, &v, size);	/* little endian */
	r->len += size;
}

static void fmt_str(fmt_rec_t *r, const char *s, unsigned size)
{
	dl_field_t *f = &r->f[r->nf++];

	f->kind = DL_F_STRING;
	f->off = (uint32_t)r->len;
	f->size = size;
	memcpy(r->buf + r->len, s, strnlen(s, size));	/* rest stays 0 */
	r->len += size;
}

static dtrace_hdl_t *fmt_hdl(void)
{
	dtrace_hdl_t *dtp = calloc(1, sizeof(*dtp));

	cr_assert_not_null(dtp);
	return dtp;
}

/* printf(fmt) of r: the output, or NULL if dt_printf failed. */
static char *fmt_run(dtrace_hdl_t *dtp, const char *fmt, fmt_rec_t *r)
{
	char err[256], *out = NULL;
	size_t len = 0;
	dl_fmt_t f;
	FILE *fp;
	int n;

	cr_assert_eq(dl_fmt_parse(fmt, &f, err, sizeof(err)), 0,
		     "parse %s: %s", fmt, err);
	fp = open_memstream(&out, &len);
	n = dt_printf(dtp, fp, &f, r->f, r->nf, r->buf, r->len);
	fclose(fp);
	dl_fmt_free(&f);
	if (n < 0) {
		free(out);
		return NULL;
	}
	cr_assert_eq((size_t)n, len, "return %d vs %zu bytes", n, len);
	return out;
}

static void fmt_expect(const char *fmt, fmt_rec_t *r, const char *want)
{
	dtrace_hdl_t *dtp = fmt_hdl();
	char *got = fmt_run(dtp, fmt, r);

	cr_assert_not_null(got, "dt_printf(\"%s\") failed: %s", fmt,
			   dtp->errmsg);
	cr_expect_str_eq(got, want, "printf(\"%s\"): got [%s] want [%s]", fmt,
			 got, want);
	free(got);
	free(dtp);
}

/* One integer argument. */
static void fmt_expect_int(const char *fmt, unsigned size, bool is_signed,
			   int64_t v, const char *want)
{
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_int(&r, size, is_signed, v);
	fmt_expect(fmt, &r, want);
}

static void fmt_expect_str(const char *fmt, const char *s, const char *want)
{
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_str(&r, s, 32);
	fmt_expect(fmt, &r, want);
}

static void fmt_expect_error(const char *fmt, const char *want)
{
	char err[256] = "";
	dl_fmt_t f;

	cr_assert_eq(dl_fmt_parse(fmt, &f, err, sizeof(err)), -1,
		     "\"%s\" parsed", fmt);
	cr_expect_str_eq(err, want, "\"%s\": got [%s]", fmt, err);
	cr_expect_null(f.convs);
}

static dl_fmt_t fmt_parse_ok(const char *fmt)
{
	char err[256] = "";
	dl_fmt_t f;

	cr_assert_eq(dl_fmt_parse(fmt, &f, err, sizeof(err)), 0, "%s: %s",
		     fmt, err);
	return f;
}

/* ---- parsing ------------------------------------------------------------ */

Test(fmt, parse_pieces)
{
	dl_fmt_t f = fmt_parse_ok("a%db%%c");

	cr_assert_eq(f.nconvs, 3);
	cr_expect_eq(f.convs[0].textlen, 1);
	cr_expect_eq(strncmp(f.convs[0].text, "a", 1), 0);
	cr_expect_eq(f.convs[0].conv, 'd');
	cr_expect_eq(f.convs[0].width, -1);
	cr_expect_eq(f.convs[0].prec, -1);
	cr_expect_eq(f.convs[1].conv, '%');
	cr_expect_eq(strncmp(f.convs[1].text, "b", 1), 0);
	cr_expect_eq(f.convs[2].conv, '\0');
	cr_expect_eq(strncmp(f.convs[2].text, "c", 1), 0);
	cr_expect_eq(f.nargs, 1);
	dl_fmt_free(&f);
}

Test(fmt, parse_literal_and_empty)
{
	dl_fmt_t f = fmt_parse_ok("hello\n");

	cr_assert_eq(f.nconvs, 1);
	cr_expect_eq(f.convs[0].conv, '\0');
	cr_expect_eq(f.convs[0].textlen, 6);
	cr_expect_eq(f.nargs, 0);
	dl_fmt_free(&f);

	f = fmt_parse_ok("");
	cr_assert_eq(f.nconvs, 1);
	cr_expect_eq(f.convs[0].textlen, 0);
	dl_fmt_free(&f);

	f = fmt_parse_ok("%d");		/* no trailing literal piece */
	cr_expect_eq(f.nconvs, 1);
	dl_fmt_free(&f);
}

Test(fmt, parse_flags_width_prec_length)
{
	dl_fmt_t f = fmt_parse_ok("%-+ #0'5.3ld");
	const dl_fmtconv_t *cv = &f.convs[0];

	/* '0' after '-' cancels it, as in DTrace */
	cr_expect_str_eq(cv->flags, "+ #0'");
	cr_expect_eq(cv->width, 5);
	cr_expect_eq(cv->prec, 3);
	cr_expect_str_eq(cv->length, "l");
	cr_expect_eq(cv->conv, 'd');
	cr_expect_eq(cv->speclen, 12);
	cr_expect_eq(strncmp(cv->spec, "%-+ #0'5.3ld", 12), 0);
	dl_fmt_free(&f);

	f = fmt_parse_ok("%0-5d");
	cr_expect_str_eq(f.convs[0].flags, "-");
	dl_fmt_free(&f);

	f = fmt_parse_ok("%010.05x");
	cr_expect_str_eq(f.convs[0].flags, "0");
	cr_expect_eq(f.convs[0].width, 10);
	cr_expect_eq(f.convs[0].prec, 5);
	dl_fmt_free(&f);

	f = fmt_parse_ok("%.s");
	cr_expect_eq(f.convs[0].prec, 0);
	dl_fmt_free(&f);
}

Test(fmt, parse_stars_and_specials)
{
	dl_fmt_t f = fmt_parse_ok("%*.*s|%*d|%.*x");

	cr_expect(f.convs[0].width_star && f.convs[0].prec_star);
	cr_expect(f.convs[1].width_star && !f.convs[1].prec_star);
	cr_expect(!f.convs[2].width_star && f.convs[2].prec_star);
	cr_expect_eq(f.nargs, 7);
	dl_fmt_free(&f);

	f = fmt_parse_ok("%?p");
	cr_expect_eq(f.convs[0].width, 16);
	dl_fmt_free(&f);

	f = fmt_parse_ok("%@d %s");	/* printa: %@ takes no argument */
	cr_expect_str_eq(f.convs[0].flags, "@");
	cr_expect_eq(f.nargs, 1);
	dl_fmt_free(&f);
}

Test(fmt, parse_lengths)
{
	static const char *const ok[] = {
		"%hd", "%hhd", "%ld", "%lld", "%jd", "%zu", "%td", "%hx",
		"%llX", "%lo", "%Lf", "%lc", "%ls", "%wc", "%ws",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		dl_fmt_t f = fmt_parse_ok(ok[i]);

		dl_fmt_free(&f);
	}
	fmt_expect_error("%hs", "format conversion #1 is undefined: %hs");
	fmt_expect_error("%lp", "format conversion #1 is undefined: %lp");
	fmt_expect_error("%Ld", "format conversion #1 is undefined: %Ld");
	fmt_expect_error("%llld", "format conversion #1 is undefined: %llld");
	fmt_expect_error("%lf", "format conversion #1 is undefined: %lf");
}

Test(fmt, parse_errors_in_dtrace_words)
{
	fmt_expect_error("%", "format conversion #1 name expected before end "
			 "of format string");
	fmt_expect_error("abc %-5", "format conversion #1 name expected "
			 "before end of format string");
	fmt_expect_error("%Z", "format conversion #1 is undefined: %Z");
	fmt_expect_error("%d %s %F", "format conversion #3 is undefined: %F");
	fmt_expect_error("%%%m", "format conversion #2 is undefined: %m");
	fmt_expect_error("%3$d", "format conversion #1 uses unsupported "
			 "positional format (%n$)");
	fmt_expect_error("%1.2.3d", "format conversion #1 has more than one "
			 "'.' specified");
	fmt_expect_error("%**d", "format conversion #1 has more than one '*' "
			 "specified for the output width");
	fmt_expect_error("%.**d", "format conversion #1 has more than one '*' "
			 "specified for the output precision");
	fmt_expect_error("%5%", "format conversion #1 cannot be combined with "
			 "other format flags: %%");
}

Test(fmt, parse_copies_the_format)
{
	char *s = strdup("x=%d!");
	dl_fmt_t f = fmt_parse_ok(s);

	memset(s, 'Q', strlen(s));
	free(s);
	cr_expect_eq(strncmp(f.convs[0].text, "x=", 2), 0);
	cr_expect_eq(strncmp(f.convs[1].text, "!", 1), 0);
	dl_fmt_free(&f);
	dl_fmt_free(&f);	/* idempotent */
}

/* ---- the table of conversions ------------------------------------------- */

Test(fmt, convinfo_table)
{
	const dl_fmtconvinfo_t *ci;

	ci = dl_fmt_convinfo('d');
	cr_assert_not_null(ci);
	cr_expect(ci->supported && ci->args == DL_FA_INT);
	cr_expect_str_eq(ci->proto, "char, short, int, long, or long long");
	ci = dl_fmt_convinfo('s');
	cr_expect(ci->supported && (ci->args & DL_FA_STR) && !(ci->args &
		  DL_FA_INT));
	ci = dl_fmt_convinfo('p');
	cr_expect(ci->supported && (ci->args & DL_FA_PTR) &&
		  (ci->args & DL_FA_INT));
	ci = dl_fmt_convinfo('x');
	cr_expect(!(ci->args & DL_FA_PTR));	/* DTrace wants a cast */
	cr_expect_eq(dl_fmt_convinfo('c')->maxsize, 4);
	cr_expect_eq(dl_fmt_convinfo('Y')->needsize, 8);
	cr_expect_eq(dl_fmt_convinfo('%')->args, 0);
	for (const char *c = "CeEfgGkS"; *c != '\0'; c++) {
		cr_assert_not_null(dl_fmt_convinfo(*c), "%c", *c);
		cr_expect(!dl_fmt_convinfo(*c)->supported, "%c", *c);
	}
	for (const char *c = "diouxXcspYTaA%"; *c != '\0'; c++)
		cr_expect(dl_fmt_convinfo(*c)->supported, "%c", *c);
	cr_expect_null(dl_fmt_convinfo('F'));
	cr_expect_null(dl_fmt_convinfo('m'));
	cr_expect_null(dl_fmt_convinfo('n'));
	cr_expect_null(dl_fmt_convinfo('\0'));
}

Test(fmt, convinfo_of_parsed)
{
	dl_fmt_t f = fmt_parse_ok("%ls %lc %ld %s %hhu|");

	cr_expect_str_eq(dl_fmt_convinfo_of(&f.convs[0])->name, "ls");
	cr_expect(!dl_fmt_convinfo_of(&f.convs[0])->supported);
	cr_expect_eq(dl_fmt_convinfo_of(&f.convs[0])->args, DL_FA_WSTR);
	cr_expect_str_eq(dl_fmt_convinfo_of(&f.convs[1])->name, "lc");
	cr_expect_str_eq(dl_fmt_convinfo_of(&f.convs[2])->name, "d");
	cr_expect_str_eq(dl_fmt_convinfo_of(&f.convs[3])->name, "s");
	cr_expect_str_eq(dl_fmt_convinfo_of(&f.convs[4])->name, "u");
	cr_expect_null(dl_fmt_convinfo_of(&f.convs[5]));
	dl_fmt_free(&f);
}

/* ---- printf: integers --------------------------------------------------- */

Test(fmt, printf_signed_every_size)
{
	fmt_expect_int("%d", 1, true, -1, "-1");
	fmt_expect_int("%d", 2, true, -1, "-1");
	fmt_expect_int("%d", 4, true, -1, "-1");
	fmt_expect_int("%d", 8, true, -1, "-1");
	fmt_expect_int("%d", 1, true, -128, "-128");
	fmt_expect_int("%d", 2, true, 32767, "32767");
	fmt_expect_int("%i", 4, true, INT32_MIN, "-2147483648");
	fmt_expect_int("%d", 8, true, INT64_MIN, "-9223372036854775808");
	fmt_expect_int("%d", 8, true, 5000000000, "5000000000");
}

Test(fmt, printf_unsigned_d_prints_as_u)
{
	fmt_expect_int("%d", 1, false, 255, "255");
	fmt_expect_int("%d", 2, false, 65535, "65535");
	fmt_expect_int("%d", 4, false, 4294967295, "4294967295");
	fmt_expect_int("%d", 8, false, -1, "18446744073709551615");
	fmt_expect_int("%i", 8, false, -1, "18446744073709551615");
}

Test(fmt, printf_u_of_signed_is_zero_extended)
{
	fmt_expect_int("%u", 1, true, -1, "255");
	fmt_expect_int("%u", 2, true, -1, "65535");
	fmt_expect_int("%u", 4, true, -1, "4294967295");
	fmt_expect_int("%u", 8, true, -1, "18446744073709551615");
}

Test(fmt, printf_hex_octal_by_size)
{
	/* DTrace: %x of an int -1 is ffffffff, of a long -1 all 64 bits */
	fmt_expect_int("%x", 4, true, -1, "ffffffff");
	fmt_expect_int("%x", 8, true, -1, "ffffffffffffffff");
	fmt_expect_int("%x", 1, true, -1, "ff");
	fmt_expect_int("%x", 2, true, -1, "ffff");
	fmt_expect_int("%X", 4, false, 0xabc, "ABC");
	fmt_expect_int("%lx", 4, true, -1, "ffffffff");	/* length ignored */
	fmt_expect_int("%hx", 8, false, 0x12345, "12345");
	fmt_expect_int("%o", 4, false, 97, "141");
	fmt_expect_int("%o", 8, true, -1, "1777777777777777777777");
	fmt_expect_int("%#o", 4, false, 8, "010");
	fmt_expect_int("%llx", 8, false, 0xdeadbeefcafeLL, "deadbeefcafe");
}

Test(fmt, printf_pointer_has_no_0x)
{
	fmt_expect_int("%p", 8, false, 97, "61");	/* Oracle tst.basics */
	fmt_expect_int("%p", 8, false, (int64_t)0xffffffff81000000ULL,
		       "ffffffff81000000");
	fmt_expect_int("%#p", 8, false, 0x1000, "0x1000");
	fmt_expect_int("%?p|", 8, false, 0x1000, "            1000|");
}

Test(fmt, printf_flags_as_dtrace_test_suite)
{
	/* Oracle's test/unittest/printf/tst.flags */
	fmt_expect_int("# %#8x", 4, true, 0x123, "#    0x123");
	fmt_expect_int("0 %08x", 4, true, 0x123, "0 00000123");
	fmt_expect_int("- %-8x", 4, true, 0x123, "- 123     ");
	fmt_expect_int("+ %+8d", 4, true, 123, "+     +123");
	fmt_expect_int("  % 8d", 4, true, 123, "       123");
	fmt_expect_int("% d", 4, true, -5, "-5");
	fmt_expect_int("%+d", 8, true, 0, "+0");
}

Test(fmt, printf_widths_and_precisions)
{
	fmt_expect_int("[%5d]", 4, true, 42, "[   42]");
	fmt_expect_int("[%-5d]", 4, true, 42, "[42   ]");
	fmt_expect_int("[%05d]", 4, true, -42, "[-0042]");
	fmt_expect_int("[%-05d]", 4, true, 42, "[00042]");	/* 0 wins */
	fmt_expect_int("[%0-5d]", 4, true, 42, "[42   ]");	/* - wins */
	fmt_expect_int("[%.5d]", 4, true, 42, "[00042]");
	fmt_expect_int("[%8.5d]", 4, true, 42, "[   00042]");
	/* DTrace drops a zero precision: %.0d of 0 prints "0" */
	fmt_expect_int("[%.0d]", 4, true, 0, "[0]");
	fmt_expect_int("[%?d]", 4, true, 5, "[               5]");
	fmt_expect_int("[%1d]", 4, true, 12345, "[12345]");
}

Test(fmt, printf_thousands_flag)
{
	fmt_expect_int("%'d", 4, true, 123456789, "123456789");  /* C locale */
	if (setlocale(LC_NUMERIC, "en_US.UTF-8") == NULL &&
	    setlocale(LC_NUMERIC, "C.UTF-8") == NULL)
		return;
	if (strcmp(localeconv()->thousands_sep, ",") == 0)
		fmt_expect_int("%'d", 4, true, 123456789, "123,456,789");
	setlocale(LC_NUMERIC, "C");
}

Test(fmt, printf_char)
{
	fmt_expect_int("%c", 4, true, 'a', "a");
	fmt_expect_int("%c", 1, true, 'Z', "Z");
	fmt_expect_int("[%3c]", 2, true, 'x', "[  x]");
	fmt_expect_int("[%-3c]", 1, false, 'x', "[x  ]");
}

/* ---- printf: strings, stars, mixes -------------------------------------- */

Test(fmt, printf_strings)
{
	fmt_expect_str("%s", "hello", "hello");
	fmt_expect_str("[%10s]", "hello", "[     hello]");
	fmt_expect_str("[%-10s]", "hello", "[hello     ]");
	fmt_expect_str("[%.3s]", "hello", "[hel]");
	fmt_expect_str("[%2.2s]", "hello", "[he]");
	fmt_expect_str("[%9.9s]", "hello", "[    hello]");
	/* Oracle tst.wp: a zero precision is no precision */
	fmt_expect_str("[%0.0s]", "hello", "[hello]");
	fmt_expect_str("[%.0s]", "hello", "[hello]");
	fmt_expect_str("[%s]", "", "[]");
}

Test(fmt, printf_string_filling_its_field)
{
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_str(&r, "abcd", 4);		/* no NUL within size */
	fmt_int(&r, 4, true, 7);
	fmt_expect("%s-%d", &r, "abcd-7");
}

Test(fmt, printf_star_width_precision)
{
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_int(&r, 4, true, 8);
	fmt_int(&r, 4, true, 2);
	fmt_str(&r, "hello", 16);
	fmt_expect("[%*.*s]", &r, "[      he]");

	fmt_rec_init(&r);
	fmt_int(&r, 4, true, -8);	/* negative width: left-justified */
	fmt_int(&r, 8, true, 0);	/* zero precision: ignored */
	fmt_str(&r, "hello", 16);
	fmt_expect("[%*.*s]", &r, "[hello   ]");

	fmt_rec_init(&r);
	fmt_int(&r, 8, true, 6);
	fmt_int(&r, 2, true, -3);
	fmt_expect("[%0*d]", &r, "[-00003]");

	fmt_rec_init(&r);
	fmt_int(&r, 1, true, 4);
	fmt_int(&r, 4, false, 0xab);
	fmt_expect("[%.*x]", &r, "[00ab]");
}

Test(fmt, printf_percent_and_mixed)
{
	fmt_rec_t r;

	fmt_expect_int("100%% %d%%", 4, true, 5, "100% 5%");
	fmt_rec_init(&r);
	fmt_int(&r, 4, true, 1234);
	fmt_str(&r, "bash", 16);
	fmt_int(&r, 8, false, 0x7fff0000);
	fmt_int(&r, 1, true, -2);
	fmt_expect("pid %d exec %s at %x (%d)\n", &r,
		   "pid 1234 exec bash at 7fff0000 (-2)\n");
	fmt_rec_init(&r);
	fmt_expect("just text\n", &r, "just text\n");
	fmt_expect("", &r, "");
}

Test(fmt, printf_walltime)
{
	setenv("TZ", "UTC", 1);
	tzset();
	fmt_expect_int("%Y", 8, false, 0, "1970 Jan  1 00:00:00");
	fmt_expect_int("[%Y]", 8, false, 1700000000123456789LL,
		       "[2023 Nov 14 22:13:20]");
	fmt_expect_int("[%22Y]", 8, false, 0, "[  1970 Jan  1 00:00:00]");
	fmt_expect_int("%T", 8, false, 0, "Thu, 01 Jan 1970 00:00:00 UTC");
}

Test(fmt, printf_mismatch_is_an_error)
{
	dtrace_hdl_t *dtp = fmt_hdl();
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_str(&r, "x", 8);
	cr_expect_null(fmt_run(dtp, "%d", &r));
	cr_expect_str_eq(dtp->errmsg,
			 "Data record list does not match statement");
	fmt_rec_init(&r);
	fmt_int(&r, 4, true, 1);
	cr_expect_null(fmt_run(dtp, "%s", &r));
	cr_expect_null(fmt_run(dtp, "%d %d", &r));	/* too few fields */
	cr_expect_null(fmt_run(dtp, "%e", &r));	/* not supported */
	r.f[0].off = 4000;				/* outside the record */
	cr_expect_null(fmt_run(dtp, "%d", &r));
	free(dtp);
}

/* ---- trace() ------------------------------------------------------------ */

static void fmt_expect_trace(bool quiet, fmt_rec_t *r, const char *want)
{
	dtrace_hdl_t *dtp = fmt_hdl();
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	int n;

	if (quiet)
		cr_assert_eq(dtrace_setopt(dtp, "quiet", NULL), 0);
	n = dt_print_trace(dtp, fp, &r->f[0], r->buf);
	fclose(fp);
	cr_expect_eq(n, (int)len);
	cr_expect_str_eq(out, want, "got [%s] want [%s]", out, want);
	free(out);
	free(dtp);
}

static void fmt_trace_int(bool quiet, unsigned size, bool sgn, int64_t v,
			  const char *want)
{
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_int(&r, size, sgn, v);
	fmt_expect_trace(quiet, &r, want);
}

Test(fmt, trace_integers_by_size_and_sign)
{
	fmt_trace_int(false, 8, true, -1, "                  -1");
	fmt_trace_int(false, 8, false, -1, " 18446744073709551615");
	fmt_trace_int(false, 8, true, INT64_MIN, " -9223372036854775808");
	fmt_trace_int(false, 4, true, 42, "         42");
	fmt_trace_int(false, 4, true, -1, "         -1");
	fmt_trace_int(false, 4, false, 4294967295, " 4294967295");
	fmt_trace_int(false, 2, true, -1, "    -1");
	fmt_trace_int(false, 2, false, 65535, " 65535");
	fmt_trace_int(false, 1, true, -1, "  -1");
	fmt_trace_int(false, 1, false, 255, " 255");
}

Test(fmt, trace_quiet)
{
	fmt_trace_int(true, 8, true, -1, "-1");
	fmt_trace_int(true, 8, false, -1, "18446744073709551615");
	fmt_trace_int(true, 4, true, 42, "42");
	fmt_trace_int(true, 2, false, 65535, "65535");
	fmt_trace_int(true, 1, true, -128, "-128");
}

Test(fmt, trace_strings)
{
	fmt_rec_t r;

	fmt_rec_init(&r);
	fmt_str(&r, "hello", 64);
	fmt_expect_trace(false, &r, "  hello                            ");
	fmt_expect_trace(true, &r, "hello");
	fmt_rec_init(&r);
	fmt_str(&r, "a-string-longer-than-33-characters-here", 64);
	fmt_expect_trace(false, &r,
			 "  a-string-longer-than-33-characters-here");
}

/* ---- the probe line ----------------------------------------------------- */

static char *fmt_capture_line(int which)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	int n = -1;

	switch (which) {
	case 0: n = dt_print_header(fp, false); break;
	case 1: n = dt_print_probe_line(fp, 0, 1, "", "BEGIN"); break;
	case 2: n = dt_print_probe_line(fp, 1, 12345, "vfs_read", "entry");
		break;
	case 3: n = dt_print_header(fp, true); break;
	case 4: n = dt_print_flow_line(fp, 0, 2, " -> ", "read", NULL); break;
	case 5: n = dt_print_flow_line(fp, 1, 0, "| ", "read", "probe");
		break;
	}
	fclose(fp);
	cr_expect_eq(n, (int)len);
	return out;
}

Test(fmt, probe_line_and_header)
{
	static const char *const want[] = {
		"CPU     ID                    FUNCTION:NAME\n",
		"  0      1                           :BEGIN ",
		"  1  12345                   vfs_read:entry ",
		"CPU FUNCTION                                 \n",
		"  0    -> read                                ",
		"  1 | read:probe                              ",
	};

	for (int i = 0; i < 6; i++) {
		char *got = fmt_capture_line(i);

		cr_expect_str_eq(got, want[i], "%d: [%s]", i, got);
		free(got);
	}
}
