/*
 * test_usdt.c - dtrace -h / -G (usdt/): provider definitions to the model,
 * D types to C types and SDT argument sizes, the names of macros and
 * semaphores, the header's text (sed-safe), definition errors, and the
 * -G object read back with libelf.
 */
#include <criterion/criterion.h>
#include <gelf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlang.h"
#include "usdt.h"

static dl_macros_t tu_macros = { .target = -1 };

typedef struct tu {
	usdt_defs_t *defs;
	dl_error_t err;		/* when rc is -1 */
	int rc;
} tu_t;

static int tu_collect(usdt_defs_t *d, dl_ctx_t *cx, const dl_node_t *ast)
{
	jmp_buf jb;

	cx->jmp = &jb;
	if (setjmp(jb) != 0)
		return -1;
	usdt_defs_add(d, cx, ast);
	cx->jmp = NULL;
	return 0;
}

/* The providers of src, added to t->defs (made on first use). */
static void tu_add(tu_t *t, const char *src)
{
	dl_ctx_t *cx = dl_ctx_create(&tu_macros);
	dl_node_t *ast = NULL;

	if (t->defs == NULL)
		t->defs = usdt_defs_create();
	t->rc = dl_compile_parse(cx, src, "t.d", &ast);
	if (t->rc == 0)
		t->rc = tu_collect(t->defs, cx, ast);
	if (t->rc != 0)
		t->err = cx->err;
	dl_ctx_destroy(cx);
}

static tu_t tu_defs(const char *src)
{
	tu_t t = { .defs = NULL };

	tu_add(&t, src);
	return t;
}

/* ---- D types -> C types and sizes ------------------------------------------ */

static const struct {
	const char *decl;	/* a parameter as written */
	usdt_argkind_t kind;
	const char *ctype, *size;
} tu_types[] = {
	{ "int", USDT_ARG_SIGNED, "int", "-(int)sizeof(int)" },
	{ "unsigned", USDT_ARG_UNSIGNED, "unsigned int",
	  "(int)sizeof(unsigned int)" },
	{ "signed short int", USDT_ARG_SIGNED, "short", "-(int)sizeof(short)" },
	{ "unsigned short", USDT_ARG_UNSIGNED, "unsigned short",
	  "(int)sizeof(unsigned short)" },
	{ "long", USDT_ARG_SIGNED, "long", "-(int)sizeof(long)" },
	{ "unsigned long int", USDT_ARG_UNSIGNED, "unsigned long",
	  "(int)sizeof(unsigned long)" },
	{ "long long", USDT_ARG_SIGNED, "long long",
	  "-(int)sizeof(long long)" },
	{ "unsigned long long", USDT_ARG_UNSIGNED, "unsigned long long",
	  "(int)sizeof(unsigned long long)" },
	{ "char", USDT_ARG_CHAR, "char", "('\\377' < 0 ? -1 : 1)" },
	{ "signed char", USDT_ARG_SIGNED, "signed char",
	  "-(int)sizeof(signed char)" },
	{ "unsigned char", USDT_ARG_UNSIGNED, "unsigned char",
	  "(int)sizeof(unsigned char)" },
	{ "_Bool", USDT_ARG_UNSIGNED, "__dtrace_usdt_bool",
	  "(int)sizeof(__dtrace_usdt_bool)" },
	{ "const int", USDT_ARG_SIGNED, "int", "-(int)sizeof(int)" },
	{ "uint8_t", USDT_ARG_UNSIGNED, "__UINT8_TYPE__",
	  "(int)sizeof(__UINT8_TYPE__)" },
	{ "int16_t", USDT_ARG_SIGNED, "__INT16_TYPE__",
	  "-(int)sizeof(__INT16_TYPE__)" },
	{ "uint32_t", USDT_ARG_UNSIGNED, "__UINT32_TYPE__",
	  "(int)sizeof(__UINT32_TYPE__)" },
	{ "int64_t", USDT_ARG_SIGNED, "__INT64_TYPE__",
	  "-(int)sizeof(__INT64_TYPE__)" },
	{ "pid_t", USDT_ARG_SIGNED, "__INT32_TYPE__",
	  "-(int)sizeof(__INT32_TYPE__)" },
	{ "uintptr_t", USDT_ARG_UNSIGNED, "unsigned long",
	  "(int)sizeof(unsigned long)" },
	{ "size_t", USDT_ARG_UNSIGNED, "unsigned long",
	  "(int)sizeof(unsigned long)" },
	{ "ssize_t", USDT_ARG_SIGNED, "long", "-(int)sizeof(long)" },
	{ "char *", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
	{ "const char *name", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
	{ "string", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
	{ "int buf[4]", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
	{ "struct conn *c", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
	{ "void **", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
	{ "caddr_t", USDT_ARG_PTR, "const volatile void *",
	  "(int)sizeof(void *)" },
};

Test(usdt, argument_types_and_sizes)
{
	for (size_t i = 0; i < sizeof(tu_types) / sizeof(tu_types[0]); i++) {
		char src[256];
		dl_arena_t *a = dl_arena_create();

		snprintf(src, sizeof(src), "provider p { probe x(%s); };",
			 tu_types[i].decl);
		tu_t t = tu_defs(src);
		cr_assert_eq(t.rc, 0, "%s: %s", tu_types[i].decl, t.err.msg);
		cr_assert_eq(t.defs->nprovs, 1);
		cr_assert_eq(t.defs->provs[0].probes[0].nargs, 1);
		const usdt_arg_t *arg = &t.defs->provs[0].probes[0].args[0];
		cr_expect_eq(arg->kind, tu_types[i].kind, "%s: kind %d",
			     tu_types[i].decl, arg->kind);
		cr_expect_str_eq(arg->ctype, tu_types[i].ctype, "%s",
				 tu_types[i].decl);
		cr_expect_str_eq(usdt_arg_size_expr(a, arg), tu_types[i].size,
				 "%s", tu_types[i].decl);
		dl_arena_destroy(a);
		usdt_defs_destroy(t.defs);
	}
}

Test(usdt, script_typedefs_are_followed)
{
	tu_t t = tu_defs("typedef unsigned int Oid;\n"
			 "typedef Oid RelId;\n"
			 "typedef char *label_t;\n"
			 "provider p { probe x(Oid, RelId r, label_t); };\n");

	cr_assert_eq(t.rc, 0, "%s", t.err.msg);
	const usdt_probe_t *pr = &t.defs->provs[0].probes[0];
	cr_assert_eq(pr->nargs, 3);
	cr_expect_str_eq(pr->args[0].ctype, "unsigned int");
	cr_expect_eq(pr->args[0].kind, USDT_ARG_UNSIGNED);
	cr_expect_str_eq(pr->args[1].ctype, "unsigned int");
	cr_expect_str_eq(pr->args[1].name, "r");
	cr_expect_eq(pr->args[2].kind, USDT_ARG_PTR);
	usdt_defs_destroy(t.defs);
}

static void tu_expect_error(const char *src, dl_tag_t tag, int line, int col,
			    const char *msg);

Test(usdt, d_type_names_for_args)
{
	tu_t t = tu_defs("typedef unsigned int Oid;\n"
			 "typedef char *label_t;\n"
			 "typedef struct ci { int fd; } ci_t;\n"
			 "struct conn;\n"
			 "provider p { probe x(const char *q, Oid, label_t *l,\n"
			 "  string s, unsigned char c, long long ll, uint32_t u,\n"
			 "  struct conn *k, ci_t *ci, int (*fn)(int), char a[4],\n"
			 "  _Bool b); };\n");
	static const char *want[] = {
		"const char *", "unsigned int", "char **", "char *",
		"unsigned char", "long long", "uint32_t", "struct conn *",
		"ci_t *", "void *", "char *", "_Bool",
	};

	cr_assert_eq(t.rc, 0, "%s", t.err.msg);
	const usdt_probe_t *pr = &t.defs->provs[0].probes[0];
	cr_assert_eq(pr->nargs, 12);
	for (size_t i = 0; i < 12; i++)
		cr_expect_str_eq(pr->args[i].dtype, want[i], "arg %zu", i);
	cr_expect_eq(pr->nxargs, 0);
	usdt_defs_destroy(t.defs);
}

Test(usdt, translated_arguments_map_by_name)
{
	tu_t t = tu_defs("provider p {\n"
			 " probe swap(int a, char *b) : (char *b, int a);\n"
			 " probe pos(int, long) : (long, int);\n"
			 " probe none(int a) : (void);\n"
			 "};\n");

	cr_assert_eq(t.rc, 0, "%s", t.err.msg);
	const usdt_probe_t *pr = t.defs->provs[0].probes;
	cr_assert_eq(pr[0].nxargs, 2);
	cr_expect_str_eq(pr[0].xtypes[0], "char *");
	cr_expect_eq(pr[0].xmap[0], 1);
	cr_expect_eq(pr[0].xmap[1], 0);
	cr_assert_eq(pr[1].nxargs, 2);
	cr_expect_str_eq(pr[1].xtypes[0], "long");
	cr_expect_eq(pr[1].xmap[0], 0);
	cr_expect_eq(pr[1].xmap[1], 1);
	cr_expect_eq(pr[2].nxargs, 0);
	usdt_defs_destroy(t.defs);
	tu_expect_error("provider p { probe a(int x) : (int x, int y); };",
			D_PROTO_ARG, 1, 43, "probe a translated argument #2 has "
			"no native argument");
}

Test(usdt, providers_probes_and_names)
{
	tu_t t = tu_defs("#pragma D attributes Evolving/Evolving/Common provider "
			 "mysql provider\n"
			 "provider mysql {\n"
			 "\tprobe query__start(const char *query, unsigned long "
			 "connid, const char *db);\n"
			 "\tprobe none();\n"
			 "\tprobe empty(void);\n"
			 "};\n"
			 "provider other { };\n"
			 "BEGIN { }\n");

	cr_assert_eq(t.rc, 0, "%s", t.err.msg);
	cr_assert_eq(t.defs->nprovs, 2);
	cr_expect_str_eq(t.defs->provs[0].name, "mysql");
	cr_expect_str_eq(t.defs->provs[1].name, "other");
	cr_expect_eq(t.defs->provs[1].nprobes, 0);
	const usdt_prov_t *p = &t.defs->provs[0];
	cr_assert_eq(p->nprobes, 3);
	cr_expect_str_eq(p->probes[0].name, "query__start");
	cr_expect_eq(p->probes[0].nargs, 3);
	cr_expect_str_eq(p->probes[0].args[0].name, "query");
	cr_expect_eq(p->probes[1].nargs, 0);
	cr_expect_eq(p->probes[2].nargs, 0);
	/* a second script adds to a provider of the same name */
	tu_add(&t, "provider mysql { probe later(int); };");
	cr_assert_eq(t.rc, 0, "%s", t.err.msg);
	cr_expect_eq(t.defs->nprovs, 2);
	cr_expect_eq(t.defs->provs[0].nprobes, 4);
	usdt_defs_destroy(t.defs);
}

Test(usdt, macro_semaphore_and_guard_names)
{
	dl_arena_t *a = dl_arena_create();

	cr_expect_str_eq(usdt_macro_name(a, "postgresql", "query__start"),
			 "POSTGRESQL_QUERY_START");
	cr_expect_str_eq(usdt_macro_name(a, "python", "function__entry"),
			 "PYTHON_FUNCTION_ENTRY");
	cr_expect_str_eq(usdt_macro_name(a, "my__prov", "a-b_c"),
			 "MY_PROV_A_B_C");
	cr_expect_str_eq(usdt_macro_name(a, "p", "x1"), "P_X1");
	cr_expect_str_eq(usdt_sema_name(a, "postgresql", "query__start"),
			 "postgresql_query__start_semaphore");
	cr_expect_str_eq(usdt_header_guard(a, "src/probes.h"), "_PROBES_H");
	cr_expect_str_eq(usdt_header_guard(a, "pydtrace_probes.h"),
			 "_PYDTRACE_PROBES_H");
	cr_expect_str_eq(usdt_header_guard(a, "a-b.h"), "_A_B_H");
	dl_arena_destroy(a);
}

/* ---- errors ---------------------------------------------------------------- */

static void tu_expect_error(const char *src, dl_tag_t tag, int line, int col,
			    const char *msg)
{
	tu_t t = tu_defs(src);

	cr_expect_eq(t.rc, -1, "%s: accepted", src);
	cr_expect_eq(t.err.tag, tag, "%s: tag %s", src,
		     dl_tag_name(t.err.tag));
	cr_expect_eq(t.err.loc.line, line, "%s: line %d", src, t.err.loc.line);
	cr_expect_eq(t.err.loc.col, col, "%s: col %d", src, t.err.loc.col);
	cr_expect_str_eq(t.err.msg, msg);
	usdt_defs_destroy(t.defs);
}

Test(usdt, definition_errors)
{
	tu_expect_error("provider p {\n\tprobe a(int, double);\n};",
			D_PROTO_ARG, 2, 15, "probe a argument #2: a floating-point "
			"value cannot be passed to a probe");
	tu_expect_error("provider p {\n\tprobe a(struct s);\n};",
			D_PROTO_ARG, 2, 10, "probe a argument #1: struct s cannot "
			"be passed by value: pass a pointer");
	tu_expect_error("provider p { probe a(int, ...); };", D_PROTO_ARG, 1, 27,
			"probe a: a variable argument list cannot be passed to "
			"a probe");
	tu_expect_error("provider p { probe a(int, void); };", D_PROTO_ARG, 1,
			27, "probe a argument #2: void must be the only "
			"parameter");
	tu_expect_error("provider p {\n probe a(int);\n probe a(long);\n};",
			D_DECL_IDRED, 3, 2, "probe p:::a is already declared");
	tu_expect_error("provider p { probe a(int,int,int,int,int,int,int,int,"
			"int,int,int,int,int); };", D_PROTO_LEN, 1, 14,
			"probe a has 13 arguments (limit is 12)");
	tu_expect_error("provider p { probe a(int x y); };", D_SYNTAX, 1, 28,
			"syntax error near \"y\"");
}

/* ---- the header ------------------------------------------------------------ */

static char *tu_header(const char *src, const char *guard)
{
	tu_t t = tu_defs(src);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_eq(t.rc, 0, "%s", t.err.msg);
	usdt_header_write(f, t.defs, guard);
	fclose(f);
	usdt_defs_destroy(t.defs);
	return text;
}

/* Every line naming PYTHON_ names it once, as the macro it #defines: what
   CPython's sed s/PYTHON_/PyDTrace_/ (first match per line) needs. */
Test(usdt, header_is_sed_safe)
{
	char *h = tu_header("provider python {\n"
			    "\tprobe function__entry(const char *, const char *, "
			    "int);\n\tprobe gc__done(long);\n};\n",
			    "_PYDTRACE_PROBES_H");
	int defines = 0;

	for (char *line = strtok(h, "\n"); line; line = strtok(NULL, "\n")) {
		char *hit = strstr(line, "PYTHON_");
		if (hit == NULL)
			continue;
		cr_expect_eq(strncmp(line, "#define PYTHON_", 15), 0, "%s", line);
		cr_expect_null(strstr(hit + 1, "PYTHON_"), "%s", line);
		defines++;
	}
	cr_expect_eq(defines, 4);
	free(h);
}

Test(usdt, header_macros)
{
	char *h = tu_header("provider sample {\n"
			    "\tprobe query__start(const char *q, int id);\n"
			    "\tprobe tick();\n};\n", "_SAMPLE_H");

	cr_expect_not_null(strstr(h, "#ifndef\t_SAMPLE_H\n#define\t_SAMPLE_H\n"));
	cr_expect_not_null(strstr(h, "#ifdef __cplusplus\nextern \"C\" {\n"));
	cr_expect_not_null(strstr(h,
		"\n/* sample:::query__start(const volatile void *q, int id) */\n"
		"extern volatile unsigned short sample_query__start_semaphore;\n"
		"#define SAMPLE_QUERY_START(arg0, arg1) \\\n"
		"do { \\\n"
		"\t__asm__ __volatile__ (__dtrace_usdt_note(\"sample\", "
		"\"query__start\", \\\n"
		"\t    \"sample_query__start_semaphore\", "
		"\"%c[s0]@%[a0] %c[s1]@%[a1]\") \\\n"
		"\t    : : \\\n"
		"\t    [s0] \"n\" ((int)sizeof(void *)), [a0] __dtrace_usdt_in "
		"((const volatile void *)(arg0)), \\\n"
		"\t    [s1] \"n\" (-(int)sizeof(int)), [a1] __dtrace_usdt_in "
		"((int)(arg1))); \\\n"
		"} while (0)\n"
		"#define SAMPLE_QUERY_START_ENABLED() \\\n"
		"\t__builtin_expect(sample_query__start_semaphore != 0, 0)\n"),
		"%s", h);
	cr_expect_not_null(strstr(h,
		"#define SAMPLE_TICK() \\\n"
		"do { \\\n"
		"\t__asm__ __volatile__ (__dtrace_usdt_note(\"sample\", "
		"\"tick\", \\\n"
		"\t    \"sample_tick_semaphore\", \"\") \\\n"
		"\t    : :); \\\n"
		"} while (0)\n"), "%s", h);
	/* the note: type 3, owner "stapsdt", pc, base, semaphore, names */
	cr_expect_not_null(strstr(h, ".note.stapsdt"));
	cr_expect_not_null(strstr(h, "772f-771f, 774f-773f, 3"));
	cr_expect_not_null(strstr(h, ".stapsdt.base, comdat"));
	cr_expect_null(strstr(h, "#include"));
	free(h);
}

/* ---- the -G object ---------------------------------------------------------- */

Test(usdt, object_defines_hidden_semaphores)
{
	tu_t t = tu_defs("provider a { probe x(int); probe y(); };\n"
			 "provider b { probe z__w(char *); };\n");
	char path[] = "/tmp/test_usdt.XXXXXX", err[256] = "";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(usdt_object_write(t.defs, path, "dir/p.d", 0, NULL, err,
				       sizeof(err)), 0, "%s", err);
	usdt_defs_destroy(t.defs);

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	size_t shstrndx;
	cr_assert_not_null(gelf_getehdr(e, &eh));
	cr_expect_eq(eh.e_type, ET_REL);
	cr_expect_eq(eh.e_machine, EM_X86_64);
	cr_expect_eq(eh.e_ident[EI_CLASS], ELFCLASS64);
	elf_getshdrstrndx(e, &shstrndx);

	char names[256] = "", syms[512] = "";
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		const char *n = elf_strptr(e, shstrndx, sh.sh_name);
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s ", n);
		if (strcmp(n, ".probes") == 0) {
			cr_expect_eq(sh.sh_type, SHT_PROGBITS);
			cr_expect_eq(sh.sh_flags, SHF_ALLOC | SHF_WRITE);
			cr_expect_eq(sh.sh_size, 6);
			cr_expect_eq(sh.sh_addralign, 2);
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			gelf_getsym(d, (int)i, &s);
			snprintf(syms + strlen(syms), sizeof(syms) - strlen(syms),
				 "%s/%d/%d/%d/%d/%d ",
				 elf_strptr(e, sh.sh_link, s.st_name),
				 GELF_ST_BIND(s.st_info), GELF_ST_TYPE(s.st_info),
				 GELF_ST_VISIBILITY(s.st_other), (int)s.st_value,
				 (int)s.st_size);
		}
	}
	cr_expect_str_eq(names, ".probes .note.GNU-stack .note.dtrace-provdefs "
			 ".strtab .symtab "
			 ".shstrtab ");
	cr_expect_str_eq(syms, "p.d/0/4/0/0/0 /0/3/0/0/0 "
			 "a_x_semaphore/1/1/2/0/2 a_y_semaphore/1/1/2/2/2 "
			 "b_z__w_semaphore/1/1/2/4/2 ");
	elf_end(e);
	close(fd);
	unlink(path);
}

Test(usdt, object_refuses_bad_inputs)
{
	tu_t t = tu_defs("provider a { probe x(); };");
	char path[] = "/tmp/test_usdt.XXXXXX", err[256] = "";
	int fd = mkstemp(path);
	char *objv[] = { path };

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "not elf", 7), 7);
	close(fd);
	cr_expect_eq(usdt_object_write(t.defs, "/tmp/test_usdt.never.o", "p.d",
				       1, objv, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "is not an ELF relocatable object"),
			   "%s", err);
	cr_expect_eq(usdt_object_write(t.defs, path, "p.d", 1, objv, err,
				       sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "is also an input object"), "%s", err);
	cr_expect_eq(access("/tmp/test_usdt.never.o", F_OK), -1);
	usdt_defs_destroy(t.defs);
	unlink(path);
}
