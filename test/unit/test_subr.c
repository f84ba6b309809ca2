/*
 * test_subr.c - the string and integer subroutines: prototypes checked by
 * sema (DTrace's tags at the argument), and every one compiled to BPF
 * (the live suite, test/e2e/tst.subr-*, checks what they compute).
 */
#include "tsm.h"

Test(subr, prototypes)
{
	tsm_expect_error("BEGIN { x = substr(1, 2); }", D_PROTO_ARG, 1, 20);
	tsm_expect_error("BEGIN { x = substr(\"a\", \"b\"); }", D_PROTO_ARG,
			 1, 25);
	tsm_expect_error("BEGIN { x = index(\"a\", 1); }", D_PROTO_ARG, 1, 24);
	tsm_expect_error("BEGIN { x = strchr(\"a\", \"b\"); }", D_PROTO_ARG,
			 1, 25);
	tsm_expect_error("BEGIN { x = strtok(5, \",\"); }", D_PROTO_ARG, 1, 20);
	tsm_expect_error("BEGIN { x = lltostr(\"1\"); }", D_PROTO_ARG, 1, 21);
	tsm_expect_error("BEGIN { x = htons(\"1\"); }", D_PROTO_ARG, 1, 19);
	tsm_expect_error("BEGIN { x = basename(); }", D_PROTO_LEN, 1, 13);
	tsm_expect_error("BEGIN { x = rand(1); }", D_PROTO_LEN, 1, 13);
}

Test(subr, types)
{
	tsm_t t = tsm_sema("BEGIN { a = htons(1); b = htonl(1); c = htonll(1); "
			   "d = getmajor(1); e = index(\"a\", \"b\"); "
			   "f = rand(); g = lltostr(1); }");

	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	dl_ctx_destroy(t.cx);
}

Test(subr, codegen)
{
	static const char *const exprs[] = {
		"substr(\"hello\", 1, 3)", "substr(execname, -2)",
		"index(execname, \"ce\")", "rindex(execname, execname, 2)",
		"strchr(execname, 'r')", "strrchr(execname, 'r')",
		"strstr(execname, execname)", "strtok(execname, \"a\")",
		"strtok(0, \"a\")", "basename(execname)", "dirname(execname)",
		"cleanpath(execname)", "lltostr(arg0, 16)", "toupper(execname)",
		"tolower(execname)", "htons(arg0)", "ntohll(arg0)",
		"inet_ntoa(arg0)", "progenyof(1)", "rand()", "getminor(arg0)",
	};

	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		char src[160];
		snprintf(src, sizeof(src), "BEGIN { trace(%s); }", exprs[i]);
		cr_expect_gt(tsm_codegen(src, NULL), 10, "%s", src);
	}
}
