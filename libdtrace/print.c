/*
 * print.c - DTrace's output formatting: printf(), trace() and the default
 * probe line.
 *
 * printf: for each conversion of the parsed format (fmt.h) we rebuild a C
 * conversion and hand the value to stdio, exactly as libdtrace does, so the
 * output is DTrace's byte for byte (glibc formats; the ' flag groups digits
 * per LC_NUMERIC as it does in DTrace).  DTrace's rules, kept here:
 *   - the C format is rebuilt from the flags in the order # 0 - + ' space,
 *     then the width if it is not 0 and the precision only if it is > 0
 *     (so "%.0s" prints the whole string); a negative '*' width means '-';
 *   - integers print by the size of the value, not by the length modifier:
 *     8-byte values as long long, smaller ones promoted to 32 bits: signed
 *     ones sign-extended for %d %i %c, all zero-extended for %u %o %x %X
 *     %p.  So %x of an int -1 is ffffffff, of a long -1 ffffffffffffffff,
 *     of a char -1 ff;
 *   - %d and %i of an unsigned value print as %u;
 *   - %p is %x of the value (no 0x: DTrace prints "61" for (void *)97);
 *   - '*' values are read as ints from their own fields.
 * A record that does not match its format is an error ("Data record list
 * does not match statement", DTrace's EDT_DMISMATCH), not a crash.
 *
 * trace: Oracle's DTrace 2 formats by signedness: signed 8/4/2/1-byte
 * values as " %19ld", " %10d", " %5hd", " %3hhd", unsigned as " %20lu",
 * " %10u", " %5hu", " %3hhu", strings as "  %-33s"; with -q just the value.
 * (illumos DTrace printed " %16lld", " %8d", " %5d", " %3d" of the
 * unsigned bits; we follow Oracle's, the reference for Linux.)
 *
 * The probe line: dtrace(1)'s default consumer prints the heading
 * "%3s %6s %32s\n" of "CPU", "ID", "FUNCTION:NAME" once, then for each
 * record "%3d %6d %32s " of the CPU, the probe id and "func:name"; with
 * flowindent "%3s %-41s\n" of "CPU", "FUNCTION" and "%3d %-41s " lines.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libdtrace.h"

#define MISMATCH "Data record list does not match statement"

static int mismatch(dtrace_hdl_t *dtp)
{
	if (dtp != NULL)
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, MISMATCH);
	return -1;
}

static int write_error(dtrace_hdl_t *dtp, FILE *out)
{
	clearerr(out);
	if (dtp != NULL)
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to write output");
	return -1;
}

/* ---- reading fields ----------------------------------------------------- */

static bool field_ok(const dl_field_t *f, size_t recsize)
{
	return f->off <= recsize && f->size <= recsize - f->off;
}

/* An integer field, sign- or zero-extended to 64 bits by its signedness. */
static bool field_int(const dl_field_t *f, const void *rec, int64_t *v)
{
	const char *p = (const char *)rec + f->off;

	if (f->kind != DL_F_INT)
		return false;
	switch (f->size) {
	case 1: {
		uint8_t x;
		memcpy(&x, p, 1);
		*v = f->is_signed ? (int64_t)(int8_t)x : (int64_t)x;
		return true;
	}
	case 2: {
		uint16_t x;
		memcpy(&x, p, 2);
		*v = f->is_signed ? (int64_t)(int16_t)x : (int64_t)x;
		return true;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, p, 4);
		*v = f->is_signed ? (int64_t)(int32_t)x : (int64_t)x;
		return true;
	}
	case 8:
		memcpy(v, p, 8);
		return true;
	default:
		return false;
	}
}

/* A string field as a NUL-terminated copy (at most size bytes of text). */
static char *field_str(const dl_field_t *f, const void *rec)
{
	const char *p = (const char *)rec + f->off;
	size_t n = strnlen(p, f->size);
	char *s;

	if (f->kind != DL_F_STRING || (s = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* ---- printf ------------------------------------------------------------- */

/* One conversion being printed: the C format built so far and its value. */
typedef struct pf_conv {
	dtrace_hdl_t *dtp;
	FILE *out;
	const dl_fmtconv_t *cv;
	const dl_field_t *f;	/* the value's field */
	const void *rec;
	char cfmt[64];		/* "%#-12.5" ... the conversion is appended */
} pf_conv_t;

static int pf_emit_int(pf_conv_t *pc, const char *len, char conv, int64_t v)
{
	size_t n = strlen(pc->cfmt);

	snprintf(pc->cfmt + n, sizeof(pc->cfmt) - n, "%s%c", len, conv);
	if (len[0] != '\0')
		return fprintf(pc->out, pc->cfmt, (long long)v);
	return fprintf(pc->out, pc->cfmt, (int)v);
}

/* %d %i: signed values as such, unsigned ones as %u (DTrace's pfcheck_dint). */
static int pf_dint(pf_conv_t *pc)
{
	int64_t v;

	if (!field_int(pc->f, pc->rec, &v))
		return mismatch(pc->dtp);
	if (pc->f->size == 8)
		return pf_emit_int(pc, "ll", pc->f->is_signed ? 'd' : 'u', v);
	if (pc->f->is_signed)
		return pf_emit_int(pc, "", 'd', (int32_t)v);
	return pf_emit_int(pc, "", 'u', (int64_t)(uint32_t)v);
}

/* %u %o %x %X %p: the value's bits, zero-extended from its size. */
static int pf_uint(pf_conv_t *pc)
{
	char conv = pc->cv->conv == 'p' ? 'x' : pc->cv->conv;
	int64_t v;

	if (!field_int(pc->f, pc->rec, &v))
		return mismatch(pc->dtp);
	if (pc->f->size == 8)
		return pf_emit_int(pc, "ll", conv, v);
	if (pc->f->size < 8)
		v &= (int64_t)((UINT64_C(1) << (pc->f->size * 8)) - 1);
	return pf_emit_int(pc, "", conv, v);
}

/* %c: the value sign-extended to an int. */
static int pf_char(pf_conv_t *pc)
{
	int64_t v;

	if (!field_int(pc->f, pc->rec, &v))
		return mismatch(pc->dtp);
	return pf_emit_int(pc, "", 'c', (int32_t)v);
}

static int pf_emit_str(pf_conv_t *pc, const char *s)
{
	size_t n = strlen(pc->cfmt);

	snprintf(pc->cfmt + n, sizeof(pc->cfmt) - n, "s");
	return fprintf(pc->out, pc->cfmt, s);
}

static int pf_str(pf_conv_t *pc)
{
	char *s = field_str(pc->f, pc->rec);
	int r;

	if (s == NULL)
		return mismatch(pc->dtp);
	r = pf_emit_str(pc, s);
	free(s);
	return r;
}

/* %Y: "1993 Jun 30 21:49:08", mdb's /y form, from ctime's text. */
static int pf_walltime(pf_conv_t *pc)
{
	char src[64], buf[32];
	int64_t ns;
	time_t sec;

	if (!field_int(pc->f, pc->rec, &ns) || pc->f->size != 8)
		return mismatch(pc->dtp);
	sec = (time_t)((uint64_t)ns / 1000000000u);
	if (ctime_r(&sec, src) == NULL || strlen(src) < 24)
		return mismatch(pc->dtp);
	/* "Wed Jun 30 21:49:08 1993\n": the year, then " Jun 30 21:49:08" */
	snprintf(buf, sizeof(buf), "%.4s%.16s", src + 20, src + 3);
	return pf_emit_str(pc, buf);
}

/* %T: RFC 822 time, "Wed, 30 Jun 1993 21:49:08 UTC". */
static int pf_time822(pf_conv_t *pc)
{
	char buf[64];
	struct tm tm;
	int64_t ns;
	time_t sec;

	if (!field_int(pc->f, pc->rec, &ns) || pc->f->size != 8)
		return mismatch(pc->dtp);
	sec = (time_t)((uint64_t)ns / 1000000000u);
	if (localtime_r(&sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%a, %d %b %G %T %Z", &tm) == 0)
		return mismatch(pc->dtp);
	return pf_emit_str(pc, buf);
}

/* How each supported conversion prints (the rest never reach us: the
   compiler rejects them with D_UNSUPPORTED). */
/* %a: a kernel address as symbol+offset; %A: a user address of the -c/-p
   target, DTrace's way (hex where no symbol is known). */
static int pf_sym(pf_conv_t *pc)
{
	int64_t v = 0;
	char buf[512];
	size_t n = strlen(pc->cfmt);
	int pid = pc->cv->conv == 'A' ? (int)pc->dtp->macros.target : -1;

	if (pc->f->kind == DL_F_USYM) {	/* printa's usym() keys: pid, pc */
		memcpy(&v, (const char *)pc->rec + pc->f->off, 8);
		pid = (int)v;
		memcpy(&v, (const char *)pc->rec + pc->f->off + 8, 8);
	} else {
		field_int(pc->f, pc->rec, &v);
	}
	if (pc->cv->conv == 'A' && pid <= 0)
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	else
		dt_addr_text(pc->dtp, pid, (uint64_t)v, buf, sizeof(buf));
	snprintf(pc->cfmt + n, sizeof(pc->cfmt) - n, "s");
	return fprintf(pc->out, pc->cfmt, buf);
}

/* %k (printa only): a stack() or ustack() key, printed as stack() prints
   it; the count is not known, 0 is returned. */
static int pf_stack(pf_conv_t *pc)
{
	if (pc->f->kind != DL_F_STACK && pc->f->kind != DL_F_USTACK)
		return mismatch(pc->dtp);
	if (dt_print_stacksym(pc->dtp, pc->out, pc->f->kind, pc->f->symfmt,
			      pc->f->size, (const char *)pc->rec +
			      pc->f->off) < 0)
		return -1;
	return 0;
}

static const struct {
	char conv;
	int (*print)(pf_conv_t *pc);
} pf_printers[] = {
	{ 'd', pf_dint },  { 'i', pf_dint },  { 'u', pf_uint },
	{ 'o', pf_uint },  { 'x', pf_uint },  { 'X', pf_uint },
	{ 'p', pf_uint },  { 'c', pf_char },  { 's', pf_str },
	{ 'Y', pf_walltime }, { 'T', pf_time822 },
	{ 'a', pf_sym }, { 'A', pf_sym }, { 'k', pf_stack },
};

static int (*pf_printer(const dl_fmtconv_t *cv))(pf_conv_t *)
{
	const dl_fmtconvinfo_t *ci = dl_fmt_convinfo_of(cv);

	if (ci == NULL || (!ci->supported && cv->conv != 'k') ||
	    ci->name[1] != '\0')	/* %k: printa only */
		return NULL;
	for (size_t i = 0; i < sizeof(pf_printers) / sizeof(pf_printers[0]);
	     i++) {
		if (pf_printers[i].conv == cv->conv)
			return pf_printers[i].print;
	}
	return NULL;
}

/* A '*' argument: DTrace reads it as an int whatever its size. */
static bool pf_getint(const dl_field_t *f, const void *rec, size_t recsize,
		      int *v)
{
	int64_t x;

	if (!field_ok(f, recsize) || !field_int(f, rec, &x))
		return false;
	*v = (int)x;
	return true;
}

static bool has_flag(const dl_fmtconv_t *cv, char f)
{
	return strchr(cv->flags, f) != NULL;
}

/* Rebuild "%<flags><width>.<prec>" the way dt_printf_format() does. */
static void pf_build(char *buf, size_t size, const dl_fmtconv_t *cv,
		     int width, int prec)
{
	char *f = buf;

	*f++ = '%';
	if (has_flag(cv, '#'))
		*f++ = '#';
	if (has_flag(cv, '0'))
		*f++ = '0';
	if (width < 0 || has_flag(cv, '-'))
		*f++ = '-';
	if (has_flag(cv, '+'))
		*f++ = '+';
	if (has_flag(cv, '\''))
		*f++ = '\'';
	if (has_flag(cv, ' '))
		*f++ = ' ';
	*f = '\0';
	if (width == INT32_MIN)
		width = INT32_MAX;
	if (width != 0)
		f += snprintf(f, size - (size_t)(f - buf), "%d",
			      width < 0 ? -width : width);
	if (prec > 0)
		snprintf(f, size - (size_t)(f - buf), ".%d", prec);
}

/* Print one conversion, consuming its fields from *fi ('@' ones only for
   printa's values). */
static int pf_one(dtrace_hdl_t *dtp, FILE *out, const dl_fmtconv_t *cv,
		  const dl_field_t *fields, size_t nfields, size_t *fi,
		  const void *rec, size_t recsize, bool aggval)
{
	pf_conv_t pc = { .dtp = dtp, .out = out, .cv = cv, .rec = rec };
	int width = cv->width > 0 ? cv->width : 0, prec = cv->prec;
	int (*print)(pf_conv_t *) = pf_printer(cv);

	if (cv->conv == '%')
		return fputc('%', out) == EOF ? -1 : 1;
	if (print == NULL || has_flag(cv, '@') != aggval)
		return mismatch(dtp);
	if (cv->width_star && (*fi >= nfields ||
	    !pf_getint(&fields[(*fi)++], rec, recsize, &width)))
		return mismatch(dtp);
	if (cv->prec_star && (*fi >= nfields ||
	    !pf_getint(&fields[(*fi)++], rec, recsize, &prec)))
		return mismatch(dtp);
	if (*fi >= nfields || !field_ok(&fields[*fi], recsize))
		return mismatch(dtp);
	pc.f = &fields[(*fi)++];
	pf_build(pc.cfmt, sizeof(pc.cfmt), cv, width, prec);
	return print(&pc);
}

int dt_printf(dtrace_hdl_t *dtp, FILE *out, const dl_fmt_t *fmt,
	      const dl_field_t *fields, size_t nfields, const void *rec,
	      size_t recsize)
{
	return dt_printa_fmt(dtp, out, fmt, fields, nfields, rec, recsize,
			     NULL, NULL);
}

int dt_printa_fmt(dtrace_hdl_t *dtp, FILE *out, const dl_fmt_t *fmt,
		  const dl_field_t *fields, size_t nfields, const void *rec,
		  size_t recsize, dt_aggval_fn *aggval, void *arg)
{
	size_t fi = 0;
	int total = 0, n, nagg = 0;

	for (size_t i = 0; i < fmt->nconvs; i++) {
		const dl_fmtconv_t *cv = &fmt->convs[i];

		if (cv->textlen != 0 &&
		    fwrite(cv->text, 1, cv->textlen, out) != cv->textlen)
			return write_error(dtp, out);
		total += (int)cv->textlen;
		if (cv->conv == '\0')
			continue;
		if (aggval != NULL && has_flag(cv, '@'))
			n = aggval(arg, out, cv, nagg++);
		else
			n = pf_one(dtp, out, cv, fields, nfields, &fi, rec,
				   recsize, false);
		if (n < 0)
			return ferror(out) ? write_error(dtp, out) : -1;
		total += n;
	}
	return total;
}

int dt_print_conv_int(dtrace_hdl_t *dtp, FILE *out, const dl_fmtconv_t *cv,
		      int64_t v, bool is_signed)
{
	dl_field_t f = { .kind = DL_F_INT, .size = 8, .is_signed = is_signed };
	size_t fi = 0;

	return pf_one(dtp, out, cv, &f, 1, &fi, &v, sizeof(v), true);
}

/* ---- trace() ------------------------------------------------------------ */

/* Oracle DTrace 2's widths by size: signed, unsigned. */
static const struct {
	uint32_t size;
	int swidth, uwidth;
} trace_widths[] = {
	{ 8, 19, 20 }, { 4, 10, 10 }, { 2, 5, 5 }, { 1, 3, 3 },
};

static int trace_int(FILE *out, const dl_field_t *f, int64_t v, bool quiet)
{
	for (size_t i = 0; i < sizeof(trace_widths) / sizeof(trace_widths[0]);
	     i++) {
		int w;

		if (trace_widths[i].size != f->size)
			continue;
		w = f->is_signed ? trace_widths[i].swidth :
				   trace_widths[i].uwidth;
		if (f->is_signed)
			return quiet ? fprintf(out, "%lld", (long long)v) :
				       fprintf(out, " %*lld", w, (long long)v);
		return quiet ? fprintf(out, "%llu", (unsigned long long)v) :
			       fprintf(out, " %*llu", w,
				       (unsigned long long)v);
	}
	return -1;
}

/*
 * trace() of a struct or union: its bytes, DTrace's way.  Bytes that are
 * all printable (isprint, isspace, \b, \a), or printable up to a NUL
 * followed only by NULs, print as a string; anything else as tracemem()'s
 * hex dump.
 */
static int trace_bytes(FILE *out, const unsigned char *c, size_t n,
		       bool quiet)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (isprint(c[i]) || isspace(c[i]) || c[i] == '\b' ||
		    c[i] == '\a')
			continue;
		if (c[i] != '\0' || i == 0)
			break;
		for (j = i + 1; j < n && c[j] == '\0'; j++)
			;
		if (j != n)
			break;
		return quiet ? fprintf(out, "%s", (const char *)c) :
			       fprintf(out, "  %-33s", (const char *)c);
	}
	if (i == n)
		return quiet ? fprintf(out, "%.*s", (int)n, (const char *)c) :
			       fprintf(out, "  %-33.*s", (int)n,
				       (const char *)c);
	return dt_print_memdump(out, c, n);
}

int dt_print_trace(dtrace_hdl_t *dtp, FILE *out, const dl_field_t *f,
		   const void *rec)
{
	bool quiet = dt_opt(dtp, DT_OPT_quiet) != 0;
	int64_t v;
	char *s;
	int n;

	if (f->kind == DL_F_MEM) {
		n = trace_bytes(out, (const unsigned char *)rec + f->off,
				f->size, quiet);
	} else if (f->kind == DL_F_STRING) {
		if ((s = field_str(f, rec)) == NULL)
			return mismatch(dtp);
		n = quiet ? fprintf(out, "%s", s) : fprintf(out, "  %-33s", s);
		free(s);
	} else if (field_int(f, rec, &v)) {
		n = trace_int(out, f, v, quiet);
	} else {
		return mismatch(dtp);
	}
	return n < 0 ? write_error(dtp, out) : n;
}

/* ---- the probe line ----------------------------------------------------- */

int dt_print_header(FILE *out, bool flowindent)
{
	if (flowindent)
		return fprintf(out, "%3s %-41s\n", "CPU", "FUNCTION");
	return fprintf(out, "%3s %6s %32s\n", "CPU", "ID", "FUNCTION:NAME");
}

int dt_print_probe_line(FILE *out, uint32_t cpu, uint32_t id,
			const char *func, const char *name)
{
	char *fn;
	int n;

	if (asprintf(&fn, "%s:%s", func, name) < 0)
		return -1;
	n = fprintf(out, "%3d %6d %32s ", (int)cpu, (int)id, fn);
	free(fn);
	return n;
}

int dt_print_flow_line(FILE *out, uint32_t cpu, int indent,
		       const char *prefix, const char *func, const char *name)
{
	char *fn;
	int n;

	if (name != NULL)
		n = asprintf(&fn, "%*s%s%s:%s", indent, "", prefix, func, name);
	else
		n = asprintf(&fn, "%*s%s%s", indent, "", prefix, func);
	if (n < 0)
		return -1;
	n = fprintf(out, "%3d %-41s ", (int)cpu, fn);
	free(fn);
	return n;
}
