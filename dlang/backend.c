/*
 * backend.c - the back end's pipeline, written down once.
 *
 *   lowered IR --ir_fold--> --ir_dce--> --ir_isel--> --ir_dce-->
 *     selected IR --ir_regalloc--> allocated IR --bpf_emit--> bpf_insn[]
 *
 * Each pass documents what it requires, produces and invalidates in its
 * own file.  The second ir_dce removes what selection left dead (mostly
 * copies out of r0 of results nobody reads).  With check set, ir_check runs
 * on the input and after every pass, and the first violated invariant is
 * reported with the name of the pass that broke it: an internal error,
 * but one a test or `-x irchk` can show instead of a verifier rejection.
 *
 * Requires: a function in IR_STAGE_LOWERED.  Produces: out, allocated from
 * a; the function is left in IR_STAGE_ALLOCATED for -S dumps.
 */
#include <stdio.h>

#include "ir.h"

typedef struct dl_pass {
	const char *name;
	void (*run)(ir_func_t *fn);
} dl_pass_t;

static const dl_pass_t dl_passes[] = {
	{ "fold", ir_fold },
	{ "dce", ir_dce },
	{ "isel", ir_isel },
	{ "dce after isel", ir_dce },
};

static int dl_backend_check(const ir_func_t *fn, bool check,
			    const char *after, char *err, size_t errsz)
{
	char msg[256];

	if (!check || ir_check(fn, msg, sizeof(msg)) == 0)
		return 0;
	snprintf(err, errsz, "%s: bad IR %s: %s", fn->name, after, msg);
	return -1;
}

int dl_backend(ir_func_t *fn, dl_arena_t *a, bool check, bpf_code_t *out,
	       char *err, size_t errsz)
{
	char after[64];

	if (dl_backend_check(fn, check, "on input", err, errsz) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dl_passes) / sizeof(dl_passes[0]); i++) {
		dl_passes[i].run(fn);
		snprintf(after, sizeof(after), "after %s", dl_passes[i].name);
		if (dl_backend_check(fn, check, after, err, errsz) < 0)
			return -1;
	}
	if (ir_regalloc(fn) < 0) {
		snprintf(err, errsz, "%s: needs more than 512 bytes of BPF "
			 "stack (limit is 512)", fn->name);
		return -1;
	}
	if (dl_backend_check(fn, check, "after regalloc", err, errsz) < 0)
		return -1;
	if (bpf_emit(fn, a, out) < 0) {
		snprintf(err, errsz, "program %s is too large: a jump of %ld "
			 "instructions does not fit (limit is 32767)", fn->name,
			 out->toofar);
		return -1;
	}
	return 0;
}
