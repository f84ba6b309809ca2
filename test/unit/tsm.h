/*
 * tsm.h - helpers the compiler's unit tests share: parse one clause and
 * run sema on it, expect an error at a place, compile all the way to BPF.
 * Each test file includes it once (static functions).
 */
#ifndef TSM_H
#define TSM_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "dlang.h"
#include "ir.h"

static dl_macros_t tsm_macros = { .target = -1 };

typedef struct tsm {
	dl_ctx_t *cx;
	dl_clause_t clause;
	int rc;
} tsm_t;

/* Parse src (one clause) and run sema on it. */
static inline tsm_t tsm_sema(const char *src)
{
	tsm_t t = { .cx = dl_ctx_create(&tsm_macros) };
	dl_node_t *ast = NULL;

	t.rc = dl_compile_parse(t.cx, src, NULL, &ast);
	if (t.rc == 0) {
		cr_assert_not_null(ast);
		t.clause.node = ast;
		t.rc = dl_compile_clause(t.cx, &t.clause, 256);
	}
	return t;
}

static inline void tsm_expect_error(const char *src, dl_tag_t tag, int line,
				    int col)
{
	tsm_t t = tsm_sema(src);

	cr_expect_eq(t.rc, -1, "%s: compiled", src);
	cr_expect_eq(t.cx->err.tag, tag, "%s: tag %s, expected %s (%s)", src,
		     dl_tag_name(t.cx->err.tag), dl_tag_name(tag),
		     t.cx->err.msg);
	cr_expect_eq(t.cx->err.loc.line, line, "%s: line %d", src,
		     t.cx->err.loc.line);
	cr_expect_eq(t.cx->err.loc.col, col, "%s: col %d", src,
		     t.cx->err.loc.col);
	dl_ctx_destroy(t.cx);
}

static inline ir_ref_t tsm_pvar(void *arg, ir_func_t *fn, ir_blk_t **blk,
			 ir_ref_t ctx, ir_blk_t *exit, dl_pvar_t what, int n)
{
	if (what == DL_PV_ARG)
		return ir_load(fn, *blk, 8, ctx, 8 * n);
	return IR_NONE;
}

/* Compile one clause all the way to BPF; returns the instruction count. */
static inline size_t tsm_codegen(const char *src, char **irtext)
{
	tsm_t t = tsm_sema(src);
	dl_clause_t *cl = &t.clause;
	dl_strtab_t st = { 0 };
	dl_probeinfo_t pi = { "dtrace", "", "", "BEGIN" };
	dl_lowerhooks_t hooks = { .pvar = tsm_pvar, .probe_id = 1,
				  .probe = &pi };
	bpf_code_t code;

	cr_assert_eq(t.rc, 0, "%s: %s", src, t.cx->err.msg);
	int rc = dl_compile_program(t.cx, &cl, 1, &hooks, &st, "t", true,
				    irtext, &code);
	cr_assert_eq(rc, 0, "%s: %s", src, t.cx->err.msg);
	size_t n = code.ninsns;
	dl_ctx_destroy(t.cx);
	return n;
}

/* Codegen golden checks: each source compiles to at most max BPF
   instructions (what it compiles to today: a ceiling). */
typedef struct tsm_ceiling {
	const char *src;
	size_t max;
} tsm_ceiling_t;

static inline void tsm_expect_ceilings(const tsm_ceiling_t *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *ir = NULL;
		size_t got = tsm_codegen(cases[i].src, &ir);
		cr_expect_leq(got, cases[i].max, "%s: %zu instructions\n%s",
			      cases[i].src, got, ir);
		free(ir);
	}
}

#endif /* TSM_H */
