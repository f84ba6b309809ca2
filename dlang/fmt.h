/*
 * fmt.h - DTrace printf format strings, parsed once.
 *
 * The compiler parses a printf()'s format at compile time (dl_fmt_parse) to
 * check the number and the types of the arguments the way DTrace does, and
 * the consumer uses the same parsed form to print each record.  A format is a
 * list of pieces: literal text and conversions.
 *
 * Conversion syntax (DTrace's, a superset of C's):
 *   %[flags][width][.precision][length]conv
 *   flags:     - + space # 0 ' (thousands separator)
 *   width:     digits or '*'   (a '*' takes an int argument before the value)
 *   precision: .digits or .*
 *   length:    hh h l ll L j z t  (accepted, as DTrace does; the value size
 *              comes from the argument's type, not from the length)
 *   conv:      d i u x X o c s p % Y T and, in DTrace, a A e E f g G S k
 *              ... (the ones this dtrace does not print yet are rejected
 *              at compile time with D_UNSUPPORTED)
 */
#ifndef DLANG_FMT_H
#define DLANG_FMT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dl_fmtconv {
	const char *text;	/* literal text before this conversion */
	size_t textlen;
	char conv;		/* 0 for the trailing literal-only piece */
	char flags[8];		/* the flag characters seen, NUL-terminated */
	int width;		/* -1 if none */
	bool width_star;	/* width is an argument */
	int prec;		/* -1 if none */
	bool prec_star;		/* precision is an argument */
	char length[3];		/* "", "h", "hh", "l", "ll", "L", "j", "z", "t" */
	const char *spec;	/* the whole "%...c" text */
	size_t speclen;
} dl_fmtconv_t;

typedef struct dl_fmt {
	dl_fmtconv_t *convs;	/* pieces in order; the last may have conv 0 */
	size_t nconvs;
	size_t nargs;		/* arguments the format consumes, '*'s included */
} dl_fmt_t;

/*
 * Parse fmt.  Returns 0, or -1 with a DTrace-worded message in err (e.g.
 * "invalid format conversion #1" style).
 * Allocation: malloc'd; free with dl_fmt_free().
 */
int dl_fmt_parse(const char *fmt, dl_fmt_t *out, char *err, size_t errsz);
void dl_fmt_free(dl_fmt_t *f);

/*
 * The table of conversions, once (fmt.c).  Parse errors above are DTrace's
 * texts, which DTrace reports with the tag D_SYNTAX ("format conversion #1
 * is undefined: %Z"); a conversion that parses but has supported == false
 * is for the compiler to reject with D_UNSUPPORTED.  Notes on the parse:
 *   - flags[] may also hold '@' (printa: the aggregation value; such a
 *     conversion consumes no argument and is not counted in nargs);
 *   - '?' sets width 16 (LP64 pointer width), as DTrace does;
 *   - '-' and '0' cancel each other, the later one winning (DTrace);
 *   - the length is kept for the compiler's type checks (DTrace's %hd wants
 *     a short, %ld a long, ...); printing ignores it: the value's size and
 *     signedness come from its record field.
 */
enum {
	DL_FA_INT = 1 << 0,	/* an integer (any size unless limited below) */
	DL_FA_PTR = 1 << 1,	/* a pointer */
	DL_FA_STR = 1 << 2,	/* a string or a char array */
	DL_FA_FLOAT = 1 << 3,	/* float, double, long double */
	DL_FA_STACK = 1 << 4,	/* a stack()/ustack() value */
	DL_FA_WSTR = 1 << 5,	/* a wchar_t array */
	DL_FA_SYM = 1 << 6,	/* a symbol address (sym(), func(), uaddr()) */
};

typedef struct dl_fmtconvinfo {
	const char *name;	/* "d"; length-specific ones: "ls", "wc" */
	char conv;		/* 'd' */
	unsigned args;		/* DL_FA_* bits it accepts; 0: no argument */
	unsigned maxsize;	/* integers: largest size accepted, 0 = any */
	unsigned needsize;	/* integers: the size required, 0 = any */
	bool supported;		/* this dtrace prints it today */
	const char *proto;	/* DTrace's prototype text for type errors:
				   "char, short, int, long, or long long" */
	const char *what;	/* what it prints, for documentation */
} dl_fmtconvinfo_t;

/* The conversion c ('d', 'Y', '%', ...), or NULL if DTrace has none. */
const dl_fmtconvinfo_t *dl_fmt_convinfo(char c);
/* The entry for a parsed conversion, its length included (%ls and %wc are
   wide-character entries of their own); NULL for a literal-only piece. */
const dl_fmtconvinfo_t *dl_fmt_convinfo_of(const dl_fmtconv_t *cv);

#endif /* DLANG_FMT_H */
