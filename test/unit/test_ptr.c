/*
 * test_ptr.c - pointers, backquoted kernel symbols and the memory
 * subroutines: the types sema gives (pointer arithmetic, &, NULL, p[i]),
 * DTrace's tags at the right place for misuse, symbols resolved through
 * the ksym hook and kallsyms text (ksymaddr.c), and codegen of each
 * (the live suite, test/e2e/tst.ptr-*, tst.ksym, tst.subr-copyin and
 * tst.subr-scratch, checks what they compute).
 */
#include <string.h>

#include "tsm.h"
#include "../../libdtrace/libdtrace.h"

/* The type of expression e in a BEGIN clause, after x is an int * and t
   a struct task_struct *. */
static void expect_type(const char *e, const char *type)
{
	char src[256];

	snprintf(src, sizeof(src), "BEGIN { x = (int *)0; t = curthread; "
		 "trace(%s); }", e);
	tsm_t t = tsm_sema(src);
	cr_assert_eq(t.rc, 0, "%s: %s", src, t.cx->err.msg);
	dl_node_t *s = t.clause.node->body->next->next;
	cr_expect_str_eq(s->lhs->args->type->name, type, "%s", e);
	dl_ctx_destroy(t.cx);
}

Test(ptr, types)
{
	expect_type("x + 1", "int *");
	expect_type("1 + x", "int *");
	expect_type("x - 1", "int *");
	expect_type("x - x", "long");
	expect_type("x[2]", "int");
	expect_type("*(x + 2)", "int");
	expect_type("&x[2]", "int *");
	expect_type("&t->pid", "int *");
	expect_type("&t->comm", "unsigned char *");
	expect_type("t->comm[1]", "unsigned char");
	expect_type("x == NULL", "int");
	expect_type("NULL", "void *");
	expect_type("(long)x", "long");
	expect_type("(char *)x", "char *");
	expect_type("copyin(0, 4)", "void *");
	expect_type("alloca(4)", "void *");
	expect_type("inet_ntop(2, x)", "string");
}

Test(ptr, errors)
{
	tsm_expect_error("BEGIN { x = 1; trace(&x); }", D_ADDROF_VAR, 1, 22);
	tsm_expect_error("BEGIN { trace(&(pid + 1)); }", D_ADDROF_LVAL, 1, 15);
	tsm_expect_error("BEGIN { trace(&curthread->pid - &curthread->comm); }",
			 D_OP_INCOMPAT, 1, 15);
	tsm_expect_error("BEGIN { trace(curthread + curthread); }",
			 D_OP_INCOMPAT, 1, 15);
	tsm_expect_error("BEGIN { this->x = 1; trace(this->x[0]); }",
			 D_OP_ARRAY, 1, 28);
	tsm_expect_error("BEGIN { trace(copyin(\"a\", 1)); }", D_PROTO_ARG,
			 1, 22);
	tsm_expect_error("BEGIN { bcopy(0, 0); }", D_PROTO_LEN, 1, 9);
	tsm_expect_error("BEGIN { trace(d_path(\"a\")); }", D_PROTO_ARG, 1,
			 22);
}

/* A kernel with one function and one data symbol, in module vmlinux. */
static int fake_ksym(void *arg, const char *mod, const char *name,
		     uint64_t *addr, bool *text)
{
	(void)arg;
	if (mod != NULL && strcmp(mod, "vmlinux") != 0)
		return -1;
	if (strcmp(name, "vfs_read") == 0 || strcmp(name, "nodata") == 0) {
		*addr = name[0] == 'v' ? 0xffffffff81234560ull : 0x5000;
		*text = name[0] == 'v';
		return 0;
	}
	return -2;
}

static tsm_t sema_ksym(const char *src)
{
	tsm_t t = { .cx = dl_ctx_create(&tsm_macros) };
	dl_node_t *ast = NULL;

	t.cx->ksym = fake_ksym;
	t.rc = dl_compile_parse(t.cx, src, NULL, &ast);
	if (t.rc == 0) {
		t.clause.node = ast;
		t.rc = dl_compile_clause(t.cx, &t.clause, 256);
	}
	return t;
}

static void expect_ksym_error(const char *src, dl_tag_t tag, int col)
{
	tsm_t t = sema_ksym(src);

	cr_expect_eq(t.rc, -1, "%s: compiled", src);
	cr_expect_eq(t.cx->err.tag, tag, "%s: %s", src, t.cx->err.msg);
	cr_expect_eq(t.cx->err.loc.col, col, "%s: col %d", src,
		     t.cx->err.loc.col);
	dl_ctx_destroy(t.cx);
}

Test(ptr, ksym)
{
	tsm_t t = sema_ksym("BEGIN { trace(&vmlinux`vfs_read); }");
	cr_assert_eq(t.rc, 0, "%s", t.cx->err.msg);
	dl_node_t *a = t.clause.node->body->lhs->args;
	cr_expect_str_eq(a->type->name, "void *");
	cr_expect_eq(a->lhs->lhs->kind, ND_SYMADDR);
	cr_expect_eq((uint64_t)a->lhs->lhs->ival, 0xffffffff81234560ull);
	dl_ctx_destroy(t.cx);
	expect_ksym_error("BEGIN { trace(`vfs_read); }", D_SYM_NOTYPES, 15);
	expect_ksym_error("BEGIN { trace(`nodata); }", D_SYM_NOTYPES, 15);
	expect_ksym_error("BEGIN { trace(`nosuch); }", D_IDENT_UNDEF, 15);
	expect_ksym_error("BEGIN { trace(ext9`vfs_read); }", D_IDENT_UNDEF, 15);
	expect_ksym_error("BEGIN { trace(&``vfs_read); }", D_SYM_BADREF, 16);
}

Test(ptr, kallsyms)
{
	static char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81234560 T vfs_read\n"
		"ffffffff82000000 D jiffies\n"
		"ffffffffc0001000 t ext4_thing\t[ext4]\n"
		"0000000000000000 D hidden\n";
	static char mods[] = "ext4 1000 1 - Live 0x0\n";
	uint64_t addr = 0;
	bool isfn = false;
	FILE *ks = fmemopen(text, strlen(text), "r");
	FILE *ms = fmemopen(mods, strlen(mods), "r");

	cr_expect_eq(dt_ksym_addr(ks, NULL, NULL, "jiffies", &addr, &isfn), 0);
	cr_expect_eq(addr, 0xffffffff82000000ull);
	cr_expect(!isfn);
	rewind(ks);
	cr_expect_eq(dt_ksym_addr(ks, NULL, "vmlinux", "vfs_read", &addr,
				  &isfn), 0);
	cr_expect(isfn);
	rewind(ks);
	cr_expect_eq(dt_ksym_addr(ks, ms, "ext4", "ext4_thing", &addr, &isfn),
		     0);
	cr_expect_eq(addr, 0xffffffffc0001000ull);
	rewind(ks);
	rewind(ms);
	cr_expect_eq(dt_ksym_addr(ks, ms, "xfs", "x", &addr, &isfn), -1);
	rewind(ks);
	cr_expect_eq(dt_ksym_addr(ks, NULL, "vmlinux", "ext4_thing", &addr,
				  &isfn), -2);
	rewind(ks);
	cr_expect_eq(dt_ksym_addr(ks, NULL, NULL, "hidden", &addr, &isfn), -2);
	fclose(ks);
	fclose(ms);
}

/* dt_ksym_each_text's callback: "mod name addr;" for each function */
static int each_text(void *arg, const char *mod, const char *name,
		     uint64_t addr)
{
	char *out = arg;

	snprintf(out + strlen(out), 512 - strlen(out), "%s %s %llx;", mod,
		 name, (unsigned long long)addr);
	return strcmp(name, "stop") == 0 ? 7 : 0;
}

/* Every function, static ones of one name apart, with its module; data
   and hidden (0) addresses skipped; a non-zero return stops. */
Test(ptr, kallsyms_each_text)
{
	static char text[] =
		"ffffffff81000100 t default_read_file\n"
		"ffffffff82000000 D jiffies\n"
		"ffffffff81000200 t default_read_file\n"
		"0000000000000000 t hidden\n"
		"ffffffffc0001000 t default_read_file\t[loop]\n"
		"ffffffff81000300 W weak_fn\n"
		"ffffffff81000400 T stop\n"
		"ffffffff81000500 T after\n";
	char out[512] = "";
	FILE *ks = fmemopen(text, strlen(text), "r");

	cr_expect_eq(dt_ksym_each_text(ks, each_text, out), 7);
	cr_expect_str_eq(out, "vmlinux default_read_file ffffffff81000100;"
			 "vmlinux default_read_file ffffffff81000200;"
			 "loop default_read_file ffffffffc0001000;"
			 "vmlinux weak_fn ffffffff81000300;"
			 "vmlinux stop ffffffff81000400;");
	fclose(ks);
}

Test(ptr, codegen)
{
	static const char *const exprs[] = {
		"(int *)arg0 + arg1", "*((long *)arg0 + 1)", "((char *)arg0)[3]",
		"&curthread->comm[2]", "curthread->comm[arg0]",
		"*(int *)copyin(arg0, 4)", "alloca(arg0)",
		"inet_ntop(arg0, (void *)arg1)", "inet_ntoa6((void *)arg0)",
	};

	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		char src[160];
		snprintf(src, sizeof(src), "BEGIN { trace(%s); }", exprs[i]);
		cr_expect_gt(tsm_codegen(src, NULL), 10, "%s", src);
	}
	cr_expect_gt(tsm_codegen("BEGIN { a = alloca(16); bcopy((void *)arg0, "
				 "a, 8); copyinto(arg1, 8, a + 8); }", NULL),
		     10);
	/* p + i scales i by the pointee's size: 8 for a long * */
	char *ir = NULL;
	tsm_codegen("BEGIN { trace((long *)arg0 + arg1); }", &ir);
	cr_expect(strstr(ir, "mul") != NULL && strstr(ir, ", 8") != NULL,
		  "%s", ir);
	free(ir);
}
