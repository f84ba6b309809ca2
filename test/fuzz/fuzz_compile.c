/*
 * fuzz_compile.c - libFuzzer target for the compiler: the input is D source,
 * run through every pass that needs no kernel (parse, sema, lowering, fold,
 * dce, isel, regalloc, emit, with the IR checker after each pass) against
 * a stand-in provider.  Any crash, sanitizer report or IR-check failure is
 * a bug; user errors are the expected outcome for most inputs.
 *
 * Built by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined);
 * `make fuzz-run FUZZTIME=N` runs it for N seconds over test/fuzz/corpus.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlang.h"
#include "ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ir_ref_t fz_pvar(void *arg, ir_func_t *fn, ir_blk_t **blk,
			ir_ref_t ctx, ir_blk_t *exit, dl_pvar_t what, int n)
{
	if (what == DL_PV_ARG)
		return ir_load(fn, *blk, 8, ctx, 8 * (n & 7));
	return IR_NONE;
}

static char *fz_argv[] = { "fuzz", "1", "two" };
static dl_macros_t fz_macros = { .argc = 3, .argv = fz_argv, .pid = 1,
				 .target = 2 };

static void fz_compile(dl_ctx_t *cx, dl_node_t *ast)
{
	dl_probeinfo_t pi = { "dtrace", "", "", "BEGIN" };
	dl_lowerhooks_t hooks = { .pvar = fz_pvar, .probe_id = 1,
				  .probe = &pi };

	for (dl_node_t *n = ast; n != NULL; n = n->next) {
		dl_clause_t cl = { .node = n };
		dl_clause_t *clp = &cl;
		dl_strtab_t st = { 0 };
		bpf_code_t code;

		if (n->kind != ND_CLAUSE || dl_compile_clause(cx, &cl, 256) < 0)
			continue;
		dl_compile_program(cx, &clp, 1, &hooks, &st, "fuzz", true,
				   NULL, &code);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	dl_ctx_t *cx = dl_ctx_create(&fz_macros);
	dl_node_t *ast = NULL;

	memcpy(src, data, size);
	src[size] = '\0';
	if (dl_compile_parse(cx, src, "fuzz.d", &ast) == 0)
		fz_compile(cx, ast);
	dl_ctx_destroy(cx);
	free(src);
	return 0;
}
