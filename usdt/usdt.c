/*
 * usdt.c - the library API of `dtrace -h` and `dtrace -G` (include/dtrace.h).
 *
 * A dtrace_usdt_t collects the providers of one or more scripts.  Each
 * script goes through cpp when -C is set (with -D, -U and -I, as for
 * tracing), then through the D parser alone: provider definitions need no
 * probe matching, no kernel and no root, and the clauses and declarations
 * around them (CPython's configure check is a script holding only
 * `BEGIN {}`) are parsed but otherwise ignored.  A user error, in the
 * syntax or in a definition (defs.c), is reported as a compile error with
 * its line and a caret, like any D error.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"
#include "usdt.h"

struct dtrace_usdt {
	dtrace_hdl_t *dtp;
	usdt_defs_t *defs;
	dl_macros_t macros;	/* none: operands of -G are object files */
	char *srcname;		/* the first script, for the object's
				   STT_FILE symbol */
};

dtrace_usdt_t *dtrace_usdt_create(dtrace_hdl_t *dtp)
{
	dtrace_usdt_t *usp = calloc(1, sizeof(*usp));

	if (usp == NULL) {
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	usp->dtp = dtp;
	usp->defs = usdt_defs_create();
	usp->macros.target = -1;
	return usp;
}

void dtrace_usdt_destroy(dtrace_usdt_t *usp)
{
	if (usp == NULL)
		return;
	usdt_defs_destroy(usp->defs);
	free(usp->srcname);
	free(usp);
}

/* Parse, then collect the definitions; 0 or -1 with cx->err set. */
static int collect(dtrace_usdt_t *usp, dl_ctx_t *cx, const char *src,
		   const char *file)
{
	dl_node_t *ast;
	jmp_buf jb;

	if (dl_compile_parse(cx, src, file, &ast) < 0)
		return -1;
	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	usdt_defs_add(usp->defs, cx, ast);
	cx->jmp = NULL;
	return 0;
}

int dtrace_usdt_add(dtrace_usdt_t *usp, const char *text, const char *file)
{
	dtrace_hdl_t *dtp = usp->dtp;
	char *src = dt_opt(dtp, DT_OPT_cpp) ? dt_cpp(dtp, text, file) :
					      strdup(text);
	dl_ctx_t *cx;
	int rc = 0;

	if (src == NULL)
		return -1;
	cx = dl_ctx_create(&usp->macros);
	if (collect(usp, cx, src, file) < 0)
		rc = dt_compile_error(dtp, cx, file);
	dl_ctx_destroy(cx);
	free(src);
	if (rc == 0 && usp->srcname == NULL && file != NULL)
		usp->srcname = strdup(file);
	return rc;
}

int dtrace_usdt_header(dtrace_usdt_t *usp, FILE *out, const char *hfile)
{
	dl_arena_t *a = dl_arena_create();

	usdt_header_write(out, usp->defs, usdt_header_guard(a, hfile));
	dl_arena_destroy(a);
	if (ferror(out))
		return dt_set_error(usp->dtp, DTRACE_ERR_SYSTEM,
				    "failed to write the header");
	return 0;
}

int dtrace_usdt_link(dtrace_usdt_t *usp, const char *ofile, int objc,
		     char *const objv[])
{
	char err[1024];

	if (usdt_object_write(usp->defs, ofile, usp->srcname ? usp->srcname :
			      "dtrace.d", objc, objv, err, sizeof(err)) < 0)
		return dt_set_error(usp->dtp, DTRACE_ERR_SYSTEM, "%s", err);
	return 0;
}
