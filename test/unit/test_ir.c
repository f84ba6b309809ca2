/*
 * test_ir.c - the IR and its machine-independent passes, from IR text.
 *
 * Each test feeds IR text to one pass (or to the parser or the checker)
 * and compares the IR text that comes out, the way the passes are meant
 * to be tested: fold, dce and isel on small functions, the text form's
 * exact round trip, the checker catching broken IR, liveness, and the
 * constant evaluator against plain C arithmetic.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

/* Parse text (which must parse and check), run pass, check the result and
   return its text (malloc'd). */
static char *tir_run(const char *text, void (*pass)(ir_func_t *))
{
	dl_arena_t *a = dl_arena_create();
	char err[256], *buf = NULL;
	size_t len = 0;
	ir_func_t *fn = ir_parse(a, text, err, sizeof(err));
	FILE *f;

	cr_assert_not_null(fn, "parse: %s", err);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "input: %s", err);
	if (pass != NULL)
		pass(fn);
	f = open_memstream(&buf, &len);
	ir_print(f, fn);
	fclose(f);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), 0, "output: %s\n%s", err,
		     buf);
	dl_arena_destroy(a);
	return buf;
}

static void tir_expect(const char *in, void (*pass)(ir_func_t *),
		       const char *want)
{
	char *got = tir_run(in, pass);

	cr_expect_str_eq(got, want, "got:\n%s\nwanted:\n%s", got, want);
	free(got);
}

/* The checker's verdict on text that parses. */
static char *tir_check_err(const char *text)
{
	static char err[256];
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = ir_parse(a, text, err, sizeof(err));

	cr_assert_not_null(fn, "parse: %s", err);
	if (ir_check(fn, err, sizeof(err)) == 0)
		err[0] = '\0';
	dl_arena_destroy(a);
	return err;
}

#define HDR(stage) "function f stage " stage " frame 0 {\n"

/* ---- text form ----------------------------------------------------------- */

Test(ir, print_parse_roundtrip)
{
	const char *text =
		"function clause0 stage lowered frame 16 {\n"
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = call 14                  # get_current_pid_tgid\n"
		"\t%t13 = shr %t12, 32\n"
		"\t%t14 = load4 %t11, 16\n"
		"\tstore8 %r10, -8, %t13\n"
		"\tstore2 %r10, -16, -1\n"
		"\targ %t13\n"
		"\tcall 999\n"
		"\t%t15 = ldmap 3\n"
		"\t%t16 = ldi64 -9223372036854775808\n"
		"\t%t17 = neg %t16\n"
		"\tjnz %t13, @b1, @b2\n"
		"@b1\n"
		"\tret 0\n"
		"@b2\n"
		"\tjmp @b1\n"
		"}\n";
	char *once = tir_run(text, NULL);

	cr_assert_str_eq(once, text);
	char *twice = tir_run(once, NULL);
	cr_assert_str_eq(twice, once);
	free(once);
	free(twice);
}

Test(ir, roundtrip_selected_jcmp_and_layout)
{
	/* labels referenced before their definition keep definition order */
	const char *text =
		HDR("selected")
		"@entry\n"
		"\t%t11 = copy %r1\n"
		"\tjcmp sle %t11, 5, @late, @early\n"
		"@early\n"
		"\t%r0 = copy 1\n"
		"\tret %r0\n"
		"@late\n"
		"\t%r0 = copy 2\n"
		"\tret %r0\n"
		"}\n";
	tir_expect(text, NULL, text);
}

Test(ir, parse_errors)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ HDR("lowered") "@b0\n\t%t11 = frob 1\n\tret 0\n}\n",
		  "unknown instruction" },
		{ HDR("lowered") "@b0\n\tjmp @nowhere\n}\n", "undefined label" },
		{ HDR("lowered") "@b0\n\t%t3 = copy 1\n\tret 0\n}\n",
		  "out of range" },
		{ HDR("lowered") "@b0\n\tret 0\n@b0\n\tret 0\n}\n",
		  "defined twice" },
		{ HDR("lowered") "@b0\n\tret 0\n\tret 1\n}\n",
		  "after the terminator" },
		{ HDR("weird") "@b0\n\tret 0\n}\n", "unknown stage" },
		{ HDR("lowered") "@b0\n\tret 0\n", "missing '}'" },
		{ HDR("lowered") "@b0\n\t%t11 = add %t12\n\tret 0\n}\n",
		  "expected ','" },
		{ HDR("lowered") "@b0\n\tjcmp foo 1, 2, @b0, @b0\n}\n",
		  "unknown comparison" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dl_arena_t *a = dl_arena_create();
		char err[256] = "";
		ir_func_t *fn = ir_parse(a, cases[i].text, err, sizeof(err));
		cr_expect_null(fn, "case %zu parsed", i);
		cr_expect(strstr(err, cases[i].msg) != NULL,
			  "case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
		dl_arena_destroy(a);
	}
}

Test(ir, building_api_prints)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = ir_func_new(a, "built");
	ir_blk_t *b0 = ir_blk_new(fn), *b1 = ir_blk_new(fn), *b2 = ir_blk_new(fn);
	ir_ref_t ctx = ir_tmp(fn), args[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ir_emit(fn, b0, IR_COPY, ctx, ir_reg(1), IR_NONE);
	ir_ref_t v = ir_load(fn, b0, 4, ctx, 16);
	int32_t slot = ir_frame_alloc(fn, 4);
	ir_store(fn, b0, 8, ir_reg(IR_FP), slot, v);
	args[0] = ir_ldmap(fn, b0, 0);
	args[1] = ir_bin(fn, b0, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot));
	ir_ref_t r = ir_call(fn, b0, 1, 2, args);
	ir_jnz(b0, r, b1, b2);
	ir_ret(b1, v);
	ir_ret(b2, ir_con(fn, 0));
	cr_assert_eq(slot, -8);
	cr_assert_eq(ir_frame_left(fn), 504);
	cr_assert_eq(ir_memwidth(IR_LOAD2), 2);
	cr_assert_eq(ir_memwidth(IR_STORE8), 8);
	cr_assert_str_eq(bpf_helper_by_id(131)->name, "ringbuf_reserve");
	cr_assert_null(bpf_helper_by_id(9999));
	f = open_memstream(&buf, &len);
	ir_print(f, fn);
	fclose(f);
	cr_assert_str_eq(buf,
		"function built stage lowered frame 8 {\n"
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load4 %t11, 16\n"
		"\tstore8 %r10, -8, %t12\n"
		"\t%t13 = ldmap 0\n"
		"\t%t14 = add %r10, -8\n"
		"\targ %t13\n"
		"\targ %t14\n"
		"\t%t15 = call 1                   # map_lookup_elem\n"
		"\tjnz %t15, @b1, @b2\n"
		"@b1\n"
		"\tret %t12\n"
		"@b2\n"
		"\tret 0\n"
		"}\n");
	free(buf);
	dl_arena_destroy(a);
}

/* ---- the checker ----------------------------------------------------------- */

Test(ir, check_catches_bad_ir)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ HDR("lowered") "@b0\n\t%t11 = add %t12, 1\n\tret %t11\n}\n",
		  "%t12 may be read before" },
		{ HDR("lowered") "@b0\n\tjnz %r1, @b1, @b2\n@b1\n"
		  "\t%t11 = copy 1\n\tjmp @b2\n@b2\n\tret %t11\n}\n",
		  "%t11 may be read before" },
		{ HDR("lowered") "@b0\n\t%t11 = copy 1\n}\n",
		  "not terminated" },
		{ HDR("allocated") "@b0\n\t%t11 = copy 1\n\t%r0 = copy %t11\n"
		  "\tret %r0\n}\n", "virtual %t11 after register allocation" },
		{ HDR("selected") "@b0\n\t%t11 = copy %r1\n"
		  "\t%t12 = add %t11, 1\n\t%r0 = copy %t12\n\tret %r0\n}\n",
		  "not two-address" },
		{ HDR("selected") "@b0\n\t%t11 = copy %r1\n"
		  "\t%t11 = add %t11, 4294967296\n\t%r0 = copy %t11\n"
		  "\tret %r0\n}\n", "not a register or imm32" },
		{ HDR("selected") "@b0\n\t%t11 = copy %r1\n"
		  "\t%t11 = shl %t11, 64\n\t%r0 = copy %t11\n\tret %r0\n}\n",
		  "shift by 64" },
		{ HDR("selected") "@b0\n\t%t11 = copy %r1\n"
		  "\t%t11 = udiv %t11, 0\n\t%r0 = copy %t11\n\tret %r0\n}\n",
		  "division by the constant 0" },
		{ HDR("selected") "@b0\n\t%t11 = copy %r1\n"
		  "\t%t12 = sdiv %t11, 3\n\t%r0 = copy %t12\n\tret %r0\n}\n",
		  "not allowed after isel" },
		{ HDR("selected") "@b0\n\t%r0 = copy 1\n\tret 0\n}\n",
		  "ret of something else than r0" },
		{ HDR("selected") "@b0\n\t%t11 = load8 %r1, 40000\n"
		  "\t%r0 = copy %t11\n\tret %r0\n}\n", "does not fit 16 bits" },
		{ HDR("lowered") "@b0\n\tjcmp eq %r1, 0, @b0, @b0\n}\n",
		  "jcmp before isel" },
		{ HDR("lowered") "@b0\n\targ 1\n\tret 0\n}\n",
		  "arg without a call" },
		{ HDR("lowered") "@b0\n\targ 1\n\targ 1\n\targ 1\n\targ 1\n"
		  "\targ 1\n\targ 1\n\tcall 6\n\tret 0\n}\n",
		  "more than 5 arguments" },
		{ HDR("lowered") "@b0\n\t%r10 = copy 1\n\tret 0\n}\n",
		  "read-only frame pointer" },
		{ HDR("selected") "@b0\n\t%r1 = copy 0\n\t%r0 = call 14\n"
		  "\t%r0 = copy %r1\n\tret %r0\n}\n",
		  "r1 read after the call clobbered it" },
		{ HDR("allocated") "@b0\n\t%r0 = copy %r6\n\tret %r0\n}\n",
		  "%r6 may be read before" },
		{ HDR("selected") "@b0\n\t%r1 = copy %r1\n\t%r0 = call 1\n"
		  "\tret %r0\n}\n", "%r2 may be read before" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = tir_check_err(cases[i].text);
		cr_expect(strstr(err, cases[i].msg) != NULL,
			  "case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
	}
}

Test(ir, check_bad_jump_target)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = ir_func_new(a, "f"), *other = ir_func_new(a, "g");
	ir_blk_t *b = ir_blk_new(fn), *elsewhere = ir_blk_new(other);
	char err[256];

	ir_ret(elsewhere, ir_con(other, 0));
	ir_jmp(b, elsewhere);
	elsewhere->id = 7;
	cr_assert_eq(ir_check(fn, err, sizeof(err)), -1);
	cr_expect(strstr(err, "not a block of this function") != NULL, "%s",
		  err);
	ir_jnz(b, ir_reg(1), b, NULL);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), -1);
	ir_jmp(b, b);
	cr_expect_eq(ir_check(fn, err, sizeof(err)), 0, "%s", err);
	ir_emit(fn, b, IR_STORE8, IR_NONE, ir_reg(IR_FP), IR_NONE);
	cr_assert_eq(ir_check(fn, err, sizeof(err)), -1);
	cr_expect(strstr(err, "operand 1 missing") != NULL, "%s", err);
	dl_arena_destroy(a);
}

Test(ir, check_accepts_joins_of_multiply_defined_temps)
{
	const char *text = HDR("lowered")
		"@b0\n\t%t11 = load8 %r1, 0\n\tjnz %t11, @b1, @b2\n"
		"@b1\n\t%t12 = copy 1\n\tjmp @b3\n"
		"@b2\n\t%t12 = copy 2\n\tjmp @b3\n"
		"@b3\n\tret %t12\n}\n";
	cr_expect_str_eq(tir_check_err(text), "");
}

/* ---- liveness ------------------------------------------------------------ */

Test(ir, liveness_across_blocks_and_calls)
{
	dl_arena_t *a = dl_arena_create();
	char err[256];
	ir_func_t *fn = ir_parse(a, HDR("selected")
		"@b0\n\t%t11 = copy %r1\n\t%t12 = load8 %t11, 0\n"
		"\t%r0 = call 14\n\tjcmp eq %t12, 0, @b1, @b2\n"
		"@b1\n\t%r0 = copy %t11\n\tret %r0\n"
		"@b2\n\t%r1 = copy %t12\n\t%r0 = call 6\n\tret %r0\n}\n",
		err, sizeof(err));

	cr_assert_not_null(fn, "%s", err);
	ir_liveness(fn);
	const ir_blk_t *b0 = fn->blks[0], *b1 = fn->blks[1], *b2 = fn->blks[2];
	cr_expect(ir_tset_has(&b0->live_in, 1));
	cr_expect(!ir_tset_has(&b0->live_in, 11));
	cr_expect(ir_tset_has(&b0->live_out, 11));
	cr_expect(ir_tset_has(&b0->live_out, 12));
	cr_expect(ir_tset_has(&b1->live_in, 11));
	cr_expect(!ir_tset_has(&b1->live_in, 12));
	cr_expect(ir_tset_has(&b2->live_in, 12));
	/* trace_printk reads r1..r5: the call makes them live, the copy
	   into r1 ends r1's liveness */
	cr_expect(!ir_tset_has(&b2->live_in, 1));
	cr_expect(ir_tset_has(&b2->live_in, 3));
	ir_preds(fn);
	cr_expect_eq(b1->npreds, 1);
	cr_expect_eq(b1->preds[0], 0);
	dl_arena_destroy(a);
}

/* ---- constant evaluation ---------------------------------------------------- */

Test(ir, eval_matches_c_and_bpf_rules)
{
	static const struct { ir_op_t op; int64_t a, b, want; } cases[] = {
		{ IR_ADD, INT64_MAX, 1, INT64_MIN },
		{ IR_SUB, INT64_MIN, 1, INT64_MAX },
		{ IR_MUL, 0x100000000LL, 0x100000000LL, 0 },
		{ IR_UDIV, -1, 2, INT64_MAX },
		{ IR_UDIV, 7, 0, 0 },
		{ IR_UREM, 7, 0, 7 },
		{ IR_UREM, -1, 10, 5 },
		{ IR_SDIV, -7, 2, -3 },
		{ IR_SDIV, 7, -2, -3 },
		{ IR_SDIV, INT64_MIN, -1, INT64_MIN },
		{ IR_SDIV, -5, 0, 0 },
		{ IR_SREM, -7, 2, -1 },
		{ IR_SREM, 7, -2, 1 },
		{ IR_SREM, INT64_MIN, -1, 0 },
		{ IR_SREM, -5, 0, -5 },
		{ IR_SHL, 1, 65, 2 },
		{ IR_SHR, -1, 60, 15 },
		{ IR_SAR, INT64_MIN, 63, -1 },
		{ IR_SAR, -16, 66, -4 },
		{ IR_NEG, INT64_MIN, 0, INT64_MIN },
		{ IR_SEXT8, 0x80, 0, -128 },
		{ IR_SEXT16, 0x17fff, 0, 0x7fff },
		{ IR_SEXT32, 0xffffffffLL, 0, -1 },
		{ IR_ZEXT8, -1, 0, 255 },
		{ IR_ZEXT16, -1, 0, 65535 },
		{ IR_ZEXT32, -1, 0, 0xffffffffLL },
		{ IR_CULT, -1, 1, 0 },
		{ IR_CSLT, -1, 1, 1 },
		{ IR_CUGE, 0, 0, 1 },
		{ IR_CSGT, INT64_MIN, INT64_MAX, 0 },
		{ IR_CULE, 5, 5, 1 },
		{ IR_CSGE, -3, -3, 1 },
		{ IR_CUGT, -1, 0, 1 },
		{ IR_CSLE, 0, -1, 0 },
		{ IR_CEQ, 4, 4, 1 },
		{ IR_CNE, 4, 4, 0 },
		{ IR_AND, 0xf0, 0x3c, 0x30 },
		{ IR_OR, 0xf0, 0x0f, 0xff },
		{ IR_XOR, 0xff, 0x0f, 0xf0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(ir_eval(cases[i].op, cases[i].a, cases[i].b),
			     cases[i].want, "case %zu (%s)", i,
			     ir_opinfo[cases[i].op].text);
	cr_expect_eq(ir_cmp_mirror(IR_CULT), IR_CUGT);
	cr_expect_eq(ir_cmp_mirror(IR_CSGE), IR_CSLE);
	cr_expect_eq(ir_cmp_negate(IR_CULT), IR_CUGE);
	cr_expect_eq(ir_cmp_negate(IR_CSGT), IR_CSLE);
	cr_expect_eq(ir_cmp_negate(IR_CEQ), IR_CNE);
}

/* ---- ir_fold ------------------------------------------------------------- */

Test(ir, fold_identities_and_constants)
{
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = add %t11, 0\n"
		"\t%t13 = mul %t12, 1\n"
		"\t%t14 = mul %t13, 0\n"
		"\t%t15 = and %t13, 0\n"
		"\t%t16 = or %t13, 0\n"
		"\t%t17 = xor %t16, 0\n"
		"\t%t18 = shl %t17, 64\n"
		"\t%t19 = shr %t18, 0\n"
		"\t%t20 = sar %t19, 128\n"
		"\t%t21 = sub %t20, %t20\n"
		"\t%t22 = xor %t20, %t20\n"
		"\t%t23 = udiv %t20, 1\n"
		"\t%t24 = urem %t23, 1\n"
		"\t%t25 = sdiv %t23, -1\n"
		"\t%t26 = srem %t25, 0\n"
		"\t%t27 = mul %t26, 16\n"
		"\t%t28 = udiv %t27, 8\n"
		"\t%t29 = urem %t28, 8\n"
		"\t%t30 = sub %t29, 5\n"
		"\t%t31 = add 3, %t30\n"
		"\t%t32 = cult 3, %t31\n"
		"\t%t33 = sub 0, %t32\n"
		"\t%t34 = shl 0, %t33\n"
		"\t%t35 = or %t33, -1\n"
		"\t%t36 = and %t35, -1\n"
		"\t%t37 = cule %t36, %t36\n"
		"\t%t38 = cugt %t11, 0\n"
		"\t%t39 = cult %t11, 0\n"
		"\tstore8 %r10, -8, %t14\n"
		"\tstore8 %r10, -16, %t15\n"
		"\tstore8 %r10, -24, %t21\n"
		"\tstore8 %r10, -32, %t22\n"
		"\tstore8 %r10, -40, %t24\n"
		"\tstore8 %r10, -48, %t34\n"
		"\tstore8 %r10, -56, %t37\n"
		"\tstore8 %r10, -64, %t38\n"
		"\tstore8 %r10, -72, %t39\n"
		"\tret %t36\n"
		"}\n", ir_fold, HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = copy %t11\n"
		"\t%t13 = copy %t11\n"
		"\t%t14 = copy 0\n"
		"\t%t15 = copy 0\n"
		"\t%t16 = copy %t11\n"
		"\t%t17 = copy %t11\n"
		"\t%t18 = copy %t11\n"
		"\t%t19 = copy %t11\n"
		"\t%t20 = copy %t11\n"
		"\t%t21 = copy 0\n"
		"\t%t22 = copy 0\n"
		"\t%t23 = copy %t11\n"
		"\t%t24 = copy 0\n"
		"\t%t25 = neg %t11\n"
		"\t%t26 = copy %t25\n"
		"\t%t27 = shl %t25, 4\n"
		"\t%t28 = shr %t27, 3\n"
		"\t%t29 = and %t28, 7\n"
		"\t%t30 = add %t29, -5\n"
		"\t%t31 = add %t29, -2\n"
		"\t%t32 = cugt %t31, 3\n"
		"\t%t33 = neg %t32\n"
		"\t%t34 = copy 0\n"
		"\t%t35 = copy -1\n"
		"\t%t36 = copy -1\n"
		"\t%t37 = copy 1\n"
		"\t%t38 = cne %t11, 0\n"
		"\t%t39 = copy 0\n"
		"\tstore8 %r10, -8, 0\n"
		"\tstore8 %r10, -16, 0\n"
		"\tstore8 %r10, -24, 0\n"
		"\tstore8 %r10, -32, 0\n"
		"\tstore8 %r10, -40, 0\n"
		"\tstore8 %r10, -48, 0\n"
		"\tstore8 %r10, -56, 1\n"
		"\tstore8 %r10, -64, %t38\n"
		"\tstore8 %r10, -72, 0\n"
		"\tret -1\n"
		"}\n");
}

/* Every operation on constants folds to its BPF value. */
Test(ir, fold_evaluates_every_op)
{
	static const struct { const char *op; int64_t a, b, want; } cases[] = {
		{ "add", 5, -7, -2 }, { "sub", 5, 7, -2 }, { "mul", -3, 7, -21 },
		{ "udiv", -2, 2, INT64_MAX }, { "udiv", 9, 0, 0 },
		{ "urem", 9, 0, 9 }, { "urem", 9, 4, 1 },
		{ "sdiv", -9, 2, -4 }, { "sdiv", INT64_MIN, -1, INT64_MIN },
		{ "sdiv", 9, 0, 0 }, { "srem", -9, 2, -1 }, { "srem", -9, 0, -9 },
		{ "srem", INT64_MIN, -1, 0 }, { "and", 12, 10, 8 },
		{ "or", 12, 10, 14 }, { "xor", 12, 10, 6 }, { "shl", 3, 66, 12 },
		{ "shr", -8, 61, 7 }, { "sar", -8, 65, -4 },
		{ "ceq", 3, 3, 1 }, { "cne", 3, 3, 0 }, { "cult", -1, 0, 0 },
		{ "cule", 0, -1, 1 }, { "cugt", -1, 0, 1 }, { "cuge", 0, 1, 0 },
		{ "cslt", -1, 0, 1 }, { "csle", 0, 0, 1 }, { "csgt", -1, 0, 0 },
		{ "csge", 1, 0, 1 },
	};
	static const struct { const char *op; int64_t a, want; } unary[] = {
		{ "neg", 5, -5 }, { "sext8", 0xff, -1 }, { "sext16", 0x8000, -32768 },
		{ "sext32", 0x7fffffff, 0x7fffffff }, { "zext8", -1, 0xff },
		{ "zext16", 0x12345, 0x2345 }, { "zext32", -1, 0xffffffffLL },
		{ "copy", 42, 42 }, { "ldi64", INT64_MIN, INT64_MIN },
	};
	char in[256], want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(in, sizeof(in), HDR("lowered") "@b0\n"
			 "\t%%t11 = %s %lld, %lld\n\tret %%t11\n}\n",
			 cases[i].op, (long long)cases[i].a, (long long)cases[i].b);
		snprintf(want, sizeof(want), HDR("lowered") "@b0\n"
			 "\t%%t11 = copy %lld\n\tret %lld\n}\n",
			 (long long)cases[i].want, (long long)cases[i].want);
		tir_expect(in, ir_fold, want);
	}
	for (size_t i = 0; i < sizeof(unary) / sizeof(unary[0]); i++) {
		snprintf(in, sizeof(in), HDR("lowered") "@b0\n"
			 "\t%%t11 = %s %lld\n\tret %%t11\n}\n",
			 unary[i].op, (long long)unary[i].a);
		snprintf(want, sizeof(want), HDR("lowered") "@b0\n"
			 "\t%%t11 = copy %lld\n\tret %lld\n}\n",
			 (long long)unary[i].want, (long long)unary[i].want);
		tir_expect(in, ir_fold, want);
	}
}

Test(ir, fold_propagates_within_blocks_and_folds_addresses)
{
	/* t19/t20 are written on both arms: only per-block propagation may
	   touch them; t13/t14 are single-definition address arithmetic */
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load8 %t11, 8\n"
		"\t%t13 = add %r10, -16\n"
		"\t%t14 = add %t13, 4\n"
		"\tstore4 %t14, 0, %t12\n"
		"\t%t15 = load4 %t13, 4\n"
		"\t%t16 = copy 7\n"
		"\t%t17 = copy %t16\n"
		"\t%t18 = mul %t17, %t16\n"
		"\tjnz %t12, @b1, @b2\n"
		"@b1\n"
		"\t%t19 = copy %t15\n"
		"\t%t20 = copy 1\n"
		"\tjmp @b3\n"
		"@b2\n"
		"\t%t19 = copy %t18\n"
		"\t%t20 = copy 0\n"
		"\tjmp @b3\n"
		"@b3\n"
		"\t%t21 = add %t19, %t20\n"
		"\t%t20 = copy %t21\n"
		"\t%t22 = add %t20, %t19\n"
		"\t%t19 = copy 5\n"
		"\t%t23 = add %t20, %t19\n"
		"\tjnz %t18, @b4, @b5\n"
		"@b4\n"
		"\t%t24 = add %t22, %t23\n"
		"\tret %t24\n"
		"@b5\n"
		"\tret 0\n"
		"}\n", ir_fold, HDR("lowered")
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load8 %t11, 8\n"
		"\t%t13 = add %r10, -16\n"
		"\t%t14 = add %r10, -12\n"
		"\tstore4 %r10, -12, %t12\n"
		"\t%t15 = load4 %r10, -12\n"
		"\t%t16 = copy 7\n"
		"\t%t17 = copy 7\n"
		"\t%t18 = copy 49\n"
		"\tjnz %t12, @b1, @b2\n"
		"@b1\n"
		"\t%t19 = copy %t15\n"
		"\t%t20 = copy 1\n"
		"\tjmp @b3\n"
		"@b2\n"
		"\t%t19 = copy 49\n"
		"\t%t20 = copy 0\n"
		"\tjmp @b3\n"
		"@b3\n"
		"\t%t21 = add %t19, %t20\n"
		"\t%t20 = copy %t21\n"
		"\t%t22 = add %t21, %t19\n"
		"\t%t19 = copy 5\n"
		"\t%t23 = add %t21, 5\n"
		"\tjmp @b4\n"
		"@b4\n"
		"\t%t24 = add %t22, %t23\n"
		"\tret %t24\n"
		"@b5\n"
		"\tret 0\n"
		"}\n");
}

Test(ir, fold_keeps_physical_registers_and_calls)
{
	/* r1 is clobbered by the call: its copy must not be propagated */
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = call 5\n"
		"\t%t13 = load8 %t11, 0\n"
		"\t%t12 = copy %t13\n"
		"\t%t14 = call 7\n"
		"\t%t15 = add %t12, %t14\n"
		"\tret %t15\n"
		"}\n", ir_fold, HDR("lowered")
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = call 5                   # ktime_get_ns\n"
		"\t%t13 = load8 %t11, 0\n"
		"\t%t12 = copy %t13\n"
		"\t%t14 = call 7                   # get_prandom_u32\n"
		"\t%t15 = add %t13, %t14\n"
		"\tret %t15\n"
		"}\n");
}

Test(ir, fold_branches_on_constants)
{
	dl_arena_t *a = dl_arena_create();
	ir_func_t *fn = ir_func_new(a, "f");
	ir_blk_t *b0 = ir_blk_new(fn), *b1 = ir_blk_new(fn), *b2 = ir_blk_new(fn);

	/* a JCMP on two constants, in any stage */
	fn->stage = IR_STAGE_SELECTED;
	b0->jmp = (ir_jump_t){ .kind = IR_J_JCMP, .cmp = IR_CSGT,
			       .arg = { ir_con(fn, -1), ir_con(fn, 3) },
			       .s1 = b1, .s2 = b2 };
	ir_ret(b1, ir_reg(0));
	ir_ret(b2, ir_reg(0));
	ir_fold(fn);
	cr_expect_eq(b0->jmp.kind, IR_J_JMP);
	cr_expect_eq(b0->jmp.s1, b2);
	dl_arena_destroy(a);

	tir_expect(HDR("lowered")
		"@b0\n\t%t11 = ceq 1, 2\n\tjnz %t11, @b1, @b2\n"
		"@b1\n\tret 1\n@b2\n\tret 2\n}\n", ir_fold, HDR("lowered")
		"@b0\n\t%t11 = copy 0\n\tjmp @b2\n"
		"@b1\n\tret 1\n@b2\n\tret 2\n}\n");
}

/* ---- ir_dce -------------------------------------------------------------- */

Test(ir, dce_removes_dead_code_and_blocks)
{
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load8 %t11, 0\n"
		"\t%t13 = add %t12, 1\n"
		"\t%t14 = call 5\n"
		"\t%t15 = call 7\n"
		"\tjnz %t12, @fwd, @b2\n"
		"@fwd\n\tjmp @fwd2\n"
		"@fwd2\n\tjmp @b3\n"
		"@b2\n\t%t16 = mul %t13, 3\n\tjnz %t16, @b4, @b4\n"
		"@b4\n\tjmp @b3\n"
		"@b3\n\t%t17 = copy %t15\n\tret %t17\n"
		"@dead\n\t%t18 = copy %t13\n\tret %t18\n"
		"}\n", ir_dce, HDR("lowered")
		"@b0\n"
		"\tcall 5                          # ktime_get_ns\n"
		"\t%t15 = call 7                   # get_prandom_u32\n"
		"\t%t17 = copy %t15\n"
		"\tret %t17\n"
		"}\n");
}

Test(ir, dce_threads_jumps_and_keeps_stores)
{
	tir_expect("function f stage lowered frame 8 {\n"
		"@b0\n\t%t11 = load8 %r1, 0\n\tjnz %t11, @b1, @b2\n"
		"@b1\n\t%t12 = add %t11, 1\n\tstore8 %r10, -8, %t12\n"
		"\tjmp @out\n"
		"@b2\n\tjmp @out\n"
		"@out\n\tret 0\n"
		"}\n", ir_dce, "function f stage lowered frame 8 {\n"
		"@b0\n\t%t11 = load8 %r1, 0\n\tjnz %t11, @b1, @out\n"
		"@b1\n\t%t12 = add %t11, 1\n\tstore8 %r10, -8, %t12\n"
		"\tret 0\n"
		"@out\n\tret 0\n"
		"}\n");
}

Test(ir, dce_merges_straight_line_blocks)
{
	tir_expect(HDR("selected")
		"@b0\n\t%t11 = copy %r1\n\tjmp @b2\n"
		"@b1\n\t%r0 = copy %t12\n\tret %r0\n"
		"@b2\n\t%t12 = load8 %t11, 0\n\t%t13 = copy %t12\n\tjmp @b1\n"
		"}\n", ir_dce, HDR("selected")
		"@b0\n\t%t11 = copy %r1\n\t%t12 = load8 %t11, 0\n"
		"\t%r0 = copy %t12\n\tret %r0\n"
		"}\n");
}

/* ---- ir_isel ------------------------------------------------------------- */

Test(ir, isel_two_address_constants_memory_calls)
{
	tir_expect("function f stage lowered frame 8 {\n"
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load8 %t11, 0\n"
		"\t%t13 = sub 100, %t12\n"
		"\t%t14 = add 4294967296, %t12\n"
		"\t%t12 = sub %t13, %t12\n"
		"\tstore4 %r10, -8, 4294967295\n"
		"\tstore8 %r10, -8, -9223372036854775808\n"
		"\tstore1 %t11, 70000, 511\n"
		"\t%t20 = ldmap 2\n"
		"\targ %t20\n"
		"\targ %r1\n"
		"\targ %t14\n"
		"\targ 7\n"
		"\t%t21 = call 130\n"
		"\t%t22 = mul %t21, %t12\n"
		"\tret %t22\n"
		"}\n", ir_isel, "function f stage selected frame 8 {\n"
		"@b0\n"
		"\t%t11 = copy %r1\n"
		"\t%t12 = load8 %t11, 0\n"
		"\t%t13 = copy 100\n"
		"\t%t13 = sub %t13, %t12\n"
		"\t%t23 = ldi64 4294967296\n"
		"\t%t14 = copy %t12\n"
		"\t%t14 = add %t14, %t23\n"
		"\t%t24 = copy %t13\n"
		"\t%t24 = sub %t24, %t12\n"
		"\t%t12 = copy %t24\n"
		"\tstore4 %r10, -8, -1\n"
		"\t%t25 = ldi64 -9223372036854775808\n"
		"\tstore8 %r10, -8, %t25\n"
		"\t%t26 = copy %t11\n"
		"\t%t26 = add %t26, 70000\n"
		"\tstore1 %t26, 0, 255\n"
		"\t%t20 = ldmap 2\n"
		"\t%t27 = copy %r1\n"
		"\t%r1 = copy %t20\n"
		"\t%r2 = copy %t27\n"
		"\t%r3 = copy %t14\n"
		"\t%r4 = copy 7\n"
		"\t%r0 = call 130                  # ringbuf_output\n"
		"\t%t21 = copy %r0\n"
		"\t%t22 = copy %t21\n"
		"\t%t22 = mul %t22, %t12\n"
		"\t%r0 = copy %t22\n"
		"\tret %r0\n"
		"}\n");
}

Test(ir, isel_comparisons_fuse_or_split)
{
	/* csle feeds only the JNZ: fused; cult and cne are values: split */
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = load8 %r1, 8\n"
		"\t%t13 = csle %t11, %t12\n"
		"\t%t14 = cult 10, %t11\n"
		"\t%t15 = sext8 %t14\n"
		"\t%t16 = zext32 %t15\n"
		"\t%t17 = neg %t16\n"
		"\tstore8 %r1, 16, %t17\n"
		"\t%t18 = cne %t11, %t12\n"
		"\tjnz %t13, @b1, @b2\n"
		"@b1\n\tjnz %t18, @b2, @b3\n"
		"@b2\n\tret %t18\n"
		"@b3\n\tret 0\n"
		"}\n", ir_isel, HDR("selected")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = load8 %r1, 8\n"
		"\t%t19 = copy 1\n"
		"\tjcmp ugt %t11, 10, @b5, @b4\n"
		"@b4\n\t%t19 = copy 0\n\tjmp @b5\n"
		"@b5\n"
		"\t%t14 = copy %t19\n"
		"\t%t15 = copy %t14\n"
		"\t%t15 = shl %t15, 56\n"
		"\t%t15 = sar %t15, 56\n"
		"\t%t16 = zext32 %t15\n"
		"\t%t17 = copy %t16\n"
		"\t%t17 = neg %t17\n"
		"\tstore8 %r1, 16, %t17\n"
		"\t%t20 = copy 1\n"
		"\tjcmp ne %t11, %t12, @b7, @b6\n"
		"@b6\n\t%t20 = copy 0\n\tjmp @b7\n"
		"@b7\n"
		"\t%t18 = copy %t20\n"
		"\tjcmp sle %t11, %t12, @b1, @b2\n"
		"@b1\n\tjcmp ne %t18, 0, @b2, @b3\n"
		"@b2\n\t%r0 = copy %t18\n\tret %r0\n"
		"@b3\n\t%r0 = copy 0\n\tret %r0\n"
		"}\n");
}

Test(ir, isel_no_fusion_when_operand_changes)
{
	/* t11 is written between the comparison and the JNZ */
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = cslt %t11, -5\n"
		"\t%t11 = add %t11, 1\n"
		"\tstore8 %r1, 0, %t11\n"
		"\tjnz %t12, @b1, @b2\n"
		"@b1\n\tret 1\n"
		"@b2\n\tret 2\n"
		"}\n", ir_isel, HDR("selected")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t13 = copy 1\n"
		"\tjcmp slt %t11, -5, @b4, @b3\n"
		"@b3\n\t%t13 = copy 0\n\tjmp @b4\n"
		"@b4\n"
		"\t%t12 = copy %t13\n"
		"\t%t11 = add %t11, 1\n"
		"\tstore8 %r1, 0, %t11\n"
		"\tjcmp ne %t12, 0, @b1, @b2\n"
		"@b1\n\t%r0 = copy 1\n\tret %r0\n"
		"@b2\n\t%r0 = copy 2\n\tret %r0\n"
		"}\n");
}

Test(ir, isel_signed_division_expansion)
{
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = load8 %r1, 8\n"
		"\t%t13 = sdiv %t11, -4\n"
		"\t%t14 = srem %t11, %t12\n"
		"\t%t15 = add %t13, %t14\n"
		"\tret %t15\n"
		"}\n", ir_isel, HDR("selected")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = load8 %r1, 8\n"
		/* |a| and its sign */
		"\t%t16 = copy %t11\n"
		"\t%t16 = sar %t16, 63\n"
		"\t%t17 = copy %t11\n"
		"\t%t17 = xor %t17, %t16\n"
		"\t%t17 = sub %t17, %t16\n"
		/* |a| / 4, negated unless a < 0 */
		"\t%t18 = copy %t17\n"
		"\t%t18 = udiv %t18, 4\n"
		"\t%t19 = copy %t16\n"
		"\t%t19 = xor %t19, -1\n"
		"\t%t20 = copy %t18\n"
		"\t%t20 = xor %t20, %t19\n"
		"\t%t20 = sub %t20, %t19\n"
		"\t%t13 = copy %t20\n"
		/* srem: |a| % |b| with the sign of a */
		"\t%t21 = copy %t11\n"
		"\t%t21 = sar %t21, 63\n"
		"\t%t22 = copy %t11\n"
		"\t%t22 = xor %t22, %t21\n"
		"\t%t22 = sub %t22, %t21\n"
		"\t%t23 = copy %t12\n"
		"\t%t23 = sar %t23, 63\n"
		"\t%t24 = copy %t12\n"
		"\t%t24 = xor %t24, %t23\n"
		"\t%t24 = sub %t24, %t23\n"
		"\t%t25 = copy %t22\n"
		"\t%t25 = urem %t25, %t24\n"
		"\t%t26 = copy %t25\n"
		"\t%t26 = xor %t26, %t21\n"
		"\t%t26 = sub %t26, %t21\n"
		"\t%t14 = copy %t26\n"
		"\t%t15 = copy %t13\n"
		"\t%t15 = add %t15, %t14\n"
		"\t%r0 = copy %t15\n"
		"\tret %r0\n"
		"}\n");
}

Test(ir, isel_division_by_constant_zero_and_big_shifts)
{
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = udiv %t11, 0\n"
		"\t%t13 = urem %t11, 0\n"
		"\t%t14 = sdiv %t11, 0\n"
		"\t%t15 = srem %t11, 0\n"
		"\t%t16 = shl %t11, 65\n"
		"\tstore8 %r1, 0, %t12\n"
		"\tstore8 %r1, 8, %t13\n"
		"\tstore8 %r1, 16, %t14\n"
		"\tstore8 %r1, 24, %t15\n"
		"\tret %t16\n"
		"}\n", ir_isel, HDR("selected")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = copy 0\n"
		"\t%t13 = copy %t11\n"
		"\t%t14 = copy 0\n"
		"\t%t15 = copy %t11\n"
		"\t%t16 = copy %t11\n"
		"\t%t16 = shl %t16, 1\n"
		"\tstore8 %r1, 0, %t12\n"
		"\tstore8 %r1, 8, %t13\n"
		"\tstore8 %r1, 16, %t14\n"
		"\tstore8 %r1, 24, %t15\n"
		"\t%r0 = copy %t16\n"
		"\tret %r0\n"
		"}\n");
}

Test(ir, isel_comparisons_of_scalars_are_branch_free)
{
	/* t12 is arithmetic: no pointer, so its comparisons need no branch;
	   t11 comes from an 8-byte load and might be one */
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = xor %t11, 5\n"
		"\t%t13 = cslt %t12, 0\n"
		"\t%t14 = cne %t12, %t13\n"
		"\t%t15 = cuge %t12, %t13\n"
		"\t%t16 = add %t14, %t15\n"
		"\t%t17 = ceq %t11, 0\n"
		"\t%t18 = add %t16, %t17\n"
		"\tret %t18\n"
		"}\n", ir_isel, HDR("selected")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = copy %t11\n"
		"\t%t12 = xor %t12, 5\n"
		/* x < 0: the sign bit */
		"\t%t19 = copy %t12\n"
		"\t%t19 = shr %t19, 63\n"
		"\t%t13 = copy %t19\n"
		/* a != b: (d | -d) >> 63 */
		"\t%t21 = copy %t12\n"
		"\t%t21 = xor %t21, %t13\n"
		"\t%t20 = copy %t21\n"
		"\t%t20 = neg %t20\n"
		"\t%t20 = or %t20, %t21\n"
		"\t%t20 = shr %t20, 63\n"
		"\t%t14 = copy %t20\n"
		/* a >=u b: not the borrow of a - b */
		"\t%t22 = copy %t12\n"
		"\t%t22 = sub %t22, %t13\n"
		"\t%t23 = copy %t12\n"
		"\t%t23 = xor %t23, %t13\n"
		"\t%t23 = xor %t23, -1\n"
		"\t%t23 = and %t23, %t22\n"
		"\t%t24 = copy %t12\n"
		"\t%t24 = xor %t24, -1\n"
		"\t%t24 = and %t24, %t13\n"
		"\t%t23 = or %t23, %t24\n"
		"\t%t23 = shr %t23, 63\n"
		"\t%t23 = xor %t23, 1\n"
		"\t%t15 = copy %t23\n"
		"\t%t16 = copy %t14\n"
		"\t%t16 = add %t16, %t15\n"
		"\t%t25 = copy 1\n"
		"\tjcmp eq %t11, 0, @b2, @b1\n"
		"@b1\n\t%t25 = copy 0\n\tjmp @b2\n"
		"@b2\n"
		"\t%t17 = copy %t25\n"
		"\t%t18 = copy %t16\n"
		"\t%t18 = add %t18, %t17\n"
		"\t%r0 = copy %t18\n"
		"\tret %r0\n"
		"}\n");
}

Test(ir, dce_lays_out_fallthrough_chains)
{
	/* the taken side of a branch follows it; the join follows the arm
	   already laid out before it */
	tir_expect(HDR("lowered")
		"@b0\n\t%t11 = load8 %r1, 0\n\tjnz %t11, @ok, @fail\n"
		"@out\n\t%t13 = add %t12, 1\n\tret %t13\n"
		"@fail\n\t%t12 = copy 1\n\tjmp @out\n"
		"@ok\n\t%t12 = add %t11, 2\n\tjmp @out\n"
		"}\n", ir_dce, HDR("lowered")
		"@b0\n\t%t11 = load8 %r1, 0\n\tjnz %t11, @ok, @fail\n"
		"@ok\n\t%t12 = add %t11, 2\n\tjmp @out\n"
		"@out\n\t%t13 = add %t12, 1\n\tret %t13\n"
		"@fail\n\t%t12 = copy 1\n\tjmp @out\n"
		"}\n");
}

Test(ir, fold_comparison_results_are_booleans)
{
	/* the && pattern of the lowering: (b != 0) of a comparison is b */
	tir_expect(HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = cslt %t11, 5\n"
		"\t%t13 = cne %t12, 0\n"
		"\t%t14 = ceq %t12, 0\n"
		"\t%t15 = add %t13, %t14\n"
		"\tret %t15\n"
		"}\n", ir_fold, HDR("lowered")
		"@b0\n"
		"\t%t11 = load8 %r1, 0\n"
		"\t%t12 = cslt %t11, 5\n"
		"\t%t13 = copy %t12\n"
		"\t%t14 = xor %t12, 1\n"
		"\t%t15 = add %t12, %t14\n"
		"\tret %t15\n"
		"}\n");
}

/* Which comparisons isel may compute with ALU: not those that may see a
   pointer (r1, the frame, map values, BTF objects loaded from the
   context); values loaded from the stack or a map value are numbers. */
Test(ir, isel_knows_which_values_may_be_pointers)
{
	static const struct { const char *defs; bool branchy; } cases[] = {
		{ "\t%t20 = copy %r1\n", true },
		{ "\t%t20 = add %r10, -8\n", true },
		{ "\t%t20 = load8 %r1, 8\n", true },
		{ "\t%t19 = load8 %r1, 8\n\t%t20 = load8 %t19, 16\n", true },
		{ "\t%t20 = load8 %r10, -8\n", false },
		{ "\t%t20 = load4 %r1, 8\n", false },
		{ "\t%t19 = ldmap 0\n\t%t20 = add %t19, 8\n", true },
		{ "\t%t19 = ldmap 0\n\targ %t19\n\targ %r10\n\t%t18 = call 1\n"
		  "\t%t20 = load8 %t18, 0\n", false },
		{ "\t%t19 = ldmap 0\n\targ %t19\n\targ %r10\n\t%t20 = call 1\n",
		  true },
		{ "\t%t20 = call 14\n", false },
		{ "\t%t19 = load8 %r1, 0\n\t%t20 = mul %t19, 3\n", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char in[512];
		snprintf(in, sizeof(in), "function f stage lowered frame 8 {\n"
			 "@b0\n\tstore8 %%r10, -8, 0\n%s"
			 "\t%%t21 = cne %%t20, 7\n\tret %%t21\n}\n", cases[i].defs);
		char *got = tir_run(in, ir_isel);
		cr_expect_eq(strstr(got, "jcmp") != NULL, cases[i].branchy,
			     "case %zu:\n%s", i, got);
		free(got);
	}
}
