/*
 * test_lex_parse.c - the D front end: lexer, grammar, tree dump, errors.
 *
 * Most tests parse a string and compare the -x tree dump (dl_ast_dump) with
 * the expected text; error tests compare tag, location and DTrace's wording.
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "dlang.h"

/* ---- helpers ------------------------------------------------------------ */

typedef struct lp_run {
	const char *file;		/* NULL: as for dtrace -n */
	const dl_macros_t *macros;
	const char *fail_option;	/* set_option fails for this name */
	char options[512];		/* "name=value;" per set_option call */
	bool is_type_kernel;		/* cx->is_type knows "u64", "vmlinux`u32" */
	bool used[16];			/* copy of cx->macro_used */
	dl_error_t err;
	char errfile[64];		/* err.loc.file (the arena is gone) */
	bool failed;
} lp_run_t;

static int lp_set_option(void *arg, const char *name, const char *value,
			 char *msg, size_t msgsz)
{
	lp_run_t *r = arg;
	size_t n = strlen(r->options);

	snprintf(r->options + n, sizeof(r->options) - n, "%s=%s;", name,
		 value != NULL ? value : "(null)");
	if (r->fail_option != NULL && strcmp(name, r->fail_option) == 0) {
		snprintf(msg, msgsz, "Invalid option name");
		return -1;
	}
	return 0;
}

static bool lp_is_type(void *arg, const char *scope, const char *name)
{
	if (scope == NULL)
		return strcmp(name, "u64") == 0;
	return strcmp(scope, "vmlinux") == 0 && strcmp(name, "u32") == 0;
}

/* Parse src; return its dump (malloc'd), or "error" with r->err filled. */
static char *lp_parse_run(const char *src, lp_run_t *r)
{
	dl_ctx_t *cx = calloc(1, sizeof(*cx));
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	jmp_buf jb;

	cx->arena = dl_arena_create();
	cx->macros = r->macros;
	cx->jmp = &jb;
	cx->set_option = lp_set_option;
	cx->set_option_arg = r;
	if (r->is_type_kernel)
		cx->is_type = lp_is_type;
	if (setjmp(jb) == 0) {
		dl_node_t *prog = dl_parse(cx, src, r->file);
		dl_ast_dump(f, prog);
	} else {
		r->failed = true;
		r->err = cx->err;
		snprintf(r->errfile, sizeof(r->errfile), "%s",
			 cx->err.loc.file != NULL ? cx->err.loc.file : "");
		r->err.loc.file = r->errfile;
		fputs("error", f);
	}
	for (int i = 0; r->macros != NULL && i < r->macros->argc && i < 16; i++)
		r->used[i] = cx->macro_used[i];
	fclose(f);
	dl_arena_destroy(cx->arena);
	free(cx);
	return out;
}

static char *lp_parse(const char *src)
{
	lp_run_t r = { 0 };

	return lp_parse_run(src, &r);
}

/* The dump of the body of "BEGIN { <stmts> }", without the clause lines. */
static char *lp_body(const char *stmts)
{
	char *src, *dump, *p;

	cr_assert(asprintf(&src, "BEGIN { %s }", stmts) > 0);
	dump = lp_parse(src);
	free(src);
	cr_assert(strncmp(dump, "clause\n  probedesc BEGIN\n  body:\n", 33) == 0,
		  "unexpected dump:\n%s", dump);
	p = strdup(dump + 33);
	free(dump);
	return p;
}

static void lp_expect(const char *src, const char *want)
{
	char *got = lp_parse(src);

	cr_assert_str_eq(got, want, "source: %s\ngot:\n%s\nwant:\n%s", src,
			 got, want);
	free(got);
}

static void lp_expect_body(const char *stmts, const char *want)
{
	char *got = lp_body(stmts);

	cr_assert_str_eq(got, want, "statements: %s\ngot:\n%s\nwant:\n%s",
			 stmts, got, want);
	free(got);
}

static void lp_expect_err_run(const char *src, lp_run_t *r, dl_tag_t tag,
			      int line, int col, const char *msg)
{
	char *got = lp_parse_run(src, r);

	cr_assert(r->failed, "no error for: %s\ngot:\n%s", src, got);
	cr_assert_eq(r->err.tag, tag, "tag %s, want %s for: %s (%s)",
		     dl_tag_name(r->err.tag), dl_tag_name(tag), src,
		     r->err.msg);
	cr_assert_str_eq(r->err.msg, msg, "source: %s", src);
	cr_assert_eq(r->err.loc.line, line, "line %d, want %d: %s",
		     r->err.loc.line, line, src);
	cr_assert_eq(r->err.loc.col, col, "col %d, want %d: %s",
		     r->err.loc.col, col, src);
	free(got);
}

static void lp_expect_err(const char *src, dl_tag_t tag, int line, int col,
			  const char *msg)
{
	lp_run_t r = { 0 };

	lp_expect_err_run(src, &r, tag, line, col, msg);
}

static void lp_expect_ok(const char *src)
{
	static char *argv[] = { "script.d" };
	static const dl_macros_t m = { .argc = 1, .argv = argv, .pid = 1,
				       .target = 4242 };
	lp_run_t r = { .file = "script.d", .macros = &m };
	char *got = lp_parse_run(src, &r);

	cr_assert(!r.failed, "%s:%d:%d: %s [%s]\n%s", r.err.loc.file,
		  r.err.loc.line, r.err.loc.col, r.err.msg,
		  dl_tag_name(r.err.tag), r.err.srcline);
	free(got);
}

/* ---- tables ------------------------------------------------------------- */

Test(lex_parse, names_tables_are_complete)
{
	for (int k = 0; k < ND_NKINDS; k++)
		cr_assert_str_neq(dl_nodekind_name((dl_nodekind_t)k), "?",
				  "node kind %d has no name", k);
	for (int op = 0; op < BOP_NOPS; op++)
		cr_assert_str_neq(dl_binop_name((dl_binop_t)op), "?");
	cr_assert_str_eq(dl_binop_name(BOP_SHL), "<<");
	cr_assert_str_eq(dl_binop_name(BOP_NONE), "");
	cr_assert_str_eq(dl_tag_name(D_SYNTAX), "D_SYNTAX");
	cr_assert_str_eq(dl_tag_name(D_MACRO_UNDEF), "D_MACRO_UNDEF");
	for (int t = 0; t < D_NTAGS; t++)
		cr_assert_not_null(dl_tag_name((dl_tag_t)t));
}

/* ---- expressions -------------------------------------------------------- */

Test(lex_parse, precedence_and_associativity)
{
	lp_expect_body("x = 1 + 2 * 3;",
		"    expr_stmt\n"
		"      assign =\n"
		"        ident x\n"
		"        binary +\n"
		"          int 1\n"
		"          binary *\n"
		"            int 2\n"
		"            int 3\n");
	lp_expect_body("a - b - c",
		"    expr_stmt\n"
		"      binary -\n"
		"        binary -\n"
		"          ident a\n"
		"          ident b\n"
		"        ident c\n");
	lp_expect_body("a = b += c",
		"    expr_stmt\n"
		"      assign =\n"
		"        ident a\n"
		"        assign +=\n"
		"          ident b\n"
		"          ident c\n");
	lp_expect_body("a ? b : c ? d : e",
		"    expr_stmt\n"
		"      ternary\n"
		"        ident a\n"
		"        ident b\n"
		"        ternary\n"
		"          ident c\n"
		"          ident d\n"
		"          ident e\n");
	lp_expect_body("a || b ^^ c && d | e ^ f & g == h < i << j + k * l",
		"    expr_stmt\n"
		"      logor\n"
		"        ident a\n"
		"        logxor\n"
		"          ident b\n"
		"          logand\n"
		"            ident c\n"
		"            binary |\n"
		"              ident d\n"
		"              binary ^\n"
		"                ident e\n"
		"                binary &\n"
		"                  ident f\n"
		"                  binary ==\n"
		"                    ident g\n"
		"                    binary <\n"
		"                      ident h\n"
		"                      binary <<\n"
		"                        ident i\n"
		"                        binary +\n"
		"                          ident j\n"
		"                          binary *\n"
		"                            ident k\n"
		"                            ident l\n");
	lp_expect_body("(a + b) * -c++",
		"    expr_stmt\n"
		"      binary *\n"
		"        binary +\n"
		"          ident a\n"
		"          ident b\n"
		"        unary -\n"
		"          postinc\n"
		"            ident c\n");
	lp_expect_body("a = 1, b = 2",
		"    expr_stmt\n"
		"      comma\n"
		"        assign =\n"
		"          ident a\n"
		"          int 1\n"
		"        assign =\n"
		"          ident b\n"
		"          int 2\n");
}

Test(lex_parse, every_binary_operator)
{
	static const char *const ops[] = {
		"*", "/", "%", "+", "-", "<<", ">>", "<", ">", "<=", ">=",
		"==", "!=", "&", "^", "|",
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char src[64], want[128];

		snprintf(src, sizeof(src), "a %s b", ops[i]);
		snprintf(want, sizeof(want), "    expr_stmt\n      binary %s\n"
			 "        ident a\n        ident b\n", ops[i]);
		lp_expect_body(src, want);
		snprintf(src, sizeof(src), "a %s= b", ops[i]);
		if (strchr("<>=!", ops[i][0]) != NULL && strlen(ops[i]) <= 2 &&
		    strcmp(ops[i], "<<") != 0 && strcmp(ops[i], ">>") != 0)
			continue;	/* not an assignment operator */
		snprintf(want, sizeof(want), "    expr_stmt\n      assign %s=\n"
			 "        ident a\n        ident b\n", ops[i]);
		lp_expect_body(src, want);
	}
	lp_expect_body("a && b || c ^^ d",
		"    expr_stmt\n"
		"      logor\n"
		"        logand\n"
		"          ident a\n"
		"          ident b\n"
		"        logxor\n"
		"          ident c\n"
		"          ident d\n");
}

Test(lex_parse, unary_and_postfix_operators)
{
	lp_expect_body("-a; +a; !a; ~a; *a; &a; ++a; --a; a++; a--",
		"    expr_stmt\n      unary -\n        ident a\n"
		"    expr_stmt\n      unary +\n        ident a\n"
		"    expr_stmt\n      unary !\n        ident a\n"
		"    expr_stmt\n      unary ~\n        ident a\n"
		"    expr_stmt\n      unary *\n        ident a\n"
		"    expr_stmt\n      unary &\n        ident a\n"
		"    expr_stmt\n      preinc\n        ident a\n"
		"    expr_stmt\n      predec\n        ident a\n"
		"    expr_stmt\n      postinc\n        ident a\n"
		"    expr_stmt\n      postdec\n        ident a\n");
	lp_expect_body("a[1, \"x\"].b->c",
		"    expr_stmt\n"
		"      ptrmember c\n"
		"        member b\n"
		"          index\n"
		"            ident a\n"
		"            int 1\n"
		"            str \"x\"\n");
}

Test(lex_parse, calls_members_and_special_forms)
{
	lp_expect_body("f(); g(1, a + 1); p->q.r",
		"    expr_stmt\n      call f\n"
		"    expr_stmt\n      call g\n        int 1\n"
		"        binary +\n          ident a\n          int 1\n"
		"    expr_stmt\n      member r\n        ptrmember q\n"
		"          ident p\n");
	lp_expect_body("sizeof (int); sizeof x; sizeof(x); stringof x",
		"    expr_stmt\n      sizeof_type int\n"
		"    expr_stmt\n      sizeof_expr\n        ident x\n"
		"    expr_stmt\n      sizeof_expr\n        ident x\n"
		"    expr_stmt\n      stringof\n        ident x\n");
	lp_expect_body("offsetof(struct foo, bar); xlate<struct psinfo *>(t)",
		"    expr_stmt\n      offsetof struct foo, bar\n"
		"    expr_stmt\n      xlate struct psinfo *\n        ident t\n");
	lp_expect_body("self->x = this->y[1]",
		"    expr_stmt\n      assign =\n        self x\n"
		"        index\n          this y\n          int 1\n");
}

Test(lex_parse, casts_and_type_names)
{
	lp_expect_body("(int)a; (unsigned long long)b; (struct task_struct *)c;"
		       "(uint64_t **)d; (const char *)e; (int (*)(int, ...))f;"
		       "(char *const *)g; (struct vmlinux`task_struct *)h;"
		       "(signed char)i; (short int)j; (string)k",
		"    expr_stmt\n      cast int\n        ident a\n"
		"    expr_stmt\n      cast unsigned long long\n        ident b\n"
		"    expr_stmt\n      cast struct task_struct *\n        ident c\n"
		"    expr_stmt\n      cast uint64_t **\n        ident d\n"
		"    expr_stmt\n      cast const char *\n        ident e\n"
		"    expr_stmt\n      cast int (*)(int, ...)\n        ident f\n"
		"    expr_stmt\n      cast char *const *\n        ident g\n"
		"    expr_stmt\n      cast struct vmlinux`task_struct *\n"
		"        ident h\n"
		"    expr_stmt\n      cast signed char\n        ident i\n"
		"    expr_stmt\n      cast short int\n        ident j\n"
		"    expr_stmt\n      cast string\n        ident k\n");
	lp_expect_body("sizeof (int *[4]); sizeof (char (*)[8])",
		"    expr_stmt\n      sizeof_type int *[4]\n"
		"    expr_stmt\n      sizeof_type char (*)[8]\n");
}

Test(lex_parse, type_names_versus_identifiers)
{
	/* a typedef used as a variable becomes one (DTrace's heuristic) */
	lp_expect_body("size_t = 1; x = size_t + 1",
		"    expr_stmt\n      assign =\n        ident size_t\n"
		"        int 1\n"
		"    expr_stmt\n      assign =\n        ident x\n"
		"        binary +\n          ident size_t\n          int 1\n");
	lp_expect_body("uint32_t[1] = 2",
		"    expr_stmt\n      assign =\n        index\n"
		"          ident uint32_t\n          int 1\n        int 2\n");
	/* member names that happen to be typedefs */
	lp_expect_body("p->pid_t + s.size_t",
		"    expr_stmt\n      binary +\n        ptrmember pid_t\n"
		"          ident p\n        member size_t\n          ident s\n");
	/* a program's typedef is a type from then on */
	lp_expect("typedef unsigned int my_t; BEGIN { x = (my_t)y; }",
		"decl typedef unsigned int my_t\n"
		"clause\n  probedesc BEGIN\n  body:\n    expr_stmt\n"
		"      assign =\n        ident x\n        cast my_t\n"
		"          ident y\n");
}

Test(lex_parse, kernel_types_through_is_type)
{
	lp_run_t r = { .is_type_kernel = true };
	char *got = lp_parse_run("BEGIN { a = (u64)x; b = (vmlinux`u32)y;"
				 " c = (u8)z; }", &r);

	cr_assert(r.failed);	/* (u8)z: u8 is not a type here */
	cr_assert_str_eq(r.err.msg, "syntax error near \"z\"");
	free(got);
	r = (lp_run_t){ .is_type_kernel = true };
	got = lp_parse_run("BEGIN { a = (u64)x; b = (vmlinux`u32 *)y; }", &r);
	cr_assert_str_eq(got,
		"clause\n  probedesc BEGIN\n  body:\n"
		"    expr_stmt\n      assign =\n        ident a\n"
		"        cast u64\n          ident x\n"
		"    expr_stmt\n      assign =\n        ident b\n"
		"        cast vmlinux`u32 *\n          ident y\n");
	free(got);
}

Test(lex_parse, backquote_scoping)
{
	lp_expect_body("x = `jiffies + vmlinux`max_pfn",
		"    expr_stmt\n      assign =\n        ident x\n"
		"        binary +\n          ident `jiffies\n"
		"          ident vmlinux`max_pfn\n");
}

/* ---- literals ----------------------------------------------------------- */

Test(lex_parse, integer_literals)
{
	lp_expect_body("0; 123; 0x1F; 0777; 10u; 10L; 10ul; 10LL; 10ull; 10LLU;"
		       "0xffffffff; 4294967295; 0x7fffffffffffffff;"
		       "0xffffffffffffffff; 18446744073709551615",
		"    expr_stmt\n      int 0\n"
		"    expr_stmt\n      int 123\n"
		"    expr_stmt\n      int 31\n"
		"    expr_stmt\n      int 511\n"
		"    expr_stmt\n      int 10u\n"
		"    expr_stmt\n      int 10l\n"
		"    expr_stmt\n      int 10ul\n"
		"    expr_stmt\n      int 10ll\n"
		"    expr_stmt\n      int 10ull\n"
		"    expr_stmt\n      int 10ull\n"
		"    expr_stmt\n      int 4294967295u\n"
		"    expr_stmt\n      int 4294967295\n"
		"    expr_stmt\n      int 9223372036854775807\n"
		"    expr_stmt\n      int 18446744073709551615u\n"
		"    expr_stmt\n      int 18446744073709551615u\n");
}

Test(lex_parse, character_constants)
{
	lp_expect_body("'a'; '\\n'; '\\0'; '\\''; '\\\\'; 'ab'; '\\x41'; '\\377'",
		"    expr_stmt\n      int 97\n"
		"    expr_stmt\n      int 10\n"
		"    expr_stmt\n      int 0\n"
		"    expr_stmt\n      int 39\n"
		"    expr_stmt\n      int 92\n"
		"    expr_stmt\n      int 24930\n"
		"    expr_stmt\n      int 65\n"
		"    expr_stmt\n      int 255\n");
}

Test(lex_parse, string_literals_and_escapes)
{
	lp_expect_body("\"hi\\n\\t\\\\\\\"\\a\\b\\f\\r\\v\"; \"\\101\\x42\\0z\";"
		       "\"\"; \"\\q\"",
		"    expr_stmt\n      str \"hi\\n\\t\\\\\\\"\\a\\b\\f\\r\\v\"\n"
		"    expr_stmt\n      str \"AB\\000z\"\n"
		"    expr_stmt\n      str \"\"\n"
		"    expr_stmt\n      str \"\\\\q\"\n");
}

Test(lex_parse, string_length_counts_nul_bytes)
{
	dl_ctx_t *cx = calloc(1, sizeof(*cx));
	jmp_buf jb;
	dl_node_t *p;

	cx->arena = dl_arena_create();
	cx->jmp = &jb;
	cr_assert_eq(setjmp(jb), 0);
	p = dl_parse(cx, "BEGIN { \"a\\0b\\x00\"; }", NULL);
	cr_assert_eq(p->body->lhs->kind, ND_STR);
	cr_assert_eq(p->body->lhs->slen, 4);
	cr_assert_eq(memcmp(p->body->lhs->sval, "a\0b\0", 5), 0);
	dl_arena_destroy(cx->arena);
	free(cx);
}

Test(lex_parse, comments)
{
	lp_expect("/* a\n comment */ BEGIN // line\n{ /* in */ x = 1; // x\n}",
		"clause\n  probedesc BEGIN\n  body:\n    expr_stmt\n"
		"      assign =\n        ident x\n        int 1\n");
}

Test(lex_parse, literal_errors)
{
	lp_expect_err("BEGIN { x = 08; }", D_INT_DIGIT, 1, 13,
		      "constant 08 contains invalid digit 8");
	lp_expect_err("BEGIN { x = 99999999999999999999; }", D_INT_OFLOW, 1, 13,
		      "constant 99999999999999999999 results in integer "
		      "overflow");
	lp_expect_err("BEGIN { x = 1.5; }", D_SYNTAX, 1, 13,
		      "floating-point constants are not permitted");
	lp_expect_err("BEGIN { x = \"abc\n\"; }", D_STR_LITERAL, 1, 13,
		      "newline encountered in string literal");
	lp_expect_err("BEGIN { x = \"\\x\"; }", D_STR_LITERAL, 1, 13,
		      "\\x used with no following hex digits");
	lp_expect_err("BEGIN { x = \"\\x100\"; }", D_STR_LITERAL, 1, 13,
		      "hex escape sequence out of range");
	lp_expect_err("BEGIN { x = \"\\777\"; }", D_STR_LITERAL, 1, 13,
		      "octal escape sequence out of range");
	lp_expect_err("BEGIN { x = ''; }", D_CHR_LITERAL, 1, 13,
		      "empty character constant");
	lp_expect_err("BEGIN { x = 'abcdefghi'; }", D_CHR_LITERAL, 1, 13,
		      "character constant is too long");
	lp_expect_err("BEGIN { x = 'a\n'; }", D_CHR_LITERAL, 1, 13,
		      "newline encountered in character constant");
	lp_expect_err("BEGIN /* x\n\n", D_SYNTAX, 1, 7,
		      "end-of-file encountered before matching */");
	lp_expect_err("BEGIN /* x /* y */", D_SYNTAX, 1, 12,
		      "/* encountered inside a comment");
}

/* ---- probe descriptions and clauses ------------------------------------- */

Test(lex_parse, probe_descriptions)
{
	{
		static char *argv[] = { "x.d" };
		dl_macros_t m = { .argc = 1, .argv = argv, .target = 1234 };
		lp_run_t r = { .macros = &m };
		char *got = lp_parse_run(
			"syscall::read*:entry, syscall::write:entry,\n"
			"pid$target:libc.so.6:malloc:entry, tick-1s, profile-97,"
			" sdt:::[a-c]?x, BEGIN, :::, *:::\\*x,"
			" proc:::exec-success, 123 {}", &r);

		cr_assert_str_eq(got,
			"clause\n"
			"  probedesc syscall::read*:entry\n"
			"  probedesc syscall::write:entry\n"
			"  probedesc pid1234:libc.so.6:malloc:entry\n"
			"  probedesc tick-1s\n"
			"  probedesc profile-97\n"
			"  probedesc sdt:::[a-c]?x\n"
			"  probedesc BEGIN\n"
			"  probedesc :::\n"
			"  probedesc *:::\\*x\n"
			"  probedesc proc:::exec-success\n"
			"  probedesc 123\n");
		free(got);
	}
}

Test(lex_parse, clauses_predicates_and_bodies)
{
	lp_expect("BEGIN{}END{x=1}tick-1s/a/b/{exit(0);}",
		"clause\n  probedesc BEGIN\n"
		"clause\n  probedesc END\n  body:\n    expr_stmt\n"
		"      assign =\n        ident x\n        int 1\n"
		"clause\n  probedesc tick-1s\n  pred:\n    binary /\n"
		"      ident a\n      ident b\n  body:\n    expr_stmt\n"
		"      call exit\n        int 0\n");
	lp_expect("syscall::read:entry\n/pid == 1 && arg0 / 2 > 3/\n{\n}\n",
		"clause\n  probedesc syscall::read:entry\n  pred:\n    logand\n"
		"      binary ==\n        ident pid\n        int 1\n"
		"      binary >\n        binary /\n          ident arg0\n"
		"          int 2\n        int 3\n");
	/* a body's '/' never ends anything; ';;' and a last ';' are fine */
	lp_expect("BEGIN { a = b / c; ;; d = 1; }",
		"clause\n  probedesc BEGIN\n  body:\n    expr_stmt\n"
		"      assign =\n        ident a\n        binary /\n"
		"          ident b\n          ident c\n    expr_stmt\n"
		"      assign =\n        ident d\n        int 1\n");
	lp_expect("BEGIN /x/ /* comment */ { }",
		"clause\n  probedesc BEGIN\n  pred:\n    ident x\n");
}

Test(lex_parse, clauses_without_bodies)
{
	lp_run_t r = { .file = "x.d" };

	lp_expect("BEGIN", "clause\n  probedesc BEGIN\n");
	lp_expect("BEGIN, END", "clause\n  probedesc BEGIN\n  probedesc END\n");
	lp_expect("BEGIN END", "clause\n  probedesc BEGIN\nclause\n"
		  "  probedesc END\n");
	lp_expect_err_run("BEGIN {}\nEND\n", &r, D_SYNTAX, 2, 1,
			  "expected predicate and/or actions following probe "
			  "description");
	lp_expect_err("BEGIN /x/", D_SYNTAX, 1, 8, "expected actions { } "
		      "following probe description and predicate");
	lp_expect("", "");
	lp_expect("/* nothing */\n", "");
}

Test(lex_parse, aggregations)
{
	lp_expect_body("@counts[execname, pid] = count(); @ = sum(1);"
		       "@x = quantize(arg0); printa(@counts); trunc(@x, 5);"
		       "@a[1] += 2",
		"    agg_stmt\n      aggref @counts\n        ident execname\n"
		"        ident pid\n      call count\n"
		"    agg_stmt\n      aggref @\n      call sum\n        int 1\n"
		"    agg_stmt\n      aggref @x\n      call quantize\n"
		"        ident arg0\n"
		"    expr_stmt\n      call printa\n        aggref @counts\n"
		"    expr_stmt\n      call trunc\n        aggref @x\n"
		"        int 5\n"
		"    expr_stmt\n      assign +=\n        aggref @a\n"
		"          int 1\n        int 2\n");
}

Test(lex_parse, if_else_statements)
{
	lp_expect_body("if (a) b = 1; else if (c) { d; e } else ; f",
		"    if\n      ident a\n      then:\n        expr_stmt\n"
		"          assign =\n            ident b\n            int 1\n"
		"      else:\n        if\n          ident c\n"
		"          then:\n            block\n              expr_stmt\n"
		"                ident d\n              expr_stmt\n"
		"                ident e\n          else:\n            empty\n"
		"    expr_stmt\n      ident f\n");
	/* the dangling else goes with the nearest if */
	lp_expect_body("if (a) if (b) x; else y;",
		"    if\n      ident a\n      then:\n        if\n"
		"          ident b\n          then:\n            expr_stmt\n"
		"              ident x\n          else:\n            expr_stmt\n"
		"              ident y\n");
	lp_expect_body("if (a) {} x = 1",
		"    if\n      ident a\n      then:\n        block\n"
		"    expr_stmt\n      assign =\n        ident x\n        int 1\n");
}

/* ---- declarations ------------------------------------------------------- */

Test(lex_parse, declarations)
{
	lp_expect("int x; self int y; this string s; int a[int, string];"
		  " extern int vmlinux`max_pfn; static long long l, *lp;"
		  " int*ip; uint64_t*up; self char c[64]; int m[3][4];"
		  " int (*fp)(int, char *); int *f(void); int (*pa)[3];"
		  " const volatile unsigned short cvus; string sa[string];",
		"decl int x\n"
		"decl self int y\n"
		"decl this string s\n"
		"decl int a[int, string]\n"
		"decl extern int vmlinux`max_pfn\n"
		"decl static long long l\n"
		"decl static long long *lp\n"
		"decl int *ip\n"
		"decl uint64_t *up\n"
		"decl self char c[64]\n"
		"decl int m[3][4]\n"
		"decl int (*fp)(int, char *)\n"
		"decl int *f(void)\n"
		"decl int (*pa)[3]\n"
		"decl const volatile unsigned short cvus\n"
		"decl string sa[string]\n");
}

Test(lex_parse, declarator_chains)
{
	dl_ctx_t *cx = calloc(1, sizeof(*cx));
	jmp_buf jb;
	dl_node_t *p;
	dl_dcl_t *d;

	cx->arena = dl_arena_create();
	cx->jmp = &jb;
	cr_assert_eq(setjmp(jb), 0);
	p = dl_parse(cx, "int *a[4]; int (*fp)(int); char * const *cp;", NULL);
	d = p->typ->dcl;	/* int *a[4]: ARRAY(4) -> PTR */
	cr_assert_eq(d->kind, DCL_ARRAY);
	cr_assert_eq(d->dim->ival, 4);
	cr_assert_eq(d->next->kind, DCL_PTR);
	cr_assert_null(d->next->next);
	cr_assert_eq(p->typ->flags, TS_INT);
	d = p->next->typ->dcl;	/* int (*fp)(int): PTR -> FUNC(int) */
	cr_assert_eq(d->kind, DCL_PTR);
	cr_assert_eq(d->next->kind, DCL_FUNC);
	cr_assert_eq(d->next->params->kind, ND_TYPE);
	cr_assert_eq(d->next->params->typ->flags, TS_INT);
	d = p->next->next->typ->dcl;	/* cp: PTR -> PTR const -> char */
	cr_assert_eq(d->kind, DCL_PTR);
	cr_assert_eq(d->quals, 0);
	cr_assert_eq(d->next->kind, DCL_PTR);
	cr_assert_eq(d->next->quals, TS_CONST);
	cr_assert_str_eq(p->next->next->name, "cp");
	cr_assert_eq(p->next->next->loc.col, 42);
	dl_arena_destroy(cx->arena);
	free(cx);
}

Test(lex_parse, struct_union_enum_typedef)
{
	lp_expect("struct foo { int a; char *b, c[2]; unsigned int d : 3;"
		  " struct bar { long x; } e; };\n"
		  "union u { int i; uint64_t l; } uv;\n"
		  "enum color { RED, GREEN = 5, BLUE, };\n"
		  "enum color c; struct foo;\n"
		  "typedef struct foo foo_t; foo_t *fp;\n",
		"typedecl struct foo {...}\n"
		"  members:\n"
		"    decl int a\n"
		"    decl char *b\n"
		"    decl char c[2]\n"
		"    decl unsigned int d\n"
		"      width:\n"
		"        int 3\n"
		"    decl struct bar {...} e\n"
		"      members:\n"
		"        decl long x\n"
		"decl union u {...} uv\n"
		"  members:\n"
		"    decl int i\n"
		"    decl uint64_t l\n"
		"typedecl enum color {...}\n"
		"  members:\n"
		"    ident RED\n"
		"    ident GREEN\n"
		"      int 5\n"
		"    ident BLUE\n"
		"decl enum color c\n"
		"typedecl struct foo\n"
		"decl typedef struct foo foo_t\n"
		"decl foo_t *fp\n");
}

Test(lex_parse, inline_translator_provider)
{
	lp_expect("inline int X = 5 * 2;\n"
		  "inline string S = \"a\";\n"
		  "translator struct out < struct task_struct *T > {\n"
		  "\tpid = T->pid; name = stringof(T->comm);\n};\n"
		  "translator int < int x > { };\n"
		  "provider myprov {\n"
		  "\tprobe a__b(int, char *) : (int);\n"
		  "\tprobe c();\n\tprobe d(int x, ...) : ();\n};\n"
		  "provider empty { };\n",
		"inline int X\n"
		"  binary *\n    int 5\n    int 2\n"
		"inline string S\n"
		"  str \"a\"\n"
		"xlator struct out < struct task_struct *T >\n"
		"  assign =\n    ident pid\n    ptrmember pid\n      ident T\n"
		"  assign =\n    ident name\n    stringof\n"
		"      ptrmember comm\n        ident T\n"
		"xlator int < int x >\n"
		"provider myprov\n"
		"  probeproto a__b(int, char *) : (int)\n"
		"  probeproto c()\n"
		"  probeproto d(int x, ...) : ()\n"
		"provider empty\n");
}

Test(lex_parse, declaration_errors)
{
	lp_expect_err("int int x;", D_TYPE_ERR, 1, 1,
		      "invalid type combination");
	lp_expect_err("long long long x;", D_TYPE_ERR, 1, 1,
		      "invalid type combination");
	lp_expect_err("extern static int x;", D_TYPE_ERR, 1, 1,
		      "only one storage class allowed in a declaration");
	lp_expect_err("BEGIN { trace(x)(1); }", D_FUNC_IDENT, 1, 9,
		      "function designator is not of function type");
}

/* ---- macros ------------------------------------------------------------- */

Test(lex_parse, macro_arguments)
{
	static char *argv[] = { "script.d", "42", "foo", "hello world", "-7",
				"\"quoted\"", "0x10", "unused" };
	dl_macros_t m = { .argc = 8, .argv = argv, .pid = 100, .target = 1234,
			  .uid = 5, .gid = 6, .ppid = 7, .pgid = 8, .sid = 9 };
	lp_run_t r = { .macros = &m };
	char *got = lp_parse_run(
		"BEGIN { a = $1 + $2; b = $$1; c = $3; d = $4; e = $5; f = $6;"
		" g = $0; h = $target + $pid + $ppid + $uid + $gid + $pgid +"
		" $sid; i = $$target; }", &r);

	cr_assert_str_eq(got,
		"clause\n  probedesc BEGIN\n  body:\n"
		"    expr_stmt\n      assign =\n        ident a\n"
		"        binary +\n          int 42\n          ident foo\n"
		"    expr_stmt\n      assign =\n        ident b\n"
		"        str \"42\"\n"
		"    expr_stmt\n      assign =\n        ident c\n"
		"        str \"hello world\"\n"
		"    expr_stmt\n      assign =\n        ident d\n        int -7\n"
		"    expr_stmt\n      assign =\n        ident e\n"
		"        str \"quoted\"\n"
		"    expr_stmt\n      assign =\n        ident f\n        int 16\n"
		"    expr_stmt\n      assign =\n        ident g\n"
		"        str \"script.d\"\n"
		"    expr_stmt\n      assign =\n        ident h\n"
		"        binary +\n          binary +\n            binary +\n"
		"              binary +\n                binary +\n"
		"                  binary +\n                    int 1234\n"
		"                    int 100\n                  int 7\n"
		"                int 5\n              int 6\n            int 8\n"
		"          int 9\n"
		"    expr_stmt\n      assign =\n        ident i\n"
		"        str \"1234\"\n");
	for (int i = 0; i < 7; i++)
		cr_assert(r.used[i], "$%d not marked used", i);
	cr_assert(!r.used[7]);
	free(got);
}

Test(lex_parse, macros_in_probe_descriptions)
{
	static char *argv[] = { "s.d", "syscall::read:entry", "1234", "x" };
	dl_macros_t m = { .argc = 4, .argv = argv, .target = 77 };
	lp_run_t r = { .macros = &m };
	char *got = lp_parse_run("$1, pid$2:libc*::entry, pid$target:::$$3,"
				 " pid$target:a.out:f$3:return { }", &r);

	cr_assert_str_eq(got, "clause\n  probedesc syscall::read:entry\n"
			 "  probedesc pid1234:libc*::entry\n"
			 "  probedesc pid77:::x\n"
			 "  probedesc pid77:a.out:fx:return\n");
	cr_assert(r.used[1] && r.used[2] && r.used[3] && !r.used[0]);
	free(got);
}

Test(lex_parse, macro_errors)
{
	static char *argv[] = { "s.d", "1" };
	dl_macros_t m = { .argc = 2, .argv = argv, .target = -1 };
	lp_run_t r = { .macros = &m };

	lp_expect_err_run("BEGIN { x = $2; }", &r, D_MACRO_UNDEF, 1, 13,
			  "macro argument $2 is not defined");
	r = (lp_run_t){ .macros = &m };
	lp_expect_err_run("BEGIN { x = $$5; }", &r, D_MACRO_UNDEF, 1, 13,
			  "macro argument $$5 is not defined");
	r = (lp_run_t){ .macros = &m };
	lp_expect_err_run("pid$target:::entry {}", &r, D_MACRO_UNDEF, 1, 1,
			  "macro variable $target is not defined");
	r = (lp_run_t){ .macros = &m };
	lp_expect_err_run("BEGIN { x = $target; }", &r, D_MACRO_UNDEF, 1, 13,
			  "macro variable $target is not defined");
	r = (lp_run_t){ .macros = &m };
	lp_expect_err_run("BEGIN { x = $nope; }", &r, D_MACRO_UNDEF, 1, 13,
			  "macro variable $nope is not defined");
	lp_expect_err("syscall::$1:entry {}", D_MACRO_UNDEF, 1, 1,
		      "macro argument $1 is not defined");
}

/* ---- control lines and pragmas ------------------------------------------ */

Test(lex_parse, pragma_options)
{
	lp_run_t r = { 0 };
	char *got = lp_parse_run("#pragma D option quiet\n"
				 "  #pragma D option bufsize=4m\n"
				 "#pragma D option aggsortkey=1\n"
				 "BEGIN {\n#pragma D option flowindent\n}\n", &r);

	cr_assert_str_eq(got, "clause\n  probedesc BEGIN\n");
	cr_assert_str_eq(r.options, "quiet=(null);bufsize=4m;aggsortkey=1;"
			 "flowindent=(null);");
	free(got);
}

Test(lex_parse, pragma_errors)
{
	lp_run_t r = { .fail_option = "bad" };

	lp_expect_err_run("BEGIN {}\n#pragma D option bad\n", &r,
			  D_PRAGMA_OPTSET, 2, 1,
			  "failed to set option 'bad': Invalid option name");
	r = (lp_run_t){ .fail_option = "bad" };
	lp_expect_err_run("#pragma D option bad=1\n", &r, D_PRAGMA_OPTSET, 1,
			  1, "failed to set option 'bad' to '1': Invalid "
			  "option name");
	lp_expect_err("#pragma D foo\n", D_PRAGMA_INVAL, 1, 1,
		      "invalid D pragma: foo");
	lp_expect_err("#pragma D option\n", D_PRAGMA_MALFORM, 1, 1,
		      "malformed #pragma option <option>=<val>");
	lp_expect_err("#pragma D option a b\n", D_PRAGMA_MALFORM, 1, 1,
		      "superfluous arguments specified for #pragma option");
	lp_expect_err("#pragma D depends_on foo bar\n", D_PRAGMA_INVAL, 1, 1,
		      "invalid class foo specified by #pragma depends_on");
	lp_expect_err("#pragma D binding x y\n", D_PRAGMA_MALFORM, 1, 1,
		      "malformed #pragma binding \"version\" <ident>");
	lp_expect_err("#include <stdio.h>\n", D_PRAGCTL_INVAL, 1, 1,
		      "invalid control directive: #include");
	lp_expect_err("\n#error this is \"bad\"\n", D_PRAGERR, 2, 1,
		      "#error: this is bad ");
	lp_expect_err("#pragma D error oops\n", D_PRAGERR, 1, 1,
		      "#error: oops ");
}

Test(lex_parse, pragmas_accepted_and_ignored)
{
	lp_expect("#!/usr/sbin/dtrace -qs\n"
		  "#pragma D depends_on provider syscall\n"
		  "#pragma D depends_on module vmlinux\n"
		  "#pragma D binding \"1.0\" foo\n"
		  "#pragma D attributes Evolving/Evolving/ISA provider myprov "
		  "provider\n"
		  "#pragma D ident \"x\"\n#pragma ident \"y\"\n#ident \"z\"\n"
		  "#pragma once\n#pragma weak foo\n#\n#pragma\n#pragma D\n"
		  "BEGIN {}\n",
		  "clause\n  probedesc BEGIN\n");
}

Test(lex_parse, line_markers_and_locations)
{
	lp_run_t r = { .file = "foo.d" };

	lp_expect_err_run("# 1 \"foo.d\"\n# 1 \"<built-in>\"\n"
			  "# 1 \"<command-line>\"\n# 1 \"foo.d\" 2\n\n\n"
			  "BEGIN\n{\n\tx = ;\n}\n", &r, D_SYNTAX, 5, 6,
			  "syntax error near \";\"");
	cr_assert_str_eq(r.err.srcline, "\tx = ;");
	cr_assert_str_eq(r.err.loc.file, "foo.d");
	r = (lp_run_t){ .file = "foo.d" };
	lp_expect_err_run("BEGIN\n#line 100 \"bar.h\"\n{\n  x = ;\n}\n", &r,
			  D_SYNTAX, 101, 7, "syntax error near \";\"");
	cr_assert_str_eq(r.err.loc.file, "bar.h");
	cr_assert_str_eq(r.err.srcline, "  x = ;");
	lp_expect_err("#line x\n", D_PRAGMA_MALFORM, 1, 1,
		      "malformed #line <line> [ [\"file\"] state ]");
}

/* ---- syntax errors ------------------------------------------------------ */

Test(lex_parse, syntax_errors)
{
	lp_run_t r = { 0 };

	lp_expect_err_run("BEGIN { x = ; }", &r, D_SYNTAX, 1, 13,
			  "syntax error near \";\"");
	cr_assert_str_eq(r.err.srcline, "BEGIN { x = ; }");
	lp_expect_err("BEGIN { x = 1", D_SYNTAX, 1, 14,
		      "syntax error near end of input");
	lp_expect_err("BEGIN\n{\n\ttrace(1) trace(2);\n}", D_SYNTAX, 3, 11,
		      "syntax error near \"trace\"");
	lp_expect_err("BEGIN { x = a # b; }", D_SYNTAX, 1, 15,
		      "syntax error near \"#\"");
	lp_expect_err("BEGIN; END", D_SYNTAX, 1, 6, "syntax error near \";\"");
	lp_expect_err("BEGIN { for (;;) {} }", D_SYNTAX, 1, 9,
		      "syntax error near \"for\"");
	lp_expect_err("BEGIN { x = \"a\" \"b\"; }", D_SYNTAX, 1, 17,
		      "syntax error near \"\"b\"\"");
	lp_expect_err("BEGIN /(x/ {}", D_SYNTAX, 1, 10,
		      "closing ) expected in predicate before /");
	lp_expect_err("BEGIN /x[1/ {}", D_SYNTAX, 1, 11,
		      "closing ] expected in predicate before /");
	lp_expect_err("BEGIN { self = 1; }", D_SYNTAX, 1, 14,
		      "syntax error near \"=\"");
	lp_expect_err("int x", D_SYNTAX, 1, 6, "syntax error near end of input");
	lp_expect_err("BEGIN { if (x) y = 1 }", D_SYNTAX, 1, 22,
		      "syntax error near \"}\"");
}

Test(lex_parse, deep_nesting_is_a_limit_not_a_crash)
{
	size_t n = 20000;
	char *src = malloc(2 * n + 32), *p = src;
	lp_run_t r = { 0 };

	p += sprintf(p, "BEGIN { x = ");
	memset(p, '(', n);
	p += n;
	*p++ = '1';
	memset(p, ')', n);
	p += n;
	strcpy(p, "; }");
	free(lp_parse_run(src, &r));
	cr_assert(r.failed);
	cr_assert_eq(r.err.tag, D_LIMIT);
	free(src);
}

/* Left operands nest at no cost to the parser's stack: a long sum is a
   deep tree, refused before the passes that recurse on it. */
Test(lex_parse, long_chains_are_a_limit_not_a_crash)
{
	static const char *const ops[] = { "+", "*", "&&", "," };

	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		size_t n = 200000, len = strlen(ops[k]) + 1;
		char *src = malloc(n * len + 32), *p = src;
		lp_run_t r = { 0 };

		p += sprintf(p, "BEGIN { x = (1");
		for (size_t i = 1; i < n; i++)
			p += sprintf(p, "%s1", ops[k]);
		strcpy(p, "); }");
		free(lp_parse_run(src, &r));
		cr_assert(r.failed, "%s", ops[k]);
		cr_expect_eq(r.err.tag, D_LIMIT, "%s", ops[k]);
		cr_expect_str_eq(r.err.msg, "expression nesting too deep "
				 "(limit is 1000)");
		free(src);
	}
	for (int depth = DL_MAX_NESTING - 1; depth <= DL_MAX_NESTING + 1;
	     depth++) {	/* x = (depth terms 1+...+1) is depth deep */
		char *src = malloc(2 * (size_t)depth + 32), *p = src;
		lp_run_t r = { 0 };

		p += sprintf(p, "BEGIN { x = 1");
		for (int i = 1; i < depth; i++)
			p += sprintf(p, "+1");
		strcpy(p, "; }");
		free(lp_parse_run(src, &r));
		cr_expect_eq(r.failed, depth > DL_MAX_NESTING, "%d", depth);
		free(src);
	}
}

Test(lex_parse, keywords_are_not_identifiers)
{
	static const char *const kws[] = {
		"auto", "break", "case", "char", "const", "continue", "counter",
		"default", "do", "double", "else", "enum", "extern", "float",
		"for", "goto", "if", "import", "inline", "int", "long",
		"offsetof", "probe", "provider", "register", "restrict",
		"return", "self", "short", "signed", "sizeof", "static",
		"string", "stringof", "struct", "switch", "this", "translator",
		"typedef", "union", "unsigned", "void", "volatile", "while",
		"xlate", "_Bool",
	};

	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		char src[64], ident[64];
		char *got;

		snprintf(src, sizeof(src), "BEGIN { x = %s; }", kws[i]);
		snprintf(ident, sizeof(ident), "ident %s\n", kws[i]);
		got = lp_parse(src);
		cr_assert_null(strstr(got, ident), "%s lexed as a name",
			       kws[i]);
		free(got);
	}
}

/* ---- contexts are independent ------------------------------------------- */

Test(lex_parse, two_contexts_do_not_share_names)
{
	lp_expect("typedef int t1; BEGIN { x = (t1)y; }",
		  "decl typedef int t1\nclause\n  probedesc BEGIN\n  body:\n"
		  "    expr_stmt\n      assign =\n        ident x\n"
		  "        cast t1\n          ident y\n");
	lp_expect_err("BEGIN { x = (t1)y; }", D_SYNTAX, 1, 17,
		      "syntax error near \"y\"");
}

Test(lex_parse, parse_twice_in_one_context)
{
	dl_ctx_t *cx = calloc(1, sizeof(*cx));
	jmp_buf jb;
	dl_node_t *a, *b;

	cx->arena = dl_arena_create();
	cx->jmp = &jb;
	cr_assert_eq(setjmp(jb), 0);
	a = dl_parse(cx, "typedef long lib_t;", "lib.d");
	b = dl_parse(cx, "BEGIN { x = (lib_t)1; }", "main.d");
	cr_assert_eq(a->kind, ND_DECL);
	cr_assert_eq(b->body->lhs->rhs->kind, ND_CAST);
	cr_assert_str_eq(b->loc.file, "main.d");
	dl_arena_destroy(cx->arena);
	free(cx);
}

Test(lex_parse, locations_of_nodes)
{
	dl_ctx_t *cx = calloc(1, sizeof(*cx));
	jmp_buf jb;
	dl_node_t *c, *s;

	cx->arena = dl_arena_create();
	cx->jmp = &jb;
	cr_assert_eq(setjmp(jb), 0);
	c = dl_parse(cx, "\n  syscall::read:entry\n/pid/\n{\n\tx = a + b;\n}",
		     "l.d");
	cr_assert_eq(c->loc.line, 2);
	cr_assert_eq(c->loc.col, 3);
	cr_assert_eq(c->cond->loc.line, 3);
	cr_assert_eq(c->cond->loc.col, 2);
	s = c->body;
	cr_assert_eq(s->loc.line, 5);
	cr_assert_eq(s->loc.col, 2);
	cr_assert_eq(s->lhs->rhs->loc.col, 6);	/* a + b starts at a */
	cr_assert_eq(s->lhs->rhs->rhs->loc.col, 10);
	cr_assert_str_eq(s->loc.file, "l.d");
	dl_arena_destroy(cx->arena);
	free(cx);
}

/* ---- real-world scripts ------------------------------------------------- */

Test(lex_parse, script_syscall_latency)
{
	lp_expect_ok(
		"#!/usr/sbin/dtrace -qs\n"
		"/*\n * syscall latency by process and call\n */\n"
		"#pragma D option quiet\n"
		"#pragma D option dynvarsize=16m\n\n"
		"inline int THRESHOLD = 1000 * 1000;\n\n"
		"syscall:::entry\n/pid != $pid/\n{\n"
		"\tself->ts[probefunc] = timestamp;\n}\n\n"
		"syscall:::return\n/self->ts[probefunc] != 0/\n{\n"
		"\tthis->delta = timestamp - self->ts[probefunc];\n"
		"\t@lat[execname, probefunc] = quantize(this->delta);\n"
		"\t@slow[execname] = sum(this->delta > THRESHOLD ? 1 : 0);\n"
		"\t@max = max(this->delta);\n"
		"\tself->ts[probefunc] = 0;\n}\n\n"
		"tick-10s\n{\n\tprinta(\"%-16s %-20s %@d\\n\", @lat);\n"
		"\ttrunc(@lat); clear(@slow);\n}\n\n"
		"END\n{\n\tprinta(@max);\n\tnormalize(@slow, 10);\n}\n");
}

Test(lex_parse, script_kernel_structures)
{
	lp_expect_ok(
		"typedef struct vmlinux`task_struct task_t;\n"
		"struct pinfo { int pid; string comm; uint64_t start; };\n"
		"self struct pinfo info;\n"
		"translator struct pinfo < task_t *T > {\n"
		"\tpid = T->pid;\n\tcomm = stringof(T->comm);\n"
		"\tstart = T->start_time;\n};\n\n"
		"sched:::on-cpu\n"
		"/((struct vmlinux`task_struct *)curthread)->pid == $target &&"
		" ((task_t *)curthread)->flags & 0x40 ^^ arg1 == 0/\n{\n"
		"\tthis->t = (task_t *)curthread;\n"
		"\tself->info = xlate<struct pinfo>(this->t);\n"
		"\tthis->name = this->t->comm[0] == '\\0' ? \"<none>\" :\n"
		"\t    this->t->comm[0] == '[' ? \"kthread\" :\n"
		"\t    this->t->mm == NULL ? \"nomm\" : stringof(this->t->comm);\n"
		"\t@cpu[cpu, this->name] = count();\n"
		"\tprintf(\"%d %s %d\\n\", self->info.pid, self->info.comm,\n"
		"\t    (int)(this->t->se.vruntime >> 10) % 7);\n}\n");
}

Test(lex_parse, script_user_space_and_if_else)
{
	lp_expect_ok(
		"pid$target:libc.so.6:malloc:entry\n{\n"
		"\tself->size = arg0;\n}\n\n"
		"pid$target:libc.so.6:malloc:return\n/self->size/\n{\n"
		"\tif (arg1 == 0) {\n\t\t@fail[ustack(5)] = count();\n"
		"\t} else if (self->size > 4096) {\n"
		"\t\t@big = lquantize(self->size, 4096, 65536, 4096);\n"
		"\t\tbig[arg1] = self->size;\n\t} else\n"
		"\t\t@small = quantize(self->size);\n"
		"\tself->size = 0;\n}\n\n"
		"pid$target:libc.so.6:free:entry\n/big[arg0]/\n{\n"
		"\tprintf(\"%s freed %d bytes at %p\\n\", execname, big[arg0],"
		" arg0);\n\tbig[arg0] = 0;\n"
		"\tcopyinstr(arg0) == \"x\" ? trace(1) : trace(2);\n"
		"\tstack(); ustack(); jstack();\n}\n\n"
		"profile-997 /pid == $target/ { @hot[ufunc(uregs[R_PC])] = "
		"count(); }\n"
		"END { printa(\"%A %@u\\n\", @hot); exit(0); }\n");
}

Test(lex_parse, script_io_and_speculation)
{
	lp_expect_ok(
		"#pragma D option nspec=4\n"
		"#pragma D option specsize=1m\n"
		"int spec[int];\n\n"
		"syscall::openat:entry\n{\n"
		"\tspec[tid] = speculation();\n"
		"\tspeculate(spec[tid]);\n"
		"\tprintf(\"%s(%s)\\n\", probefunc, copyinstr(arg1));\n}\n\n"
		"syscall::openat:return\n/spec[tid] && (int)arg1 < 0/\n{\n"
		"\tcommit(spec[tid]); spec[tid] = 0;\n}\n\n"
		"syscall::openat:return\n/spec[tid]/\n{\n"
		"\tdiscard(spec[tid]); spec[tid] = 0;\n}\n\n"
		"io:::start\n{\n"
		"\t@bytes[args[1]->dev_statname, args[0]->b_flags & B_READ ?"
		" \"R\" : \"W\"] = sum(args[0]->b_bcount);\n"
		"\t@sizes = llquantize(args[0]->b_bcount, 10, 0, 6, 20);\n"
		"\tx = sizeof(args[0]->b_flags) + offsetof(struct bio, bi_iter);\n"
		"\ty = -(~0 << 3) >> 1 | 0x1f & 007 ^ 'a';\n"
		"\tz += ++x - y-- * !x;\n}\n\n"
		"tick-1s\n/i++ >= 10/\n{\n\texit(0);\n}\n");
}

Test(lex_parse, script_cpp_output)
{
	lp_run_t r = { .file = "t.d" };
	char *got = lp_parse_run(
		"# 0 \"t.d\"\n# 0 \"<built-in>\"\n# 0 \"<command-line>\"\n"
		"# 1 \"/usr/include/stdc-predef.h\" 1 3 4\n"
		"# 0 \"<command-line>\" 2\n# 1 \"t.d\"\n\n\n\n"
		"BEGIN\n{\n trace(4096);\n}\n", &r);

	cr_assert(!r.failed, "%s", r.err.msg);
	cr_assert_str_eq(got, "clause\n  probedesc BEGIN\n  body:\n"
			 "    expr_stmt\n      call trace\n        int 4096\n");
	free(got);
}
