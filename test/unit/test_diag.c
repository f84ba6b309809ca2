/*
 * test_diag.c - user errors: dl_error() and the tag names.
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "dlang.h"

static dl_ctx_t *dg_ctx(const char *src, const char *file)
{
	dl_ctx_t *cx = calloc(1, sizeof(*cx));

	cx->arena = dl_arena_create();
	cx->src = src;
	cx->file = file;
	return cx;
}

static void dg_free(dl_ctx_t *cx)
{
	dl_arena_destroy(cx->arena);
	free(cx);
}

Test(diag, tag_names_come_from_the_table)
{
	cr_assert_str_eq(dl_tag_name(D_UNKNOWN), "D_UNKNOWN");
	cr_assert_str_eq(dl_tag_name(D_SYNTAX), "D_SYNTAX");
	cr_assert_str_eq(dl_tag_name(D_PRAGMA_OPTSET), "D_PRAGMA_OPTSET");
	cr_assert_str_eq(dl_tag_name(D_LIMIT), "D_LIMIT");
	cr_assert_str_eq(dl_tag_name(D_NTAGS), "D_UNKNOWN");
	for (int i = 0; i < D_NTAGS; i++)
		for (int j = i + 1; j < D_NTAGS; j++)
			cr_assert_str_neq(dl_tag_name((dl_tag_t)i),
					  dl_tag_name((dl_tag_t)j));
}

Test(diag, error_fills_err_and_longjmps)
{
	dl_ctx_t *cx = dg_ctx("BEGIN\n{\n\tx = y;\n}\n", "a.d");
	dl_loc_t loc = { "a.d", 3, 2 };
	jmp_buf jb;

	cx->jmp = &jb;
	if (setjmp(jb) == 0) {
		dl_error(cx, loc, D_IDENT_UNDEF, "%s is not defined: %d", "x",
			 42);
		cr_assert_fail("dl_error returned");
	}
	cr_assert_eq(cx->err.tag, D_IDENT_UNDEF);
	cr_assert_str_eq(cx->err.msg, "x is not defined: 42");
	cr_assert_eq(cx->err.loc.line, 3);
	cr_assert_eq(cx->err.loc.col, 2);
	cr_assert_str_eq(cx->err.srcline, "\tx = y;");
	dg_free(cx);
}

/* A column far to the right is shown with what precedes it. */
Test(diag, long_lines_are_cut_before_the_column)
{
	char src[2000];
	jmp_buf jb;

	memset(src, 'a', sizeof(src) - 1);
	src[sizeof(src) - 1] = '\0';
	src[1500] = 'X';
	dl_ctx_t *cx = dg_ctx(src, NULL);
	cx->jmp = &jb;
	if (setjmp(jb) == 0)
		dl_error(cx, (dl_loc_t){ NULL, 1, 1501 }, D_SYNTAX, "x");
	cr_assert_eq(strlen(cx->err.srcline), 255);
	cr_assert_eq(strncmp(cx->err.srcline, "...aaa", 6), 0);
	cr_assert_eq(cx->err.srcline[cx->err.srccol - 1], 'X');
	cr_assert_eq(cx->err.srccol, 64);
	if (setjmp(jb) == 0)
		dl_error(cx, (dl_loc_t){ NULL, 1, 3 }, D_SYNTAX, "x");
	cr_assert_eq(cx->err.srccol, 3);
	cr_assert_eq(strncmp(cx->err.srcline, "aaa", 3), 0);
	dg_free(cx);
}

Test(diag, srcline_is_empty_when_unknown)
{
	dl_ctx_t *cx = dg_ctx("one line", NULL);
	jmp_buf jb;

	cx->jmp = &jb;
	if (setjmp(jb) == 0)
		dl_error(cx, (dl_loc_t){ NULL, 7, 1 }, D_SYNTAX, "x");
	cr_assert_str_eq(cx->err.srcline, "");
	if (setjmp(jb) == 0)
		dl_error(cx, (dl_loc_t){ "other.d", 1, 1 }, D_SYNTAX, "x");
	cr_assert_str_eq(cx->err.srcline, "");
	if (setjmp(jb) == 0)
		dl_error(cx, (dl_loc_t){ NULL, 1, 1 }, D_SYNTAX, "x");
	cr_assert_str_eq(cx->err.srcline, "one line");
	dg_free(cx);
}

Test(diag, long_lines_and_messages_are_cut)
{
	char *src = malloc(1001);
	dl_ctx_t *cx;
	jmp_buf jb;

	memset(src, 'a', 1000);
	src[1000] = '\0';
	cx = dg_ctx(src, NULL);
	cx->jmp = &jb;
	if (setjmp(jb) == 0)
		dl_error(cx, (dl_loc_t){ NULL, 1, 1 }, D_SYNTAX, "%s", src);
	cr_assert_eq(strlen(cx->err.srcline), sizeof(cx->err.srcline) - 1);
	cr_assert_eq(strlen(cx->err.msg), sizeof(cx->err.msg) - 1);
	dg_free(cx);
	free(src);
}

Test(diag, error_without_handler_aborts, .signal = SIGABRT)
{
	dl_ctx_t *cx = dg_ctx("", NULL);

	dl_error(cx, (dl_loc_t){ NULL, 1, 1 }, D_SYNTAX, "nobody listens");
}
