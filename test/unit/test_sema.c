/*
 * test_sema.c - the semantic pass and lowering: types of expressions, the
 * record layout of actions, DTrace's error tags and locations, and codegen
 * golden checks (the BPF a clause compiles to, by instruction count).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dlang.h"
#include "ir.h"
#include "tsm.h"

/* The type sema gives trace()'s argument. */
static const dl_type_t *tsm_trace_type(const char *expr, tsm_t *t)
{
	char src[256];

	snprintf(src, sizeof(src), "BEGIN { trace(%s); }", expr);
	*t = tsm_sema(src);
	cr_assert_eq(t->rc, 0, "%s: %s", expr, t->cx->err.msg);
	cr_assert_eq(t->clause.nacts, 1);
	return t->clause.acts[0].fields[0].type;
}

Test(sema, expression_types)
{
	static const struct {
		const char *expr, *type;
		unsigned size;
	} cases[] = {
		{ "1", "int", 4 },
		{ "1L", "long", 8 },
		{ "1U", "unsigned int", 4 },
		{ "0xffffffff", "unsigned int", 4 },
		{ "4294967296", "long", 8 },
		{ "1 + 2L", "long", 8 },
		{ "1U + 2", "unsigned int", 4 },
		{ "1U + 2L", "long", 8 },
		{ "(char)1 + (char)2", "int", 4 },
		{ "(unsigned char)1", "unsigned char", 1 },
		{ "1 < 2", "int", 4 },
		{ "1 && 2L", "int", 4 },
		{ "1L << 2", "long", 8 },
		{ "1 << 2L", "int", 4 },
		{ "pid", "pid_t", 4 },
		{ "timestamp", "uint64_t", 8 },
		{ "arg0", "int64_t", 8 },
		{ "execname", "string", 256 },
		{ "probefunc", "string", 256 },
		{ "1 ? 2 : 3L", "long", 8 },
		{ "sizeof (int)", "unsigned long", 8 },
		{ "(uint16_t)-1", "uint16_t", 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tsm_t t;
		const dl_type_t *ty = tsm_trace_type(cases[i].expr, &t);
		cr_expect_str_eq(ty->name, cases[i].type, "%s", cases[i].expr);
		cr_expect_eq(t.clause.acts[0].fields[0].size, cases[i].size,
			     "%s", cases[i].expr);
		dl_ctx_destroy(t.cx);
	}
}

Test(sema, record_layout)
{
	tsm_t t = tsm_sema("BEGIN { trace((char)1); trace(2L); "
			   "printf(\"%s %d\", execname, 3); exit(0); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	cr_assert_eq(t.clause.nacts, 4);
	/* header, then each value aligned to its size */
	cr_expect_eq(t.clause.acts[0].fields[0].off, DL_REC_DATA);
	cr_expect_eq(t.clause.acts[1].fields[0].off, DL_REC_DATA + 8);
	cr_expect_eq(t.clause.acts[2].nfields, 2);
	cr_expect_eq(t.clause.acts[2].fields[0].kind, DL_F_STRING);
	cr_expect_eq(t.clause.acts[2].fields[0].off, DL_REC_DATA + 16);
	cr_expect_eq(t.clause.acts[2].fields[1].off, DL_REC_DATA + 16 + 256);
	cr_expect_eq(t.clause.acts[3].kind, DL_ACT_EXIT);
	cr_expect_eq(t.clause.recsize % 8, 0);
	dl_ctx_destroy(t.cx);
}

Test(sema, sizeof_is_a_constant)
{
	tsm_t t;

	tsm_trace_type("sizeof (long long)", &t);
	dl_node_t *arg = t.clause.node->body->lhs->args;
	cr_expect_eq(arg->kind, ND_INT);
	cr_expect_eq(arg->ival, 8);
	dl_ctx_destroy(t.cx);
}

Test(sema, errors)
{
	tsm_expect_error("BEGIN { trace(execname + 1); }", D_OP_INT, 1, 15);
	tsm_expect_error("BEGIN { trace(1 == \"a\"); }", D_OP_INCOMPAT, 1, 15);
	tsm_expect_error("BEGIN { exit(); }", D_PROTO_LEN, 1, 9);
	tsm_expect_error("BEGIN { exit(\"a\"); }", D_PROTO_ARG, 1, 14);
	tsm_expect_error("BEGIN { nosuch(1); }", D_IDENT_UNDEF, 1, 9);
	tsm_expect_error("BEGIN { trace(x); }", D_IDENT_UNDEF, 1, 15);
	tsm_expect_error("BEGIN { trace(count); }", D_IDENT_BADREF, 1, 15);
	tsm_expect_error("BEGIN { x = trace(1); }", D_ACT_SPEC, 1, 13);
	tsm_expect_error("BEGIN { count(); }", D_CG_EXPR, 1, 9);
	tsm_expect_error("BEGIN { printf(\"%d\\n\"); }", D_PRINTF_ARG_PROTO, 1,
			 9);
	tsm_expect_error("BEGIN { printf(\"%d\\n\", 1, 2); }",
			 D_PRINTF_ARG_EXTRA, 1, 27);
	tsm_expect_error("BEGIN { printf(\"%s\\n\", 1); }", D_PRINTF_ARG_TYPE,
			 1, 24);
	tsm_expect_error("BEGIN { printf(\"%*d\\n\", \"a\", 1); }",
			 D_PRINTF_DYN_TYPE, 1, 25);
	tsm_expect_error("BEGIN { printf(\"%f\\n\", 1); }", D_UNSUPPORTED, 1,
			 16);
	tsm_expect_error("BEGIN\n{\n\ttrace(ipl);\n}", D_UNSUPPORTED, 3,
			 8);
	tsm_expect_error("BEGIN { trace((void)1); }", D_CAST_INVAL, 1, 15);
	tsm_expect_error("BEGIN { trace(sizeof (void)); }", D_SIZEOF_TYPE, 1,
			 15);
	tsm_expect_error("BEGIN { if (1) { trace(1); } }", D_UNSUPPORTED, 1,
			 18);
	tsm_expect_error("BEGIN { trace(execname < 1); }",
			 D_OP_INCOMPAT, 1, 15);
}

/* ---- lowering and the back end: codegen golden checks ---------------- */

Test(codegen, instruction_counts)
{
	static const tsm_ceiling_t cases[] = {
		{ "BEGIN { }", 31 },
		{ "BEGIN { exit(0); }", 32 },
		{ "BEGIN /arg0 == 1/ { trace(arg1); }", 38 },
		{ "BEGIN { trace(1 + 2 * 3 - (10 >> 1)); }", 32 },
		{ "BEGIN { trace(pid); trace(tid); trace(uid); }", 40 },
		{ "BEGIN /execname == \"sh\"/ { }", 53 },
		{ "BEGIN { printf(\"%d %s\", 1, probename); }", 47 },
	};

	tsm_expect_ceilings(cases, sizeof(cases) / sizeof(cases[0]));
}

Test(codegen, constants_fold_away)
{
	char *ir = NULL;

	tsm_codegen("BEGIN { trace(6 * 7); }", &ir);
	cr_assert_not_null(ir);
	/* lowering leaves the arithmetic; the IR shown is before folding,
	   but the stored value must be a constant once folded */
	cr_expect(strstr(ir, "mul") != NULL);
	free(ir);
	cr_expect_leq(tsm_codegen("BEGIN { trace(6 * 7); }", NULL),
		      tsm_codegen("BEGIN { trace(42); }", NULL));
}

Test(codegen, division_checks_for_zero)
{
	char *ir = NULL;

	tsm_codegen("BEGIN { trace(arg0 / arg1); }", &ir);
	cr_expect(strstr(ir, "ceq") != NULL, "%s", ir);
	/* the fault path writes a fault record */
	cr_expect(strstr(ir, "2147483648") != NULL, "%s", ir);
	free(ir);
}

Test(codegen, vtimestamp)
{
	tsm_t t;
	char *ir = NULL;

	cr_expect_str_eq(tsm_trace_type("vtimestamp", &t)->name, "uint64_t");
	cr_expect(t.clause.uses_vtime);
	dl_ctx_destroy(t.cx);
	t = tsm_sema("BEGIN { trace(timestamp); }");
	cr_expect(!t.clause.uses_vtime);
	dl_ctx_destroy(t.cx);
	/* the clause reads its thread's clock from the vtime map, creating
	   it (BPF_NOEXIST) when the thread has none yet */
	cr_expect_gt(tsm_codegen("BEGIN { trace(vtimestamp); }", &ir), 0);
	char want[32];
	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_VTIME);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	cr_expect(strstr(ir, "call 2") != NULL, "%s", ir);
	free(ir);
}

/* -x bufpolicy=fill: a clause that writes a record first takes its size
   (24 rounded to 8) from the CPU's DL_MAP_BUFLEFT; without fill, or
   without a record, nothing of it. */
static char *tsm_hooks_ir(const char *src, bool fill, bool guard,
			  bool preempt)
{
	tsm_t t = tsm_sema(src);
	dl_clause_t *cl = &t.clause;
	dl_strtab_t st = { 0 };
	dl_probeinfo_t pi = { "syscall", "vmlinux", "getppid", "entry" };
	dl_lowerhooks_t hooks = { .pvar = tsm_pvar, .probe_id = 4,
				  .probe = &pi, .fill = fill,
				  .guard = guard, .preempt = preempt };
	bpf_code_t code;
	char *ir = NULL;

	cr_assert_eq(t.rc, 0, "%s: %s", src, t.cx->err.msg);
	cr_assert_eq(dl_compile_program(t.cx, &cl, 1, &hooks, &st, "t", true,
					&ir, &code), 0, "%s", t.cx->err.msg);
	dl_ctx_destroy(t.cx);
	return ir;
}

Test(codegen, fill_policy)
{
	char want[32];
	char *ir = tsm_hooks_ir("BEGIN { trace(arg0); }", true, false, false);

	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_BUFLEFT);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	cr_expect(strstr(ir, "cugt 24") != NULL, "%s", ir);
	cr_expect(strstr(ir, "sub") != NULL, "%s", ir);
	free(ir);
	ir = tsm_hooks_ir("BEGIN { trace(arg0); }", false, false, false);
	cr_expect(strstr(ir, want) == NULL, "%s", ir);
	free(ir);
	ir = tsm_hooks_ir("BEGIN { x = arg0; }", true, false, false);
	cr_expect(strstr(ir, want) == NULL, "%s", ir);
	free(ir);
}

/* Under guard, the firing marks its CPU busy (DL_MAP_DROPS' DL_DROP_BUSY
   entry) once it knows the firing is its own, counts a DL_DROP_NESTED
   instead of running if the mark is set, and clears it when it leaves;
   without guard, no drops map at all for a clause that cannot drop. */
Test(codegen, nested_guard)
{
	char want[64];
	char *ir = tsm_hooks_ir("BEGIN { x = arg0; }", false, true, false);

	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_DROPS);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	snprintf(want, sizeof(want), "store4 %%r10, -8, %d", DL_DROP_BUSY);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	snprintf(want, sizeof(want), "store4 %%r10, -8, %d", DL_DROP_NESTED);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	cr_expect(strstr(ir, ", 0, 1\n") != NULL, "%s", ir);	/* set */
	cr_expect(strstr(ir, ", 0, 0\n\tret 0") != NULL, "%s", ir); /* clear */
	free(ir);
	ir = tsm_hooks_ir("BEGIN { x = arg0; }", false, false, false);
	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_DROPS);
	cr_expect(strstr(ir, want) == NULL, "%s", ir);
	free(ir);
	/* preemptible: the mark is set and its old value read in one
	   exchange, and no plain store sets it */
	ir = tsm_hooks_ir("BEGIN { x = arg0; }", false, true, true);
	cr_expect(strstr(ir, "= xchg8 1, ") != NULL, "%s", ir);
	cr_expect(strstr(ir, "\txadd8 1, ") != NULL, "%s", ir); /* drops */
	cr_expect(strstr(ir, ", 0, 1\n") == NULL, "%s", ir);
	cr_expect(strstr(ir, ", 0, 0\n\tret 0") != NULL, "%s", ir);
	free(ir);
}

Test(codegen, vtime_program)
{
	dl_ctx_t *cx = dl_ctx_create(&tsm_macros);
	bpf_code_t code;

	/* needs the kernel's BTF for task_struct.pid */
	cr_assert_eq(dl_compile_vtime(cx, true, &code), 0, "%s", cx->err.msg);
	cr_expect_gt(code.ninsns, 0);
	cr_expect_gt(code.nrelocs, 0);
	for (size_t i = 0; i < code.nrelocs; i++)
		cr_expect_eq(code.relocs[i].mapidx, DL_MAP_VTIME);
	dl_ctx_destroy(cx);
}

/* ---- variables: globals and this-> ------------------------------------ */

/* Check (and, if codegen, compile to BPF with the IR checker on) a whole
   program - declarations and clauses - in one context; returns it. */
static dl_ctx_t *tsm_prog(const char *src, bool codegen, int *rc)
{
	dl_ctx_t *cx = dl_ctx_create(&tsm_macros);
	dl_node_t *ast = NULL;
	dl_clause_t *cl[8];
	size_t n = 0;

	*rc = dl_compile_parse(cx, src, NULL, &ast);
	for (dl_node_t *d = ast; *rc == 0 && d != NULL; d = d->next) {
		if (d->kind == ND_DECL || d->kind == ND_TYPEDECL) {
			*rc = dl_compile_decl(cx, d);
			continue;
		}
		cr_assert_lt(n, 8);
		cl[n] = dl_alloc(cx->arena, sizeof(dl_clause_t));
		cl[n]->node = d;
		cl[n]->id = (uint32_t)n;
		*rc = dl_compile_clause(cx, cl[n++], 256);
	}
	if (*rc == 0 && codegen) {
		dl_strtab_t st = { 0 };
		dl_probeinfo_t pi = { "dtrace", "", "", "BEGIN" };
		dl_lowerhooks_t hooks = { .pvar = tsm_pvar, .probe_id = 1,
					  .probe = &pi };
		bpf_code_t code;
		*rc = dl_compile_program(cx, cl, n, &hooks, &st, "t", true,
					 NULL, &code);
	}
	return cx;
}

/* The type name of a variable in a table (globals, self->), "(none)". */
static const char *tsm_var_type(dl_vars_t *tab, const char *name)
{
	dl_dvar_t *v = dl_dvar_find(tab, name);

	return v == NULL ? "(none)" : v->tname;
}

Test(vars, global_types)
{
	int rc;
	dl_ctx_t *cx = tsm_prog("int a; uint64_t b;\n"
				"BEGIN { c = 1; d = 1L; e = 2u; a = 5L; }\n"
				"BEGIN { f++; g += 3; trace(c + d); }", true, &rc);

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	cr_expect_str_eq(tsm_var_type(cx->globals, "a"), "int");
	cr_expect_str_eq(tsm_var_type(cx->globals, "b"), "uint64_t");
	cr_expect_str_eq(tsm_var_type(cx->globals, "c"), "int");
	cr_expect_str_eq(tsm_var_type(cx->globals, "d"), "long");
	cr_expect_str_eq(tsm_var_type(cx->globals, "e"), "unsigned int");
	cr_expect_str_eq(tsm_var_type(cx->globals, "f"), "int");
	cr_expect_str_eq(tsm_var_type(cx->globals, "g"), "int");
	/* 8 bytes each, in order of first appearance */
	cr_expect_eq(dl_dvar_find(cx->globals, "c")->off, 16);
	cr_expect_eq(dl_globals_size(cx->globals), 7 * 8);
	dl_ctx_destroy(cx);
}

/* A declared array's map layout comes from its declaration: integer keys
   8 bytes (the declared type's size kept for printing), string keys
   strsize, after the thread id for a self-> array. */
Test(vars, assoc_declared)
{
	int rc;
	dl_ctx_t *cx = tsm_prog("short a[int, string, char *];\n"
				"self string b[uint8_t];\n"
				"BEGIN { a[1, \"x\", 0] = 1; }", true, &rc);

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	dl_assoc_t *a = dl_assoc_find(cx->assocs, "a", false);
	cr_assert_not_null(a);
	cr_expect(a->declared);
	cr_expect_str_eq(a->tname, "short");
	cr_expect_eq(a->valsize, 8);
	cr_expect_eq(a->tup.nkeys, 3);
	cr_expect_eq(a->tup.keys[0].tsize, 4);
	cr_expect(a->tup.keys[0].is_signed);
	cr_expect(a->tup.keys[1].is_str);
	cr_expect_eq(a->tup.keys[1].off, 8);
	cr_expect_eq(a->tup.keys[1].size, cx->strsize);
	cr_expect_str_eq(a->tup.keys[2].tname, "char *");
	cr_expect_eq(a->tup.keysize, 8 + cx->strsize + 8);
	dl_assoc_t *b = dl_assoc_find(cx->assocs, "b", true);
	cr_assert_not_null(b);
	cr_expect_eq(b->valsize, cx->strsize);
	cr_expect_eq(b->tup.keys[0].off, 8);
	cr_expect_eq(b->tup.keys[0].tsize, 1);
	cr_expect(!b->tup.keys[0].is_signed);
	cr_expect_eq(b->tup.keysize, 16);
	dl_ctx_destroy(cx);
}

Test(vars, codegen)
{
	static const char *const ok[] = {
		"BEGIN { x = 1; x += arg0; x -= 2; x *= 3; x /= 2; x %= 5; "
		"x <<= 1; x >>= 1; x &= 7; x |= 8; x ^= 1; trace(x); }",
		"BEGIN { x = 1; trace(x++); trace(++x); trace(x--); "
		"trace(--x); }",
		"BEGIN { x = 1; } BEGIN /x == 1/ { trace(x); }",
		"BEGIN { this->a = arg0; } BEGIN /this->a > 0/ "
		"{ this->a++; trace(this->a + 1); }",
		"BEGIN { this->a = 1; this->b = 2L; y = this->a + this->b; }",
		"char c; BEGIN { c = 300; trace(c); }",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc;
		dl_ctx_t *cx = tsm_prog(ok[i], true, &rc);
		cr_expect_eq(rc, 0, "%s: %s", ok[i], cx->err.msg);
		dl_ctx_destroy(cx);
	}
	char *ir = NULL;
	tsm_codegen("BEGIN { x = 1; trace(x); }", &ir);
	char want[32];
	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_GLOBALS);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	free(ir);
	tsm_codegen("BEGIN { this->x = 1; trace(this->x); }", &ir);
	cr_expect(strstr(ir, want) == NULL, "%s", ir);
	free(ir);
}

static void tsm_prog_error(const char *src, dl_tag_t tag, int col,
			   const char *msg)
{
	int rc;
	dl_ctx_t *cx = tsm_prog(src, false, &rc);

	cr_expect_eq(rc, -1, "%s: compiled", src);
	cr_expect_eq(cx->err.tag, tag, "%s: tag %s (%s)", src,
		     dl_tag_name(cx->err.tag), cx->err.msg);
	cr_expect_eq(cx->err.loc.col, col, "%s: col %d", src, cx->err.loc.col);
	if (msg != NULL)
		cr_expect_str_eq(cx->err.msg, msg, "%s", src);
	dl_ctx_destroy(cx);
}

Test(vars, errors)
{
	tsm_prog_error("BEGIN { x = 1; x = \"a\"; }", D_OP_INCOMPAT, 16,
		       "operands have incompatible types: \"int\" = "
		       "\"string\"");
	tsm_prog_error("BEGIN { 1 = 2; }", D_OP_LVAL, 9,
		       "operator = requires modifiable lvalue as an operand");
	tsm_prog_error("BEGIN { (1 + arg0)++; }", D_OP_LVAL, 10,
		       "operator ++ requires modifiable lvalue as an operand");
	tsm_prog_error("BEGIN { pid = 1; }", D_OP_WRITE, 9,
		       "operator = can only be applied to a writable "
		       "variable");
	tsm_prog_error("BEGIN { arg0 += 1; }", D_OP_WRITE, 9,
		       "operator += can only be applied to a writable "
		       "variable");
	tsm_prog_error("BEGIN { trace(y); } BEGIN { y = 1; }", D_IDENT_UNDEF,
		       15, "failed to resolve y: Unknown variable name");
	tsm_prog_error("BEGIN { trace(this->z); }", D_IDENT_UNDEF, 15,
		       "failed to resolve this->z: Unknown variable name");
	tsm_prog_error("BEGIN { s = \"a\"; s = 1; }", D_OP_INCOMPAT, 18,
		       "operands have incompatible types: \"string\" = "
		       "\"int\"");
	tsm_prog_error("BEGIN { s = \"a\"; s += 1; }", D_OP_INT, 18, NULL);
	tsm_prog_error("string s; BEGIN { s++; }", D_OP_SCALAR, 19, NULL);
	tsm_prog_error("int a[4];", D_UNSUPPORTED, 5, NULL);
	tsm_prog_error("int a[string]; BEGIN { a[1] = 2; }", D_PROTO_ARG, 26,
		       "a[ ] key #1 is incompatible with prototype:\n\t"
		       "prototype: string\n\t      key: int");
	tsm_prog_error("int a[int]; BEGIN { a[curthread] = 2; }", D_PROTO_ARG,
		       23, "a[ ] key #1 is incompatible with prototype:\n\t"
		       "prototype: int\n\t      key: struct task_struct *");
	tsm_prog_error("string a[int]; BEGIN { a[1] = 2; }", D_OP_INCOMPAT,
		       24, "operands have incompatible types: \"string\" = "
		       "\"int\"");
	tsm_prog_error("int a[int, string]; BEGIN { trace(a[1]); }",
		       D_PROTO_LEN, 35, "a[ ] prototype mismatch: 1 key "
		       "passed, 2 expected");
	tsm_prog_error("this int a[int];", D_DECL_LOCASSC, 10,
		       "associative arrays may not be declared as local "
		       "variables: a");
	tsm_prog_error("int a[int]; int a[string];", D_DECL_IDRED, 17,
		       "identifier redeclared: a\n\t current: array, key #1 "
		       "of type string\n\tprevious: array, key #1 of type "
		       "int");
	tsm_prog_error("int a[int]; long a[int];", D_DECL_IDRED, 18,
		       "identifier redeclared: a\n\t current: array long\n"
		       "\tprevious: array int");
	tsm_prog_error("int a; int a[int];", D_DECL_IDRED, 12,
		       "identifier redeclared: a\n\t current: array int\n"
		       "\tprevious: scalar int");
	tsm_prog_error("int a[void];", D_DECL_PROTO_TYPE, 7,
		       "array prototype may not use parameter of type void: "
		       "(anonymous), parameter #1");
	tsm_prog_error("int a[int, void];", D_DECL_PROTO_VOID, 12,
		       "void must be sole parameter");
	tsm_prog_error("BEGIN { a[1] = 1; a++; }", D_IDENT_BADREF, 19,
		       "array 'a' may not be referenced as scalar");
	tsm_prog_error("BEGIN { x = 1; x[1] = 2; }", D_IDENT_BADREF, 16,
		       "scalar 'x' may not be referenced as array");
	tsm_prog_error("BEGIN { trace(self->z); }", D_IDENT_UNDEF, 15,
		       "failed to resolve self->z: Unknown variable name");
	tsm_prog_error("BEGIN { a[1] = 1; a[\"x\"] = 2; }", D_PROTO_ARG, 21, NULL);
	tsm_prog_error("BEGIN { x = \"a\" + 1; }", D_OP_INT, 13, NULL);
	tsm_prog_error("BEGIN { x = 1; x += \"a\"; }", D_OP_INT, 21, NULL);
	tsm_prog_error("int x; long x;", D_DECL_IDRED, 13,
		       "identifier redeclared: x");
	tsm_prog_error("int pid;", D_DECL_IDRED, 5, NULL);
}

/* Struct and union variables take their type's size (8-aligned) and are
   bytes, not cells; what may be assigned to them and their members. */
Test(vars, structs)
{
	int rc;
	dl_ctx_t *cx = tsm_prog("struct p { int x; int y; char c; };\n"
				"struct p a; self struct p b;\n"
				"BEGIN { a.x = 1; a.y += 2; a.c++; n = 1; "
				"self->b = a; this->t = *curthread; "
				"trace(a); }", true, &rc);

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	dl_dvar_t *a = dl_dvar_find(cx->globals, "a");
	cr_expect_eq(a->size, 16);
	cr_expect(a->blob);
	cr_expect_eq(dl_dvar_find(cx->globals, "n")->off, 16);
	cr_expect(!dl_dvar_find(cx->globals, "n")->blob);
	cr_expect_str_eq(dl_dvar_find(&cx->thisvars, "t")->tname,
			 "struct task_struct");
	cr_expect_eq(dl_vars_strsize(cx->selfvars), 16);
	dl_ctx_destroy(cx);

	tsm_prog_error("struct p { int x; }; struct q { int x; }; "
		       "struct p a; struct q b; BEGIN { a = b; }",
		       D_OP_INCOMPAT, 75, "operands have incompatible types: "
		       "\"struct p\" = \"struct q\"");
	tsm_prog_error("struct p { int x; }; struct p a; BEGIN { a = 1; }",
		       D_OP_INCOMPAT, 42, NULL);
	tsm_prog_error("struct p { int x; }; struct p a; BEGIN { a += 1; }",
		       D_OP_INT, 42, NULL);
	tsm_prog_error("struct p { int x; }; struct p a; BEGIN { a.y = 1; }",
		       D_TYPE_MEMBER, 42, "y is not a member of struct p");
	tsm_prog_error("BEGIN { x.a = 1; }", D_IDENT_UNDEF, 9, NULL);
	tsm_prog_error("BEGIN { this->t = *curthread; this->t.comm = 1; }",
		       D_OP_INCOMPAT, 31, "operands have incompatible types: "
		       "\"string\" = \"int\"");
}

/* x.a[i] of arrays in struct variables: loads and stores, constant and
   variable indexes; a constant one out of range is D_ARR_BOUNDS; strings
   into char arrays; bit-field members. */
Test(vars, member_arrays_and_bitfields)
{
	int rc;
	dl_ctx_t *cx = tsm_prog("struct p { int a[4]; char n[8]; int b:3; };\n"
				"struct p g; self struct p s;\n"
				"BEGIN { g.a[1] = 2; g.a[arg0] += 3; "
				"self->s.a[arg1]++; g.n = \"x\"; g.b = -1; "
				"self->s.b++; trace(g.a[arg2] + g.b); }", true,
				&rc);

	cr_expect_eq(rc, 0, "%s", cx->err.msg);
	dl_ctx_destroy(cx);
	tsm_prog_error("struct p { int a[4]; }; struct p g; "
		       "BEGIN { g.a[4] = 1; }", D_ARR_BOUNDS, 49,
		       "index outside array bounds: 4, max is 4");
	tsm_prog_error("struct p { int a[4]; }; struct p g; "
		       "BEGIN { trace(g.a[-1]); }", D_ARR_BOUNDS, 55, NULL);
	tsm_prog_error("BEGIN { trace(curthread->comm[16]); }", D_ARR_BOUNDS,
		       31, NULL);
}

/* Stores through pointers compile (the address is checked when they run:
   scratch memory only); what they may store. */
Test(vars, pointer_stores)
{
	int rc;
	dl_ctx_t *cx = tsm_prog("struct p { int x; long y; };\n"
				"BEGIN { this->p = (struct p *)alloca(16); "
				"this->p->x = 1; this->p->y += 2; "
				"(*this->p).x++; this->q = (int *)this->p; "
				"this->q[1] = 3; *this->q = 4; "
				"curthread->pid = 5; }", true, &rc);

	cr_expect_eq(rc, 0, "%s", cx->err.msg);
	dl_ctx_destroy(cx);
	tsm_prog_error("BEGIN { curthread->comm = 1; }", D_OP_INCOMPAT, 9,
		       NULL);
	tsm_prog_error("struct p { int x; }; BEGIN { this->p = (struct p *)"
		       "alloca(4); *this->p = *curthread; }", D_OP_INCOMPAT,
		       63, NULL);
	tsm_prog_error("BEGIN { curthread->pid = \"x\"; }", D_OP_INCOMPAT, 9,
		       NULL);
}

/* ---- self-> variables ----------------------------------------------- */

Test(self, types)
{
	int rc;
	dl_ctx_t *cx = tsm_prog("self uint64_t a; self char c;\n"
				"BEGIN { self->b = 1L; self->d++; "
				"self->a = 1; }\n"
				"BEGIN /self->b/ { self->e += 2; "
				"trace(self->c); }", true, &rc);

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	cr_expect_str_eq(tsm_var_type(cx->selfvars, "a"), "uint64_t");
	cr_expect_str_eq(tsm_var_type(cx->selfvars, "c"), "char");
	cr_expect_str_eq(tsm_var_type(cx->selfvars, "b"), "long");
	cr_expect_str_eq(tsm_var_type(cx->selfvars, "d"), "int");
	cr_expect_str_eq(tsm_var_type(cx->selfvars, "e"), "int");
	/* varids: declaration order, then first assignment */
	cr_expect_eq(dl_dvar_find(cx->selfvars, "b") - cx->selfvars->vars, 2);
	/* self-> variables are not globals */
	cr_expect_eq(cx->globals->n, 0);
	dl_ctx_destroy(cx);
}

Test(self, codegen)
{
	static const char *const ok[] = {
		"BEGIN { self->x = 1; self->x += arg0; self->x -= 2; "
		"self->x *= 3; self->x /= 2; self->x %= 5; self->x <<= 1; "
		"self->x >>= 1; self->x &= 7; self->x |= 8; self->x ^= 1; "
		"trace(self->x); }",
		"BEGIN { self->x = 1; trace(self->x++); trace(++self->x); "
		"trace(self->x--); trace(--self->x); }",
		"BEGIN { self->ts = timestamp; } "
		"BEGIN /self->ts/ { trace(timestamp - self->ts); "
		"self->ts = 0; }",
		"BEGIN { self->a = 1; this->b = self->a; "
		"x = self->a + this->b; }",
		"self char c; BEGIN { self->c = 300; trace(self->c); }",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc;
		dl_ctx_t *cx = tsm_prog(ok[i], true, &rc);
		cr_expect_eq(rc, 0, "%s: %s", ok[i], cx->err.msg);
		dl_ctx_destroy(cx);
	}
	/* the map, a lookup, an update and a delete */
	char *ir = NULL, want[32];
	tsm_codegen("BEGIN { self->x = arg0; trace(self->x); }", &ir);
	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_SELF);
	cr_expect(strstr(ir, want) != NULL, "%s", ir);
	snprintf(want, sizeof(want), "ldmap %d", DL_MAP_GLOBALS);
	cr_expect(strstr(ir, want) == NULL, "%s", ir);
	cr_expect(strstr(ir, "call 2") != NULL, "%s", ir);
	cr_expect(strstr(ir, "call 3") != NULL, "%s", ir);
	free(ir);
}

Test(self, errors)
{
	tsm_prog_error("BEGIN { self->s = \"a\"; self->s = 2; }",
		       D_OP_INCOMPAT, 24, NULL);
	tsm_prog_error("self int x; self long x;", D_DECL_IDRED, 23,
		       "identifier redeclared: x");
	tsm_prog_error("BEGIN { self->x = 1; self->x = \"a\"; }",
		       D_OP_INCOMPAT, 22, NULL);
}

/* printf's %k records its stack() argument in place (8-aligned, the
   frames plus the ones skipped); a stack goes with %k only. */
Test(printf, k_of_a_stack)
{
	tsm_t t = tsm_sema("BEGIN { printf(\"%d%k\", 1, stack(5)); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	const dl_action_t *a = &t.clause.acts[0];
	cr_assert_eq(a->nfields, 2);
	cr_expect_eq(a->fields[1].kind, DL_F_STACK);
	cr_expect_eq(a->fields[1].off % 8, 0);
	cr_expect_eq(a->fields[1].size, (5 + DL_STACK_EXTRA) * 8);
	cr_expect_eq(t.clause.recsize, a->fields[1].off + a->fields[1].size);
	dl_ctx_destroy(t.cx);
	t = tsm_sema("BEGIN { printf(\"%k\", ustack(2)); }");
	cr_expect_eq(t.rc, 0, "%s", t.cx->err.msg);
	cr_expect_eq(t.clause.acts[0].fields[0].kind, DL_F_USTACK);
	dl_ctx_destroy(t.cx);
	tsm_expect_error("BEGIN { printf(\"%d\", stack()); }",
			 D_PRINTF_ARG_TYPE, 1, 22);
	tsm_expect_error("BEGIN { printf(\"%k\", 1); }", D_PRINTF_ARG_TYPE,
			 1, 22);
	tsm_expect_error("BEGIN { trace(stack()); }", D_ACT_SPEC, 1, 15);
}

/* printa's %a of a func()/sym() key, %A of a ufunc() key; %s of either
   is DTrace's type error. */
Test(printf, printa_symbol_keys)
{
	const char *const ok[] = {
		"BEGIN { @[func(0)] = count(); printa(\"%a %@d\", @); }",
		"BEGIN { @[sym(0), 1] = count(); printa(\"%-20a %d\", @); }",
		"BEGIN { @[ufunc(0)] = count(); printa(\"%A\", @); }",
		"BEGIN { @[func(0)] = count(); printa(\"%p\", @); }",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		tsm_t t = tsm_sema(ok[i]);
		cr_expect_eq(t.rc, 0, "%s: %s", ok[i], t.cx->err.msg);
		dl_ctx_destroy(t.cx);
	}
	tsm_expect_error("BEGIN { @[func(0)] = count(); printa(\"%s\", @); }",
			 D_PRINTF_ARG_TYPE, 1, 31);
	tsm_expect_error("BEGIN { @[ufunc(0)] = count(); printa(\"%d\", @); }",
			 D_UNSUPPORTED, 1, 39);
}
