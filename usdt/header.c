/*
 * header.c - `dtrace -h`: the C/C++ header of a set of providers.
 *
 * The header is self-contained (no <sys/sdt.h>, no system header at all)
 * and works from C and C++, at every optimization level, with -fPIC and
 * with LTO.  For each probe p:::a__b(int, char *) it declares the
 * semaphore and defines two macros:
 *
 *   P_A_B(arg0, arg1)   one asm statement in a do/while(0), so it is a
 *                       statement anywhere (after an if without braces, in
 *                       a switch); each argument is evaluated once, cast
 *                       to its declared type (defs.c) and handed to the asm
 *                       as a constant or a register (constraint "nr"), or
 *                       where registers are few (i386) also as a memory
 *                       operand ("nor"): the compiler writes where each
 *                       value is into the argument string, which the SDT
 *                       v3 format defines as "size@operand", e.g.
 *                       "-4@%edi 8@%rsi", size negative when signed.
 *                       (Memory operands can use an index register,
 *                       "8@(%rdi,%rax,8)", which older consumers such as
 *                       bpftrace 0.17 cannot read: registers are read by
 *                       every consumer.)
 *   P_A_B_ENABLED()     nonzero while a tracer holds the probe: the kernel's
 *                       uprobe reference counter raises the semaphore.
 *
 * The asm leaves a nop at the probe site (a 5-byte nop on x86, which the
 * kernel can turn into a cheaper uprobe than a 1-byte one) and, in section
 * .note.stapsdt, a note of type 3 owned by "stapsdt" whose description is
 * the site's address, the address of the .stapsdt.base section, the
 * semaphore's address, then the provider name, the probe name and the
 * argument string, each NUL-terminated.  .stapsdt.base is one byte in a
 * COMDAT group, defined once per assembly file (.ifndef: LTO puts many
 * translation units in one), so a linked object has exactly one and a
 * consumer compares its address with the one in the notes to learn how far
 * the object moved (prelink).  The note section is marked "?" so that a
 * probe in an inline function or template instance (a COMDAT group) takes
 * its note with it when the linker drops a duplicate.
 *
 * Only the public macro names contain the upper-case provider name, one per
 * line, and at the start of their #define: builds rewrite them with sed
 * (PostgreSQL: s/POSTGRESQL_/TRACE_POSTGRESQL_/g; CPython: s/PYTHON_/
 * PyDTrace_/, first match on each line only).  The shared helper macros
 * are lower case and guarded by a version, so headers for several
 * providers can be included together.
 */
#include <ctype.h>
#include <string.h>

#include "usdt.h"

static const char usdt_helpers[] =
"#ifndef __dtrace_usdt_v1\n"
"#define __dtrace_usdt_v1 1\n"
"#if defined(__x86_64__) || defined(__i386__)\n"
"#define __dtrace_usdt_nop \".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\"\n"
"#else\n"
"#define __dtrace_usdt_nop \"nop\"\n"
"#endif\n"
"#if defined(__x86_64__) || defined(__aarch64__)\n"
"#define __dtrace_usdt_in \"nr\"\n"
"#else\n"
"#define __dtrace_usdt_in \"nor\"\n"
"#endif\n"
"#if __SIZEOF_POINTER__ == 8\n"
"#define __dtrace_usdt_addr \".8byte\"\n"
"#else\n"
"#define __dtrace_usdt_addr \".4byte\"\n"
"#endif\n"
"#ifdef __cplusplus\n"
"#define __dtrace_usdt_bool bool\n"
"#else\n"
"#define __dtrace_usdt_bool _Bool\n"
"#endif\n"
"/* A probe site: a nop and its SystemTap v3 note (see dtrace(8)). */\n"
"#define __dtrace_usdt_note(prov, name, sema, args) \\\n"
"\t\"770:\\t\" __dtrace_usdt_nop \"\\n\" \\\n"
"\t\"\\t.pushsection .note.stapsdt, \\\"?\\\", \\\"note\\\"\\n\" \\\n"
"\t\"\\t.balign 4\\n\" \\\n"
"\t\"\\t.4byte 772f-771f, 774f-773f, 3\\n\" \\\n"
"\t\"771:\\t.asciz \\\"stapsdt\\\"\\n\" \\\n"
"\t\"772:\\t.balign 4\\n\" \\\n"
"\t\"773:\\t\" __dtrace_usdt_addr \" 770b\\n\" \\\n"
"\t\"\\t\" __dtrace_usdt_addr \" _.stapsdt.base\\n\" \\\n"
"\t\"\\t\" __dtrace_usdt_addr \" \" sema \"\\n\" \\\n"
"\t\"\\t.asciz \\\"\" prov \"\\\"\\n\" \\\n"
"\t\"\\t.asciz \\\"\" name \"\\\"\\n\" \\\n"
"\t\"\\t.asciz \\\"\" args \"\\\"\\n\" \\\n"
"\t\"774:\\t.balign 4\\n\" \\\n"
"\t\"\\t.popsection\\n\" \\\n"
"\t\"\\t.ifndef _.stapsdt.base\\n\" \\\n"
"\t\"\\t.pushsection .stapsdt.base, \\\"aG\\\", \\\"progbits\\\", "
".stapsdt.base, comdat\\n\" \\\n"
"\t\"\\t.weak _.stapsdt.base\\n\" \\\n"
"\t\"\\t.hidden _.stapsdt.base\\n\" \\\n"
"\t\"_.stapsdt.base:\\n\" \\\n"
"\t\"\\t.space 1\\n\" \\\n"
"\t\"\\t.size _.stapsdt.base, 1\\n\" \\\n"
"\t\"\\t.popsection\\n\" \\\n"
"\t\"\\t.endif\\n\"\n"
"#endif /* __dtrace_usdt_v1 */\n";

char *usdt_header_guard(dl_arena_t *a, const char *path)
{
	const char *base = strrchr(path, '/');
	char *g = dl_sprintf(a, "_%s", base ? base + 1 : path);

	for (char *p = g; *p != '\0'; p++)
		*p = isalnum((unsigned char)*p) ? (char)toupper(
			(unsigned char)*p) : '_';
	return g;
}

/* "%c[s0]@%[a0] %c[s1]@%[a1]": the compiler fills in each operand. */
static void spec_string(FILE *out, const usdt_probe_t *pr)
{
	fputc('"', out);
	for (size_t i = 0; i < pr->nargs; i++)
		fprintf(out, "%s%%c[s%zu]@%%[a%zu]", i ? " " : "", i, i);
	fputc('"', out);
}

static void probe_macro(FILE *out, dl_arena_t *a, const usdt_prov_t *p,
			const usdt_probe_t *pr)
{
	const char *sema = usdt_sema_name(a, p->name, pr->name);

	fprintf(out, "extern volatile unsigned short %s;\n", sema);
	fprintf(out, "#define %s(", usdt_macro_name(a, p->name, pr->name));
	for (size_t i = 0; i < pr->nargs; i++)
		fprintf(out, "%sarg%zu", i ? ", " : "", i);
	fprintf(out, ") \\\ndo { \\\n\t__asm__ __volatile__ ("
		"__dtrace_usdt_note(\"%s\", \"%s\", \\\n\t    \"%s\", ",
		p->name, pr->name, sema);
	spec_string(out, pr);
	fprintf(out, ") \\\n\t    : :");
	for (size_t i = 0; i < pr->nargs; i++)
		fprintf(out, "%s \\\n\t    [s%zu] \"n\" (%s), "
			"[a%zu] __dtrace_usdt_in ((%s)(arg%zu))", i ? "," : "", i,
			usdt_arg_size_expr(a, &pr->args[i]), i,
			pr->args[i].ctype, i);
	fprintf(out, "); \\\n} while (0)\n");
	fprintf(out, "#define %s_ENABLED() \\\n"
		"\t__builtin_expect(%s != 0, 0)\n",
		usdt_macro_name(a, p->name, pr->name), sema);
}

static void probe_comment(FILE *out, const usdt_prov_t *p,
			  const usdt_probe_t *pr)
{
	fprintf(out, "\n/* %s:::%s(", p->name, pr->name);
	for (size_t i = 0; i < pr->nargs; i++) {
		const usdt_arg_t *a = &pr->args[i];
		bool ptr = a->ctype[strlen(a->ctype) - 1] == '*';

		fprintf(out, "%s%s%s%s", i ? ", " : "", a->ctype,
			a->name && !ptr ? " " : "", a->name ? a->name : "");
	}
	fprintf(out, ") */\n");
}

void usdt_header_write(FILE *out, const usdt_defs_t *d, const char *guard)
{
	dl_arena_t *a = dl_arena_create();

	fprintf(out, "/*\n * Generated by dtrace(1) -h: USDT probes (SystemTap "
		"v3 SDT notes).\n * Link with the object `dtrace -G` makes from "
		"the same definitions.\n */\n\n");
	fprintf(out, "#ifndef\t%s\n#define\t%s\n\n%s\n", guard, guard,
		usdt_helpers);
	fprintf(out, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
	for (size_t i = 0; i < d->nprovs; i++) {
		const usdt_prov_t *p = &d->provs[i];

		fprintf(out, "\n/* provider %s */\n", p->name);
		for (size_t j = 0; j < p->nprobes; j++) {
			probe_comment(out, p, &p->probes[j]);
			probe_macro(out, a, p, &p->probes[j]);
		}
	}
	fprintf(out, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s */\n",
		guard);
	dl_arena_destroy(a);
}
