/*
 * compile.c - the compiler's driver: the passes, in order, written down once.
 *
 *   1. dl_compile_parse     lex.l/parse.y   source -> AST (macros, pragmas)
 *   2. (library)            probe.c         match descriptions to probes
 *   3. dl_compile_decl      sema.c          top-level variable declarations
 *      dl_compile_clause    sema.c          types, actions, record layout
 *   4. dl_compile_program   lower.c         the clauses of one program -> IR
 *                           backend.c       fold, dce, isel, regalloc, emit
 *      dl_compile_vtime     vtime.c         if a clause reads vtimestamp:
 *                           backend.c       its sched_switch program
 *
 * Each pass runs under setjmp: a user error anywhere below longjmps back
 * here with cx->err filled, and the pass returns -1.  Everything allocated
 * lives in the context's arena.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "dlang.h"
#include "ir.h"

dl_ctx_t *dl_ctx_create(const dl_macros_t *macros)
{
	dl_arena_t *a = dl_arena_create();
	dl_ctx_t *cx = dl_alloc(a, sizeof(*cx));

	cx->arena = a;
	cx->macros = macros;
	dl_types_init(&cx->types);
	cx->own_globals.arena = a;
	cx->globals = &cx->own_globals;
	cx->thisvars.arena = a;
	cx->own_selfvars.arena = a;
	cx->selfvars = &cx->own_selfvars;
	cx->strsize = 256;
	cx->stackframes = 20;
	cx->ustackframes = 100;
	cx->jstackframes = 50;
	cx->own_aggs.arena = a;
	cx->own_assocs.arena = a;
	cx->assocs = &cx->own_assocs;
	cx->aggs = &cx->own_aggs;
	return cx;
}

void dl_ctx_destroy(dl_ctx_t *cx)
{
	if (cx == NULL)
		return;
	dl_btf_release(cx);
	dl_arena_destroy(cx->arena);
}

int dl_compile_parse(dl_ctx_t *cx, const char *text, const char *file,
		     dl_node_t **out)
{
	jmp_buf jb;

	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	cx->src = text;
	cx->file = file;
	*out = dl_parse(cx, text, file);
	cx->jmp = NULL;
	return 0;
}

int dl_compile_clause(dl_ctx_t *cx, dl_clause_t *clause, unsigned strsize)
{
	jmp_buf jb;

	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	dl_sema_clause(cx, clause, strsize);
	cx->jmp = NULL;
	return 0;
}

int dl_compile_decl(dl_ctx_t *cx, dl_node_t *decl)
{
	jmp_buf jb;

	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	dl_sema_decl(cx, decl);
	cx->jmp = NULL;
	return 0;
}

int dl_compile_program(dl_ctx_t *cx, dl_clause_t **clauses, size_t n,
		       const dl_lowerhooks_t *hooks, dl_strtab_t *strtab,
		       const char *name, bool check, char **irtext,
		       bpf_code_t *code)
{
	jmp_buf jb;
	char err[256];

	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	ir_func_t *fn = dl_lower(cx, clauses, n, hooks, strtab, name);
	if (irtext != NULL) {	/* the lowered IR, for -S and -x ir */
		size_t len;
		FILE *m = open_memstream(irtext, &len);
		ir_print(m, fn);
		fclose(m);
	}
	if (dl_backend(fn, cx->arena, check, code, err, sizeof(err)) < 0) {
		dl_loc_t loc = clauses[0]->node->loc;
		dl_error(cx, loc, D_LIMIT, "%s", err);
	}
	cx->jmp = NULL;
	return 0;
}

int dl_compile_vtime(dl_ctx_t *cx, bool check, bpf_code_t *code)
{
	jmp_buf jb;
	char err[256];

	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	ir_func_t *fn = dl_vtime_build(cx);
	if (dl_backend(fn, cx->arena, check, code, err, sizeof(err)) < 0)
		dl_error(cx, (dl_loc_t){ 0 }, D_LIMIT, "%s", err);
	cx->jmp = NULL;
	return 0;
}
