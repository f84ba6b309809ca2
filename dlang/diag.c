/*
 * diag.c - user errors in D (error channel 1).
 *
 * A mistake in the user's D program is reported once, at the first place it
 * is found: dl_error() records the tag, the location, the message and the
 * offending source line in cx->err, then longjmps to the jmp_buf the caller
 * of the compiler set up (cx->jmp).  Nothing after the error runs, so the
 * compiler never has to unwind by hand; everything it made lives in the
 * arena and goes with it.
 *
 * Messages carry no location, no tag and no trailing newline: the library
 * formats them DTrace's way ("dtrace: failed to compile script x.d: line 3:
 * ...").  srcline is the line as written, tabs kept, so a caret can be put
 * under loc.col.  When cpp ran first (`dtrace -C`) the line numbers are the
 * user's, not the cpp output's; dl_src_line() (lex.l) maps them back through
 * the `# N "file"` markers.
 *
 * Calling dl_error() with no jmp_buf set is a bug in the caller: that is an
 * internal error and aborts.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlang.h"

static const char *const tag_names[D_NTAGS] = {
#define DL_TAG(name) [name] = #name,
#include "dl_tags.h"
#undef DL_TAG
};

const char *dl_tag_name(dl_tag_t tag)
{
	if ((unsigned)tag >= D_NTAGS)
		return "D_UNKNOWN";
	return tag_names[tag];
}

/*
 * Copy physical line `line` (1-based) of src into buf; "" if there is none.
 * A column too far right to fit is shown with what comes just before it:
 * "..." and the line from DIAG_BEFORE columns to its left.  *bcol gets
 * col's column in buf.
 */
#define DIAG_BEFORE 60
static void copy_line(char *buf, size_t size, const char *src, int line,
		      int col, int *bcol)
{
	const char *p = src, *e;
	size_t n, skip = 0;

	buf[0] = '\0';
	if (src == NULL || line <= 0)
		return;
	for (int l = 1; l < line; l++) {
		p = strchr(p, '\n');
		if (p == NULL)
			return;
		p++;
	}
	e = strchr(p, '\n');
	n = e != NULL ? (size_t)(e - p) : strlen(p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*bcol = col;
	if (col > 0 && (size_t)col + 1 > size / 2 && (size_t)col <= n + 1) {
		skip = (size_t)col - 1 - DIAG_BEFORE;
		*bcol = col - (int)skip + 3;
		memcpy(buf, "...", 3);
		buf += 3;
		size -= 3;
	}
	n -= skip;
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, p + skip, n);
	buf[n] = '\0';
}

_Noreturn void dl_error(dl_ctx_t *cx, dl_loc_t loc, dl_tag_t tag,
			const char *fmt, ...)
{
	dl_error_t *e = &cx->err;
	va_list ap;

	e->tag = tag;
	e->loc = loc;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	copy_line(e->srcline, sizeof(e->srcline), cx->src,
		  dl_src_line(cx, loc), loc.col, &e->srccol);
	if (cx->jmp == NULL) {
		fprintf(stderr, "dtrace: internal error: %s:%d: user error "
			"with no handler: %s\n", __FILE__, __LINE__, e->msg);
		abort();
	}
	longjmp(*(jmp_buf *)cx->jmp, 1);
}

void dl_warn(dl_ctx_t *cx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < cx->nwarns; i++)
		if (strcmp(cx->warns[i], buf) == 0)
			return;
	dl_vec_grow(cx->arena, (void **)&cx->warns, &cx->warncap,
		    cx->nwarns + 1, sizeof(*cx->warns));
	cx->warns[cx->nwarns++] = dl_strdup(cx->arena, buf);
}
