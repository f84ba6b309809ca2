/*
 * usdt.h - `dtrace -h` and `dtrace -G`: the application side of USDT,
 * sectioned by file.
 *
 * An application describes its probes in a D provider definition
 *     provider sample { probe query__start(const char *q, int id); };
 * `dtrace -h` turns it into a C/C++ header whose SAMPLE_QUERY_START(q, id)
 * macro leaves a nop at the call site and a SystemTap v3 SDT note
 * describing it (the format stock python3 and postgres carry, which our
 * usdt provider, bpftrace, perf and gdb all read), and whose
 * SAMPLE_QUERY_START_ENABLED() reads the probe's semaphore.  `dtrace -G`
 * writes the object that defines the semaphores.
 *
 *   defs.c    provider definitions (from the D parser's tree) -> the
 *             model below; D types -> C types and argument sizes; names
 *   header.c  the model -> the header text
 *   object.c  the model -> the ELF object of -G (libelf)
 *   usdt.c    the library API behind both (include/dtrace.h): cpp,
 *             parsing, errors
 *
 * Naming, fixed by what consumers and build systems expect:
 *   - the note carries the provider and probe names as written in the
 *     definition ("query__start"; consumers show "__" as "-");
 *   - macros are PROVIDER_PROBE with "__" -> "_", upper case;
 *   - the semaphore of p:::a__b is the symbol p_a__b_semaphore, 2 bytes in
 *     section .probes (systemtap's names, so mixed builds agree);
 *   - nothing but the public macros contains the upper-case provider name:
 *     PostgreSQL and CPython rewrite those with sed.
 */
#ifndef USDT_H
#define USDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dlang.h"

#define USDT_MAXARGS 12		/* SDT v3 consumers read at most 12 */

/* ---- defs.c: provider definitions ---------------------------------------- */

typedef enum {
	USDT_ARG_SIGNED,	/* an integer type known to be signed */
	USDT_ARG_UNSIGNED,	/* an integer type known to be unsigned */
	USDT_ARG_CHAR,		/* plain char: signed or not by the target */
	USDT_ARG_PTR,		/* pointers, arrays, functions, D strings */
} usdt_argkind_t;

typedef struct usdt_arg {
	usdt_argkind_t kind;
	const char *ctype;	/* the C type the macro casts to */
	const char *dtype;	/* its D type for args[]: "const char *",
				   the script's typedefs followed */
	const char *name;	/* the parameter's name, or NULL */
} usdt_arg_t;

typedef struct usdt_probe {
	const char *name;	/* as written: "query__start" */
	usdt_arg_t *args;	/* the native arguments (the note's) */
	size_t nargs;
	/* `probe p(int a, char *b) : (char *b, int a)`: the translated
	   arguments (what args[] are), each from native argument xmap[i]
	   (by parameter name, else by position); none: the native ones */
	const char **xtypes;
	int *xmap;
	size_t nxargs;
} usdt_probe_t;

typedef struct usdt_prov {
	const char *name;
	usdt_probe_t *probes;
	size_t nprobes, cap;
} usdt_prov_t;

/* Every provider of the scripts given, in order of definition. */
typedef struct usdt_defs {
	dl_arena_t *arena;	/* owns everything below */
	usdt_prov_t *provs;
	size_t nprovs, cap;
} usdt_defs_t;

usdt_defs_t *usdt_defs_create(void);
void usdt_defs_destroy(usdt_defs_t *d);

/*
 * Add the provider definitions among the top-level nodes of a parsed
 * script; other declarations and clauses are ignored.  A user error
 * (an unsupported argument type, a probe declared twice, too many
 * arguments) goes through dl_error(), so call under cx->jmp.
 */
void usdt_defs_add(usdt_defs_t *d, dl_ctx_t *cx, const dl_node_t *ast);

/* The C type and kind of one parameter (an ND_TYPE of a probe prototype);
   typedefs declared in the script (ast) are followed.  NULL for a lone
   `void`.  dl_error() on what a probe cannot pass. */
const usdt_arg_t *usdt_arg_type(dl_ctx_t *cx, const dl_node_t *ast,
				const dl_node_t *param);

/* Names, in the arena: "SAMPLE_QUERY_START", "sample_query__start_semaphore". */
char *usdt_macro_name(dl_arena_t *a, const char *prov, const char *probe);
char *usdt_sema_name(dl_arena_t *a, const char *prov, const char *probe);
/* The constant expression of an argument's SDT size: -4 for int, 8 for a
   pointer on x86_64 ("-(int)sizeof(int)", "(int)sizeof(void *)"). */
char *usdt_arg_size_expr(dl_arena_t *a, const usdt_arg_t *arg);

/*
 * The provider definitions -G records in its object, for the consumer's
 * typed args[] (the usdt provider reads them back from the linked file):
 * a non-allocated note section, kept by the linker in the executable or
 * shared library and ignored at run time, with one note per probe, owner
 * "dtrace", type USDT_NT_PROBEDEF, whose descriptor is NUL-terminated
 * strings: provider, probe (as written), the number of native arguments
 * and their D types, then the number of translated arguments and for each
 * its D type and the index of the native argument it is from.  The note
 * type (its low half) is the format's version.
 */
#define USDT_DEFS_SECTION ".note.dtrace-provdefs"
#define USDT_DEFS_OWNER "dtrace"
#define USDT_NT_PROBEDEF 0x44540001	/* "DT", version 1 */

/* ---- header.c: dtrace -h ------------------------------------------------- */

/* The header for every provider of d.  guard: its include guard. */
void usdt_header_write(FILE *out, const usdt_defs_t *d, const char *guard);
/* "_PROBES_H" for ".../probes.h". */
char *usdt_header_guard(dl_arena_t *a, const char *path);

/* ---- object.c: dtrace -G ------------------------------------------------- */

/*
 * Write the ELF relocatable object defining every semaphore of d, for the
 * target of the input objects objv (x86_64 if none), with the GNU property
 * notes they all share.  The inputs are only read.  0, or -1 with a
 * message in err.
 */
int usdt_object_write(const usdt_defs_t *d, const char *ofile,
		      const char *srcname, int objc, char *const objv[],
		      char *err, size_t errlen);

#endif /* USDT_H */
