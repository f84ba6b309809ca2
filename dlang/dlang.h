/*
 * dlang.h - the D compiler's front end: diagnostics, arena, AST, lexer/parser,
 * types, semantic pass, lowering to IR, and the driver that runs the passes.
 *
 * The back end (IR, passes, BPF selection, register allocation, emission,
 * disassembly) is declared in ir.h.  Everything here is internal to the
 * compiler; the library sees only dl_compile() and the program description it
 * returns (dl_prog_t), declared at the end of this file.
 *
 * Memory: every node, string and table made while compiling one program lives
 * in one arena (dl_arena_t) freed with one call.  No globals: all state hangs
 * off a dl_ctx_t passed explicitly.
 */
#ifndef DLANG_H
#define DLANG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- arena.c ------------------------------------------------------------ */

typedef struct dl_arena dl_arena_t;

dl_arena_t *dl_arena_create(void);
void dl_arena_destroy(dl_arena_t *a);
void *dl_alloc(dl_arena_t *a, size_t size);            /* zeroed, 16-aligned */
char *dl_strdup(dl_arena_t *a, const char *s);
char *dl_strndup(dl_arena_t *a, const char *s, size_t n);
char *dl_sprintf(dl_arena_t *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grow an arena-backed vector: *vec has *cap elements of size esz. */
void dl_vec_grow(dl_arena_t *a, void **vec, size_t *cap, size_t need, size_t esz);

/* ---- diag.c: user errors (error channel 1) ---------------------------- */

/*
 * Every diagnostic the compiler can give is declared once in dl_tags.h with
 * its DTrace tag; a user error carries a location and a tag, and is formatted
 * DTrace's way by the library (see dl_error_t).
 */
typedef enum {
#define DL_TAG(name) name,
#include "dl_tags.h"
#undef DL_TAG
	D_NTAGS
} dl_tag_t;

const char *dl_tag_name(dl_tag_t tag);

typedef struct dl_loc {
	const char *file;	/* script name, or NULL for -n text */
	int line;		/* 1-based */
	int col;		/* 1-based; 0 if unknown */
} dl_loc_t;

typedef struct dl_error {
	dl_tag_t tag;
	dl_loc_t loc;
	char msg[512];		/* message without location or tag */
	char srcline[256];	/* the offending source line, if known, or
				   "..." and the part of it around loc.col */
	int srccol;		/* loc.col's column in srcline (1-based) */
} dl_error_t;

typedef struct dl_ctx dl_ctx_t;

/* Record a user error and longjmp out of the compilation (never returns). */
_Noreturn void dl_error(dl_ctx_t *cx, dl_loc_t loc, dl_tag_t tag,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Note a warning: the compilation goes on, and the library prints each
   message once after it ("dtrace: msg"), from cx->warns. */
void dl_warn(dl_ctx_t *cx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- ast.c -------------------------------------------------------------- */

typedef enum {
	/* expressions */
	ND_INT,		/* ival; is_unsigned/is_long from suffix */
	ND_STR,		/* sval, slen (escapes already decoded) */
	ND_IDENT,	/* name: variable, built-in, inline, or enum constant */
	ND_SELF,	/* self->name (thread-local) */
	ND_THIS,	/* this->name (clause-local) */
	ND_AGGREF,	/* @name (name "" for the anonymous one); args = keys */
	ND_UNARY,	/* op in {'-','+','!','~','*','&'}; lhs */
	ND_PREINC, ND_PREDEC, ND_POSTINC, ND_POSTDEC, /* lhs */
	ND_BINARY,	/* op: a dl_binop_t; lhs, rhs */
	ND_LOGAND, ND_LOGOR, ND_LOGXOR, /* lhs, rhs (short-circuit for && ||) */
	ND_ASSIGN,	/* op: BOP_NONE for '=', else the dl_binop_t of op= ;
			   lhs, rhs */
	ND_TERNARY,	/* cond, lhs (then), rhs (else) */
	ND_CALL,	/* name (function/action/subroutine); args */
	ND_INDEX,	/* lhs[args] (associative array or C array) */
	ND_MEMBER,	/* lhs.name */
	ND_PTRMEMBER,	/* lhs->name */
	ND_CAST,	/* (type)lhs; type in typ */
	ND_SIZEOF_TYPE,	/* sizeof (type); typ */
	ND_SIZEOF_EXPR,	/* sizeof expr; lhs */
	ND_OFFSETOF,	/* offsetof(type, name); typ, name */
	ND_STRINGOF,	/* stringof expr; lhs */
	ND_XLATE,	/* xlate <type> (lhs); typ */
	ND_COMMA,	/* lhs, rhs */
	ND_SYMADDR,	/* the address of a backquoted kernel symbol: ival,
			   name as written; its type (a pointer) set by sema
			   when it made the node (sema_sym.c) */

	/* statements */
	ND_EXPR_STMT,	/* lhs: an expression or action call */
	ND_AGG_STMT,	/* @name[keys] = func(args): lhs = ND_AGGREF, rhs = ND_CALL */
	ND_IF,		/* cond, body (then), els (else) - Oracle D extension */
	ND_BLOCK,	/* body: list of statements */
	ND_EMPTY,	/* ';' */

	/* top level (the program is a list of these) */
	ND_CLAUSE,	/* probes: list of ND_PROBEDESC; cond: predicate or
			   NULL; body: list of statements */
	ND_PROBEDESC,	/* name: the description text as written, e.g.
			   "syscall::open*:entry" (after macro expansion) */
	ND_DECL,	/* declaration: typ (decl specifiers + declarator),
			   name (declared identifier or NULL), storage class,
			   init (for inline) */
	ND_INLINE,	/* inline type name = expr; typ, name, lhs = expr */
	ND_XLATOR,	/* translator outtype < intype name > { members };
			   typ = output type, ityp = input type, name = input
			   identifier, body = list of ND_ASSIGN (member = expr) */
	ND_PROVIDER,	/* provider name { probe decls }; name, body */
	ND_PROBEPROTO,	/* probe name(args) : (xargs); name, args = types */
	ND_TYPEDECL,	/* struct/union/enum definition at top level; typ */

	/* type names (what a cast, sizeof, declaration or translator names) */
	ND_TYPE,	/* see dl_tspec_t */

	ND_NKINDS
} dl_nodekind_t;

typedef enum {
	BOP_NONE = -1,	/* plain '=' in ND_ASSIGN (BOP_MUL is 0) */
	BOP_MUL, BOP_DIV, BOP_MOD, BOP_ADD, BOP_SUB, BOP_SHL, BOP_SHR,
	BOP_LT, BOP_GT, BOP_LE, BOP_GE, BOP_EQ, BOP_NE,
	BOP_AND, BOP_XOR, BOP_OR,
	BOP_NOPS
} dl_binop_t;

/*
 * A type as written: decl specifiers plus a declarator chain.  The semantic
 * pass resolves it to a dl_type_t.  Kept deliberately simple: the parser
 * records what it saw, sema interprets it.
 */
typedef enum {
	TS_VOID = 1 << 0, TS_CHAR = 1 << 1, TS_SHORT = 1 << 2, TS_INT = 1 << 3,
	TS_LONG = 1 << 4, TS_LONGLONG = 1 << 5, TS_SIGNED = 1 << 6,
	TS_UNSIGNED = 1 << 7, TS_FLOAT = 1 << 8, TS_DOUBLE = 1 << 9,
	TS_STRING = 1 << 10, TS_BOOL = 1 << 11,
	TS_STRUCT = 1 << 12, TS_UNION = 1 << 13, TS_ENUM = 1 << 14,
	TS_TYPEDEF = 1 << 15,	/* tname names a typedef (e.g. uint64_t) */
	TS_CONST = 1 << 16, TS_VOLATILE = 1 << 17, TS_RESTRICT = 1 << 18,
} dl_tspec_flags_t;

typedef enum {
	SC_NONE, SC_EXTERN, SC_STATIC, SC_REGISTER, SC_AUTO, SC_TYPEDEF,
	SC_SELF, SC_THIS
} dl_storage_t;

typedef struct dl_node dl_node_t;

typedef enum { DCL_PTR, DCL_ARRAY, DCL_FUNC } dl_dclkind_t;

/* One step of a declarator, outermost first: "int *a[4]" is ARRAY(4) -> PTR. */
typedef struct dl_dcl {
	dl_dclkind_t kind;
	dl_node_t *dim;		/* DCL_ARRAY: dimension expression or NULL;
				   for associative arrays a list of types */
	dl_node_t *params;	/* DCL_FUNC: list of ND_TYPE */
	unsigned quals;		/* TS_CONST etc. on a pointer */
	struct dl_dcl *next;
} dl_dcl_t;

typedef struct dl_tspec {
	unsigned flags;		/* dl_tspec_flags_t bits */
	const char *tname;	/* struct/union/enum tag or typedef name */
	const char *scope;	/* `vmlinux`struct task_struct: "vmlinux" */
	dl_node_t *members;	/* struct/union body (list of ND_DECL) or
				   enum body (list of ND_IDENT with init) */
	bool has_body;		/* struct/union/enum defined here */
	dl_dcl_t *dcl;		/* declarator chain, NULL for a plain type */
} dl_tspec_t;

struct dl_node {
	dl_nodekind_t kind;
	dl_loc_t loc;
	int op;			/* dl_binop_t, unary char, or 0 */
	dl_node_t *lhs, *rhs;	/* operands */
	dl_node_t *cond;	/* ternary/if condition, clause predicate */
	dl_node_t *body;	/* statement list / clause body / members */
	dl_node_t *els;		/* else branch */
	dl_node_t *args;	/* call arguments, index keys, probe list */
	dl_node_t *init;	/* initializer (enum value, inline value) */
	dl_node_t *next;	/* next in a list */
	const char *name;	/* identifier, function, member, probe desc */
	int64_t ival;		/* integer literal value */
	const char *sval;	/* string literal bytes (NUL terminated) */
	size_t slen;		/* string literal length without NUL */
	bool is_unsigned;	/* integer literal had a u suffix or is hex > max */
	int lsuffix;		/* number of l's in the suffix */
	dl_storage_t storage;	/* declarations */
	dl_tspec_t *typ;	/* ND_TYPE, casts, sizeof, decls */
	dl_tspec_t *ityp;	/* translator input type */
	const struct dl_type *type;	/* set by sema: the expression type */
	void *sema;		/* sema-private annotation */
	int depth;		/* expressions: 1 + the deepest operand's
				   (parse.y, at most DL_MAX_NESTING) */
};

#define DL_MAX_NESTING 1000	/* expression depth: the passes recurse */

dl_node_t *dl_node_new(dl_ctx_t *cx, dl_nodekind_t kind, dl_loc_t loc);
/* Append b to the list a (either may be NULL); returns the head. */
dl_node_t *dl_list_append(dl_node_t *a, dl_node_t *b);
/* Print the tree in its -x tree text form. */
void dl_ast_dump(FILE *out, const dl_node_t *prog);
const char *dl_nodekind_name(dl_nodekind_t k);
const char *dl_binop_name(dl_binop_t op);	/* "+", "<=", ... */

/* ---- lex.l / parse.y ---------------------------------------------------- */

/*
 * Parse D source text into a list of top-level nodes.  Macro arguments ($1,
 * $$1, $target, $pid, ...) are expanded by the lexer from cx->macros, DTrace's
 * way: $N as an integer or identifier token, $$N as a string token.
 * `#pragma D option x=y` lines reach cx via dl_pragma().  On a syntax error
 * calls dl_error() with D_SYNTAX and DTrace's wording:
 *   syntax error near "TOKEN"
 */
dl_node_t *dl_parse(dl_ctx_t *cx, const char *text, const char *filename);
/* Which line of cx->src holds line loc.line of loc.file (they differ after
   cpp's `# N "file"` markers); 0 if that line is not in cx->src. */
int dl_src_line(const dl_ctx_t *cx, dl_loc_t loc);

/* ---- types.c ------------------------------------------------------------ */

typedef enum {
	TY_VOID, TY_INT, TY_PTR, TY_ARRAY, TY_STRING, TY_STRUCT, TY_UNION,
	TY_ENUM, TY_FUNC,
} dl_typekind_t;

typedef struct dl_type {
	dl_typekind_t kind;
	const char *name;	/* "int", "uint64_t", "string", ... */
	unsigned size;		/* bytes */
	bool is_signed;		/* TY_INT */
	const struct dl_type *base;	/* pointee / element */
	unsigned nelems;	/* TY_ARRAY */
	int32_t btf_id;		/* TY_STRUCT, TY_UNION: its kernel BTF id */
	const struct dl_sou *sou;	/* TY_STRUCT, TY_UNION declared in D:
					   its members (dtypes.c) */
	const struct dl_enumr *enums;	/* TY_ENUM declared in D: its
					   enumerators, for print() */
	size_t nenums;
	uint8_t bits;		/* a bit-field member's type: its width (0:
				   not a bit-field); size is then the bytes of
				   the container read and written, base the
				   declared integer type */
	uint8_t bitoff;		/* ... the field's lowest bit in the
				   container (little-endian) */
} dl_type_t;

typedef struct dl_enumr {
	const char *name;
	int64_t val;
} dl_enumr_t;

/* The built-in D types, owned by the context. */
typedef struct dl_types {
	dl_type_t t_void, t_char, t_schar, t_uchar, t_short, t_ushort, t_int,
		t_uint, t_long, t_ulong, t_llong, t_ullong, t_string, t_voidp,
		t_bool;
	/* D's standard typedefs (int8_t ... uint64_t, pid_t, ...) */
	dl_type_t typedefs[48];
	size_t ntypedefs;
} dl_types_t;

void dl_types_init(dl_types_t *t);
/* The usual arithmetic conversions of C on two integer types. */
const dl_type_t *dl_type_arith(const dl_types_t *t, const dl_type_t *a,
			       const dl_type_t *b);
/* Integer promotion (char/short -> int). */
const dl_type_t *dl_type_promote(const dl_types_t *t, const dl_type_t *a);
/* A base type by C name ("unsigned long", "int64_t"), or NULL. */
const dl_type_t *dl_type_by_name(const dl_types_t *t, const char *name);
/* The type of a bit-field of integer type decl, width bits at bit bitpos
   of its struct: the container it is read from is decl's size at a
   multiple of it when the field lies in one (C's layout on x86_64 always
   does), else the smallest of 1, 2, 4, 8 bytes from the byte holding its
   first bit; *off is the container's byte offset.  NULL when no 8 bytes
   hold it. */
const dl_type_t *dl_type_bitfield(dl_arena_t *a, const dl_type_t *decl,
				  uint32_t bitpos, unsigned width,
				  uint32_t *off);
static inline bool dl_type_is_int(const dl_type_t *t)
{
	return t->kind == TY_INT || t->kind == TY_ENUM;
}
static inline bool dl_type_is_scalar(const dl_type_t *t)
{
	return dl_type_is_int(t) || t->kind == TY_PTR;
}
static inline bool dl_type_is_sou(const dl_type_t *t)
{
	return t->kind == TY_STRUCT || t->kind == TY_UNION;
}

/* ---- sema.c: the semantic pass ------------------------------------------ */

/* What an identifier names, from dl_idents.h. */
typedef enum {
#define DL_VAR(name, type, ok) DL_V_##name,
#include "dl_idents.h"
#undef DL_VAR
	DL_NVARS
} dl_var_t;

typedef enum { DL_FK_ACT, DL_FK_SUBR, DL_FK_AGG, DL_FK_DACT } dl_fkind_fn_t;

typedef enum {
#define DL_FUNC(name, kind, min, max, ok) DL_FN_##name,
#include "dl_idents.h"
#undef DL_FUNC
	DL_NFUNCS
} dl_func_t;

typedef struct dl_clause dl_clause_t;

/*
 * Type-check one clause (predicate and statements) and lay out its record:
 * fills clause->acts and clause->recsize, and annotates every expression
 * node with its type (node->type) and every action statement with its
 * dl_action_t (node->sema).  strsize is the string size in records.
 */
void dl_sema_clause(dl_ctx_t *cx, dl_clause_t *clause, unsigned strsize);
/* Check a top-level declaration (see dl_compile_decl); lazy for the D
   library's. */
void dl_sema_decl(dl_ctx_t *cx, dl_node_t *decl);
/* Type-check expression e outside any clause (translator members):
   annotates it, returns its type. */
const dl_type_t *dl_sema_expr_type(dl_ctx_t *cx, dl_node_t *e);

/* sema_printf.c: check printf's arguments against its format the way DTrace
   does and lay them out with record(arg, node) into a->fields. */
struct dl_action;
struct dl_field;
void dl_sema_printf(dl_ctx_t *cx, dl_node_t *call, struct dl_action *a,
		    struct dl_field (*record)(void *arg, const dl_node_t *n),
		    void *arg);

/* printa()'s format, checked against the keys of a->aggs[0]; a->pfmt. */
void dl_sema_printa_fmt(dl_ctx_t *cx, dl_node_t *call, struct dl_action *a);
/* Is n a stack() or ustack() call, which printf records for %k? */
bool dl_is_stack_arg(const dl_node_t *n);

/* ---- sema_sym.c: backquoted kernel symbols ----------------------------- */

/* The address of the kernel symbol n names (`sym, mod`sym) and its type
   from BTF, or NULL if it has none (a function, or data BTF does not
   describe); user errors as DTrace's for unknown ones. */
const dl_type_t *dl_sym_resolve(dl_ctx_t *cx, const dl_node_t *n,
				uint64_t *addr);
/* "vmlinux`jiffies" for "`jiffies" (in the arena). */
const char *dl_sym_display(dl_ctx_t *cx, const char *name);

/* ---- btf.c: kernel types from BTF, loaded only when a script needs them -- */

/* Byte offset of member in struct sname of the running kernel; a user
   error (D_UNSUPPORTED) at loc if the kernel's BTF lacks it. */
uint32_t dl_btf_member_off(dl_ctx_t *cx, dl_loc_t loc, const char *sname,
			   const char *member);
void dl_btf_release(dl_ctx_t *cx);
/* Is name a per-CPU variable of the kernel (a BTF VAR in .data..percpu)?
   False, without an error, when there is no BTF. */
bool dl_btf_is_percpu(dl_ctx_t *cx, const char *name);
/* A kernel struct or union by tag (a user error at loc if the kernel has
   none); the D type of BTF type id. */
const dl_type_t *dl_btf_struct(dl_ctx_t *cx, dl_loc_t loc, const char *tag,
			       bool is_union);
const dl_type_t *dl_btf_type(dl_ctx_t *cx, dl_loc_t loc, int32_t id);
/* Member name of struct/union st (looking into anonymous members): its
   type and byte offset; NULL if there is none. */
const dl_type_t *dl_btf_member(dl_ctx_t *cx, dl_loc_t loc,
			       const dl_type_t *st, const char *name,
			       uint32_t *off);
/* A type by its D name: base types and typedefs, "struct tag", "union
   tag" (from BTF) and pointers to them ("struct task_struct *"). */
const dl_type_t *dl_type_lookup(dl_ctx_t *cx, dl_loc_t loc, const char *name);
/* The pointer type to base (one per base per compilation). */
const dl_type_t *dl_type_ptr(dl_ctx_t *cx, const dl_type_t *base);
/* The type of kernel variable name from BTF's VARs (NULL: none), and
   whether it is per-CPU (its kallsyms address is then an offset). */
const dl_type_t *dl_btf_var(dl_ctx_t *cx, dl_loc_t loc, const char *name,
			    bool *percpu);

/* ---- dtypes.c: D's own types (struct, union, enum, typedef) ---------- */

/* One member of a D-declared struct or union. */
typedef struct dl_member {
	const char *name;
	const dl_type_t *type;
	uint32_t off;		/* bytes from the start */
} dl_member_t;
typedef struct dl_sou {
	dl_member_t *m;
	size_t n;
	unsigned align;		/* the strictest member's */
} dl_sou_t;

/* Record a top-level struct/union/enum definition or typedef (ND_TYPEDECL,
   or ND_DECL of storage SC_TYPEDEF or with a struct/union/enum body).  A
   lazy one (the D library's) is resolved the first time it is named; any
   other is resolved now, so its errors point at the declaration. */
void dl_dtypes_declare(dl_ctx_t *cx, dl_node_t *decl, bool lazy);
/* The type a type name as written denotes: base types, D's and the
   kernel's typedefs, D-declared then kernel structs, unions and enums,
   pointers and arrays of constant size. */
const dl_type_t *dl_tspec_type(dl_ctx_t *cx, dl_loc_t loc,
			       const dl_tspec_t *ts);
/* A D-declared type: "struct tag", "union tag", "enum tag" or a typedef
   name; NULL if D declares none (kernel types are btf.c's). */
const dl_type_t *dl_dtype_lookup(dl_ctx_t *cx, dl_loc_t loc,
				 const char *name);
/* An enumerator of a D enum: true and its value and enum type. */
bool dl_dtype_enumerator(dl_ctx_t *cx, dl_loc_t loc, const char *name,
			 int64_t *val, const dl_type_t **type);
/* Member name of struct or union st, D-declared or kernel: its type and
   byte offset, NULL if none. */
const dl_type_t *dl_type_member(dl_ctx_t *cx, dl_loc_t loc,
				const dl_type_t *st, const char *name,
				uint32_t *off);
/* An integer constant expression (literals, enumerators, sizeof, the
   arithmetic operators): true and its value. */
bool dl_const_eval(dl_ctx_t *cx, const dl_node_t *n, int64_t *v);

/* ---- xlate.c: translators -------------------------------------------- */

/* Record a translator definition (ND_XLATOR); a lazy one (the D
   library's) is checked where it is used. */
void dl_xlator_declare(dl_ctx_t *cx, dl_node_t *xl, bool lazy);
/* The translator to out (a struct or union) from a value of type in, or
   a user error (D_XLATE_NONE) at loc. */
struct dl_xlator;
struct dl_xlator *dl_xlator_find(dl_ctx_t *cx, dl_loc_t loc,
				 const dl_type_t *out, const dl_type_t *in);
/* Member name of what xlate node x (ND_XLATE, after sema) translates:
   a new expression, not yet through sema, that computes it from x's
   input, converted to the member's type; a user error if the translator
   does not define it (D_XLATE_NOCONV). */
dl_node_t *dl_xlate_member(dl_ctx_t *cx, const dl_node_t *x,
			   const char *name, dl_loc_t loc);
/* Deep copy of an expression tree (fresh nodes sema has not seen). */
dl_node_t *dl_node_clone(dl_ctx_t *cx, const dl_node_t *n);

/* ---- vars.c: D variables ------------------------------------------------ */

/*
 * Global variables belong to the library handle, not to one compilation:
 * every clause of every program of a dtrace run sees the same x, so the
 * table lives in an arena that outlives the programs and each compilation
 * extends it (dl_ctx_t.globals).  A global is 8 bytes at off in the value
 * of DL_MAP_GLOBALS.  Types are kept by name and resolved in each
 * context's type table.  Clause-local this-> variables belong to one
 * compilation (dl_ctx_t.thisvars) and live in stack slots of the program.
 */
typedef struct dl_dvar {
	const char *name;
	const char *tname;	/* its type, for dl_type_by_name() */
	uint32_t off;		/* globals: byte offset in the map value */
	uint32_t size;		/* bytes: 8, strsize for a string, the size
				   (8-aligned) of a struct or union */
	bool blob;		/* a string, struct or union: bytes in
				   memory, not an 8-byte cell */
} dl_dvar_t;
typedef struct dl_vars {
	dl_arena_t *arena;	/* where names and the vector live */
	dl_dvar_t *vars;
	size_t n, cap;
	uint32_t size;		/* bytes the variables take, 8-aligned each */
} dl_vars_t;
#define DL_THIS_MAX 64		/* clause-local variables per program */

/* The variable name in tab, or NULL. */
dl_dvar_t *dl_dvar_find(dl_vars_t *tab, const char *name);
/* Add name (not yet in tab) with type t of size bytes; globals get the
   next offset. */
dl_dvar_t *dl_dvar_add(dl_vars_t *tab, const char *name,
		       const dl_type_t *t, uint32_t size);
/* Bytes of DL_MAP_GLOBALS' value: 0 when there are no globals. */
static inline uint32_t dl_globals_size(const dl_vars_t *g)
{
	return g->size;
}
/* The largest string, struct or union variable of a table (0: none),
   for map sizes. */
static inline uint32_t dl_vars_strsize(const dl_vars_t *t)
{
	uint32_t m = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->vars[i].blob && t->vars[i].size > m)
			m = t->vars[i].size;
	return m;
}

/*
 * Thread-local self-> variables, like globals, belong to the library
 * handle (dl_ctx_t.selfvars): a variable's index in that table is its
 * varid, the same in every program.  Each lives in DL_MAP_SELF under the
 * key { tid, varid }; a missing entry reads as 0 and storing 0 deletes
 * the entry, DTrace's rule for dynamic variables.
 */
typedef struct dl_selfkey {
	uint32_t tid;
	uint32_t varid;
} dl_selfkey_t;
/* DL_MAP_SELF entries: -x dynvarsize / 16 (a key and a value), and never
   fewer than DL_SELF_MINENTRIES. */
#define DL_SELF_ENTRYSIZE 16
#define DL_SELF_MINENTRIES 1024

/* ---- agg.c: aggregations ----------------------------------------------- */

/*
 * Aggregations belong to the library handle, like globals: @a is the same
 * aggregation in every clause of every program of a run.  Each has its own
 * per-CPU BPF map (LDMAP index DL_MAP_AGG0 + id): an array of one entry
 * when it has no keys, else a hash keyed by the tuple laid out in keys[].
 * The value is DL_AGG_NWORDS(agg) u64 words per CPU:
 *   [0]            updates on this CPU (0: this CPU has no data)
 *   [1]            the clear() generation the data belongs to (only when
 *                  a clause clears the aggregation: agg->gen)
 *   [DL_AGG_DATA(agg)...]  the function's data:
 *     count        nothing more (the count is word 0)
 *     sum          sum
 *     avg          sum
 *     min, max     the extreme value
 *     stddev       sum, sum of squares (128 bits: low word, high word)
 *     quantize, lquantize, llquantize   one count per bucket
 * CPUs are merged in user space.  Keys hold integers as 8-byte canonical
 * values (the key field keeps the D type's size for printing) and strings
 * NUL-padded to the largest string the key position was given.
 */
typedef enum {
	DL_AGG_COUNT, DL_AGG_SUM, DL_AGG_AVG, DL_AGG_MIN, DL_AGG_MAX,
	DL_AGG_STDDEV, DL_AGG_QUANTIZE, DL_AGG_LQUANTIZE, DL_AGG_LLQUANTIZE,
} dl_aggfn_t;

#define DL_QUANTIZE_NBUCKETS 127	/* DTrace's: -2^63 .. 2^63 */
#define DL_QUANTIZE_ZEROBUCKET 63
#define DL_AGG_KEYS_MAX 16		/* DTrace's tuple limit is larger;
					   this is ours */

typedef struct dl_aggkey {
	bool is_str;		/* a string, else an integer */
	uint32_t off;		/* in the map key */
	uint32_t size;		/* bytes in the key (8 for integers) */
	uint32_t tsize;		/* integers: the D type's size */
	bool is_signed;
	const char *tname;	/* D type, kept by name */
	uint8_t stk;		/* DL_F_STACK .. DL_F_USYM for a stack or
				   symbol key (stack(), usym(arg0), ...),
				   else DL_F_INT (is_str tells strings) */
	uint8_t symfmt;		/* dl_symfmt_t of DL_F_SYM, DL_F_USYM */
} dl_aggkey_t;

/* A key tuple's layout in a map key: keys from base on (base: bytes the
   map key has before them, e.g. a thread id). */
typedef struct dl_tuple {
	dl_aggkey_t keys[DL_AGG_KEYS_MAX];
	uint32_t nkeys;
	uint32_t base;
	uint32_t keysize;	/* bytes of the whole map key */
} dl_tuple_t;

typedef struct dl_agg {
	const char *name;	/* without the '@'; "" for the anonymous one */
	uint32_t id;		/* index in the table */
	dl_aggfn_t fn;
	const char *fname;	/* "count", ... as written */
	int64_t base, limit, step;	/* lquantize */
	int64_t factor, low, high, nsteps;	/* llquantize */
	uint32_t nbuckets;	/* histograms */
	dl_tuple_t tup;		/* the keys (keysize 0 with none) */
	bool gen;		/* some clause clears it: values carry the
				   generation, word 1 */
	bool lowered;		/* a program was built against its layout */
	dl_loc_t loc;		/* first use */
} dl_agg_t;

typedef struct dl_aggs {
	dl_arena_t *arena;
	dl_agg_t **aggs;
	size_t n, cap;
} dl_aggs_t;

#define DL_AGG_DATA(a) ((a)->gen ? 2u : 1u)
/* u64 words of an aggregation's value (one CPU's). */
uint32_t dl_agg_nwords(const dl_agg_t *a);
dl_agg_t *dl_agg_find(dl_aggs_t *tab, const char *name);
dl_agg_t *dl_agg_add(dl_aggs_t *tab, const char *name);
/* Buckets: DTrace's quantize bucket of v (0..126); lquantize's (0 below
   base, nbuckets-1 at or above limit); llquantize's. */
uint32_t dl_quantize_bucket(int64_t v);
int64_t dl_quantize_bucket_min(uint32_t b);	/* lowest value of bucket b */
uint32_t dl_lquantize_bucket(const dl_agg_t *a, int64_t v);
uint32_t dl_llquantize_nbuckets(int64_t factor, int64_t low, int64_t high,
				int64_t nsteps);
uint32_t dl_llquantize_zero(const dl_agg_t *a);	/* |v| < factor^low */
uint32_t dl_llquantize_bucket(const dl_agg_t *a, int64_t v);

/*
 * Associative arrays, global (a[k]) and thread-local (self->a[k]), belong
 * to the library handle like globals.  Each has its own BPF hash map (LDMAP
 * index DL_MAP_ASSOC0 + id) keyed by its tuple (after the thread id for a
 * self-> array), of 8-byte integer or strsize-byte string values; a
 * missing key reads as 0 or "", storing 0 deletes the key.
 */
typedef struct dl_assoc {
	const char *name;
	uint32_t id;		/* index in the table */
	bool self;		/* self->name[...] */
	const char *tname;	/* the value's type, by name */
	uint32_t valsize;	/* 8, or strsize */
	dl_tuple_t tup;
	bool lowered;		/* a program was built against its layout */
	bool declared;		/* by `int a[string];`: keys are checked
				   against the declared types, DTrace's
				   way (integers, pointers, strings) */
} dl_assoc_t;
typedef struct dl_assocs {
	dl_arena_t *arena;
	dl_assoc_t **v;
	size_t n, cap;
} dl_assocs_t;
dl_assoc_t *dl_assoc_find(dl_assocs_t *tab, const char *name, bool self);
dl_assoc_t *dl_assoc_add(dl_assocs_t *tab, const char *name, bool self);
#define DL_MAP_ASSOC0 (DL_MAP_AGG0 + 0x8000)	/* aggregations below */

/* What a pointer dereference or member access reads (node->sema). */
typedef struct dl_memref {
	uint32_t off;		/* from the base address */
	const dl_type_t *type;	/* the member's or pointee's type */
	uint32_t strsize;	/* a char array read as a string: its length */
} dl_memref_t;

/* What a variable reference names (node->sema of ND_IDENT, ND_THIS,
   ND_SELF and ND_INDEX after sema). */
typedef enum {
	DL_VK_BUILTIN, DL_VK_GLOBAL, DL_VK_THIS, DL_VK_SELF, DL_VK_ASSOC
} dl_varkind_t;
typedef struct dl_varref {
	dl_varkind_t kind;
	uint32_t idx;		/* dl_var_t for a built-in, the byte offset of
				   a global, the index of a this-> variable,
				   the varid of a self-> variable */
} dl_varref_t;

/* ---- lower.c: AST -> IR ------------------------------------------------- */

/* Fault records: a record whose clause field has DL_REC_FAULT set reports
   a fault; pad holds the kind, then u32 action number, u32 pc, u64 value. */
#define DL_REC_FAULT 0x80000000u
enum {	/* DTrace's fault numbers */
	DL_FLT_BADADDR = 1, DL_FLT_BADALIGN = 2, DL_FLT_ILLOP = 3,
	DL_FLT_DIVZERO = 4, DL_FLT_NOSCRATCH = 5,
	DL_FLT_BADINDEX = 11,	/* Oracle's: an array index out of range;
				   the value is the index */
};

/* Maps every program shares; LDMAP indexes. */
enum {
	DL_MAP_RINGBUF,		/* output records */
	DL_MAP_STRTAB,		/* string constants: one read-only value */
	DL_MAP_PROBES,		/* probe id -> dl_probeinfo_t */
	DL_MAP_DROPS,		/* per-CPU u64[DL_DROP_NKINDS + 1] */
	DL_MAP_VTIME,		/* tid -> dl_vtime_t, made only when a
				   clause reads vtimestamp (vtime.c) */
	DL_MAP_GLOBALS,		/* one value: every D global variable at
				   its dl_global_t.off, made only when a
				   program has globals (vars.c) */
	DL_MAP_SELF,		/* dl_selfkey_t -> u64: self-> variables,
				   made only when a program has some */
	DL_MAP_SELFSTR,		/* dl_selfkey_t -> char[strsize]: string
				   self-> variables */
	DL_MAP_SCRATCH,		/* per-CPU: one value of DL_SCRATCH_SIZE
				   bytes for strings being built (copyinstr,
				   this-> strings) */
	DL_MAP_ZERO,		/* one value of zeros: what a new aggregation
				   entry starts as, an unset string self->
				   variable reads (run.c sizes it) */
	DL_MAP_AGGGEN,		/* one value: u64 clear() generation per
				   aggregation id, made only when some
				   aggregation is cleared */
	DL_MAP_SPECQ,		/* queue of free speculation ids (1..nspec):
				   speculation() pops one, the consumer
				   pushes it back once committed/discarded */
	DL_MAP_STRTOK,		/* per-CPU: strtok()'s string and position
				   (lower.c), made only when used */
	DL_MAP_BUFLEFT,		/* per-CPU: u64 bytes left in the CPU's
				   principal buffer under -x bufpolicy=fill
				   (lower.c counts, hold.c explains) */
	DL_MAP_CHILL,		/* per-CPU: dl_chill_t, made only when a
				   clause calls chill() */
	DL_MAP_PROG,		/* the program's own map, made by its provider
				   (e.g. syscall number -> probe id) */
	DL_NMAPS
};
/* chill()'s budget per CPU, DTrace's: at most DL_CHILL_MAX ns of chill
   in DL_CHILL_INTERVAL ns (dtrace_chill_max, dtrace_chill_interval). */
typedef struct dl_chill {
	uint64_t mark;		/* when the current interval began */
	uint64_t chilled;	/* ns chilled in it */
} dl_chill_t;
#define DL_CHILL_MAX 500000000ull
#define DL_CHILL_INTERVAL 1000000000ull
#define DL_SCRATCH_SIZE 32768	/* a program's string temporaries */
#define DL_SCRATCHSIZE 256	/* -x scratchsize's default, DTrace's */
#define DL_SCRATCHSIZE_MAX 2048	/* ... and our limit: its area takes
				   4 x its power of 2 of DL_SCRATCH_SIZE */
/* Aggregation id i's map is LDMAP index DL_MAP_AGG0 + i. */
#define DL_MAP_AGG0 DL_NMAPS
enum {
	DL_DROP_RINGBUF,	/* output record: ring buffer full */
	DL_DROP_DYNVAR,		/* self-> store: DL_MAP_SELF full */
	DL_DROP_AGG,		/* new aggregation key: its map full */
	DL_DROP_SPECUNAVAIL,	/* speculation(): no free buffer */
	DL_DROP_NESTED,		/* a firing while another ran on its CPU
				   (dl_lowerhooks_t.guard) */
	DL_DROP_NKINDS
};
/* Not a drop: the DL_MAP_DROPS entry a guarded program sets to 1 on its
   CPU while it runs (dl_lowerhooks_t.guard). */
#define DL_DROP_BUSY DL_DROP_NKINDS

/* A thread's CPU clock (DL_MAP_VTIME values): on-CPU ns accumulated up to
   its last switch out, and when it last went on a CPU (ktime ns). */
typedef struct dl_vtime {
	uint64_t acc;
	uint64_t start;
} dl_vtime_t;
#define DL_VTIME_MAXTHREADS 65536	/* LRU: the least recent go first */

/* Probe names as generated code sees them (DL_MAP_PROBES values). */
#define DL_PROBE_PROVLEN 64
#define DL_PROBE_MODLEN 64
#define DL_PROBE_FUNCLEN 128
#define DL_PROBE_NAMELEN 64
typedef struct dl_probeinfo {
	char prov[DL_PROBE_PROVLEN];
	char mod[DL_PROBE_MODLEN];
	char func[DL_PROBE_FUNCLEN];
	char name[DL_PROBE_NAMELEN];
} dl_probeinfo_t;

/* String constants of a program, packed NUL-terminated into one value. */
typedef struct dl_strtab {
	char *data;
	size_t len, cap;
} dl_strtab_t;
/* Offset of s in the table, adding it if needed. */
uint32_t dl_strtab_add(dl_arena_t *a, dl_strtab_t *st, const char *s,
		       size_t len);

/* Provider values generated code needs (same numbering as dt_pvar_t).
   DL_PV_TASK: the task whose thread the probe describes when that is not
   the current one (sched:::on-cpu); IR_NONE, as for every other probe,
   when it is the current task. */
typedef enum {
	DL_PV_ARG, DL_PV_PROBEID, DL_PV_ERRNO, DL_PV_ENTRY, DL_PV_TASK
} dl_pvar_t;

struct ir_func;
struct ir_blk;
/* How lowering asks the probe's provider for values. */
typedef struct dl_lowerhooks {
	/* Emit IR computing what; returns the value or IR_NONE (use 0). */
	struct ir_ref (*pvar)(void *arg, struct ir_func *fn,
			      struct ir_blk **blk, struct ir_ref ctx,
			      struct ir_blk *exit, dl_pvar_t what, int n);
	void *arg;
	uint32_t probe_id;	/* the only probe of this program, or 0 */
	const dl_probeinfo_t *probe;	/* its names, or NULL */
	int64_t walltime_off;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	struct dl_clause **errclauses;	/* dtrace:::ERROR's, run where a
					   fault happens (none: the fault is
					   reported to the consumer) */
	size_t nerrclauses;
	int64_t only_cpu;	/* -x cpu, plus 1: firings on other CPUs do
				   nothing (0: every CPU) */
	uint64_t wakeup_at;	/* bytes in the output buffer at which a
				   record wakes the consumer; 0: never (the
				   consumer reads after every firing) */
	bool fill;		/* -x bufpolicy=fill: a record is written
				   only if its size rounded up to 8 is left
				   in the CPU's DL_MAP_BUFLEFT, and counts
				   there; else it is a drop */
	bool quiet;		/* -q: an empty clause writes no record */
	bool guard;		/* other programs may run while this one
				   does on the same CPU (an interrupt, an
				   NMI, a probe in code a helper runs): the
				   firing marks its CPU busy (DL_DROP_BUSY)
				   until it returns, and a firing that finds
				   it busy does nothing but count a
				   DL_DROP_NESTED */
	bool preempt;		/* with guard: a firing may also be
				   preempted and another start on its CPU
				   (uprobe programs on a preemptible
				   kernel), so the guard's test-and-set is
				   one atomic exchange */
} dl_lowerhooks_t;

/* The enabled probe id of a clause on a probe: unique, and 1 for the first
   clause on BEGIN, as in DTrace.  (lower.c computes the same in BPF.) */
#define DL_EPID_SHIFT 16
#define DL_EPID(probe, clause) \
	((((uint32_t)(probe) - 1) << DL_EPID_SHIFT) + (uint32_t)(clause) + 1)

/* Lower the clauses (in program order) that one program runs into a new
   IR function. */
struct ir_func *dl_lower(dl_ctx_t *cx, dl_clause_t **clauses, size_t n,
			 const dl_lowerhooks_t *hooks, dl_strtab_t *strtab,
			 const char *name);

/* ---- vtime.c: the sched_switch program behind vtimestamp --------------- */

/* Build, as lowered IR, the program that on every context switch charges
   the outgoing thread's on-CPU time to its DL_MAP_VTIME entry and starts
   the incoming thread's clock.  User errors longjmp (run under setjmp). */
struct ir_func *dl_vtime_build(dl_ctx_t *cx);

/* ---- compile.c: the driver and the compilation context ----------------- */

/* Macro arguments and other compile-time settings the library passes in. */
typedef struct dl_macros {
	int argc;		/* $0 .. $argc-1 */
	char **argv;
	int64_t pid;		/* $pid: dtrace's own pid */
	int64_t target;		/* $target, or -1 if none */
	int64_t uid, gid, ppid, pgid, sid;
	bool defaultargs;	/* -x defaultargs: an undefined $N is 0, $$N
				   "" (else D_MACRO_UNDEF) */
} dl_macros_t;


/* ---- what the compiler hands the library ------------------------------- */

/*
 * Every record a clause writes into the output ring buffer starts with this
 * header; the clause's data follows at DL_REC_DATA.  Records are built in
 * place (bpf_ringbuf_reserve/submit) and are at most a few KiB.
 */
typedef struct dl_rechdr {
	uint32_t clause;	/* dl_clause_t.id */
	uint32_t probe;		/* probe id (dt_probe_t.id) */
	uint32_t cpu;		/* CPU the probe fired on */
	uint32_t spec;		/* DL_REC_SPEC | id after speculate(id), else
				   0 (fault records: the fault kind) */
} dl_rechdr_t;
#define DL_REC_SPEC 0x80000000u
#define DL_REC_DATA ((uint32_t)sizeof(dl_rechdr_t))

typedef enum {
	DL_F_INT,	/* integer of size 1, 2, 4 or 8, host byte order */
	DL_F_STRING,	/* NUL-terminated within size bytes (strsize) */
	DL_F_STACK,	/* stack(n): size / 8 = n + DL_STACK_EXTRA kernel
			   pcs, zeros after the last (bpf_get_stack
			   zero-fills) */
	DL_F_USTACK,	/* ustack(): u64 pid, then size / 8 - 1 user pcs,
			   zeros after the last */
	DL_F_SYM,	/* sym(), func(), mod(): a u64 kernel address */
	DL_F_USYM,	/* usym(), ufunc(), umod(), uaddr(): u64 pid, u64
			   user address */
	DL_F_MEM,	/* tracemem(), print(): size bytes of memory */
} dl_fkind_t;

/* stack(n) records this many kernel frames more than n: the frames of
   the tracing machinery on top (the BPF program, bpf_trace_run2, ...),
   which the consumer skips. */
#define DL_STACK_EXTRA 8

/* How a DL_F_SYM or DL_F_USYM value prints. */
typedef enum {
	DL_SYM_SYM,	/* "module`function" (sym, func, usym, ufunc) */
	DL_SYM_MOD,	/* "module" (mod, umod) */
	DL_SYM_ADDR,	/* "module`function+0xoff" (uaddr) */
} dl_symfmt_t;

/* One value in a record. */
typedef struct dl_field {
	dl_fkind_t kind;
	uint32_t off;		/* from the start of the record (header incl.) */
	uint32_t size;		/* bytes */
	bool is_signed;		/* DL_F_INT */
	const dl_type_t *type;	/* the D type, for printf's checks */
	dl_symfmt_t symfmt;	/* DL_F_SYM, DL_F_USYM */
} dl_field_t;

typedef enum {
	DL_ACT_TRACE,	/* trace(x): fields[0] */
	DL_ACT_PRINTF,	/* printf(fmt, ...): fields in argument order,
			   '*' width/precision arguments included */
	DL_ACT_EXIT,	/* exit(n): fields[0] is the status (int) */
	DL_ACT_PRINTA,	/* printa([fmt,] @a, ...): aggs; fmt may be NULL */
	DL_ACT_CLEAR,	/* clear(@a): aggs[0] */
	DL_ACT_TRUNC,	/* trunc(@a[, n]): aggs[0]; fields[0] = n if given */
	DL_ACT_NORMALIZE,	/* normalize(@a, n): aggs[0]; fields[0] = n */
	DL_ACT_DENORMALIZE,	/* denormalize(@a): aggs[0] */
	DL_ACT_SPECULATE,	/* speculate(id): the id goes in the header */
	DL_ACT_COMMIT,		/* commit(id): fields[0] = id */
	DL_ACT_DISCARD,		/* discard(id): fields[0] = id */
	DL_ACT_SETOPT,		/* setopt(name[, value]): fmt, optval */
	DL_ACT_SYSTEM,		/* system(fmt, ...): as printf, then run */
	DL_ACT_RAISE,		/* raise(sig), stop(): done by the probe */
	DL_ACT_CHILL,		/* chill(ns): done by the probe (lower.c) */
	DL_ACT_COPYOUT,		/* copyout(buf, addr, n), copyoutstr(s, addr,
				   maxlen): done by the probe */
	DL_ACT_STACK,	/* stack(), ustack(), sym() ... uaddr(): fields[0]
			   of kind DL_F_STACK ... DL_F_USYM */
	DL_ACT_TRACEMEM,	/* tracemem(addr, size[, dsize]): fields[0] the
				   DL_F_MEM bytes, fields[1] dsize if given */
	DL_ACT_FREOPEN,		/* freopen(fmt, ...): as printf, the file name
				   output goes to from then on ("": back) */
	DL_ACT_FTRUNCATE,	/* ftruncate(): empty the output file */
	DL_ACT_PRINT,		/* print(p): fields[0] the pointer, fields[1]
				   the DL_F_MEM bytes, .type the pointee */
} dl_actkind_t;

typedef struct dl_action {
	dl_actkind_t kind;
	const char *fmt;	/* DL_ACT_PRINTF: the format string;
				   DL_ACT_SETOPT: the option name */
	const char *optval;	/* DL_ACT_SETOPT: its value, or NULL */
	struct dl_fmt *pfmt;	/* ... parsed by sema (in the arena) */
	dl_field_t *fields;
	size_t nfields;
	uint32_t *aggs;		/* aggregation ids the action names */
	size_t naggs;
	dl_loc_t loc;		/* where the action was written */
} dl_action_t;

/* One probe clause, in program order. */
typedef struct dl_clause {
	uint32_t id;		/* index in the program, from 0 */
	dl_node_t *node;	/* ND_CLAUSE */
	const char **descs;	/* probe descriptions as written */
	size_t ndescs;
	uint32_t recsize;	/* record bytes incl. header; 0: no record */
	dl_action_t *acts;
	size_t nacts;
	void **probes;		/* the library's probes the clause matched */
	size_t nprobes, probecap;
	bool uses_vtime;	/* reads vtimestamp: needs the sched_switch
				   program (dl_compile_vtime) and its map */
} dl_clause_t;

/*
 * One compilation.  Created by dl_ctx_create(), everything it allocates lives
 * in its arena.  User errors longjmp to *jmp after filling err.
 */
struct dl_ctx {
	dl_arena_t *arena;
	void *jmp;		/* jmp_buf * to escape to on a user error */
	dl_error_t err;		/* the first user error */
	const dl_macros_t *macros;
	dl_types_t types;
	const char *src;	/* source text being parsed (for srcline) */
	const char *file;	/* its file name, NULL for -n */
	/* `#pragma D option name=value`: returns 0, or -1 and a message */
	int (*set_option)(void *arg, const char *name, const char *value,
			  char *msg, size_t msgsz);
	void *set_option_arg;
	/* the front end's state (lex.l, parse.y), made by dl_parse() */
	struct dl_front *front;	/* lexer state, typedef and variable names,
				   cpp line markers */
	bool *macro_used;	/* [macros->argc]: $N or $$N was referenced */
	/* optional: is `name` (in module `scope`, or NULL) a type beyond D's
	   built-in typedefs, e.g. a kernel typedef from BTF?  Asked by the
	   lexer to tell type names from identifiers. */
	bool (*is_type)(void *arg, const char *scope, const char *name);
	void *is_type_arg;
	void *btf;		/* struct btf * of vmlinux, loaded on demand */
	struct dl_btfmods *btfmods;	/* modules' BTF, loaded on demand
					   (btf.c) */
	/* optional: the caller's vmlinux BTF (loaded once for all its
	   contexts; NULL with errno set if there is none); without it the
	   context loads and frees its own */
	void *(*vmlinux_btf)(void *arg);
	void *vmlinux_btf_arg;
	const dl_type_t **ptrs;	/* pointer types made so far (btf.c) */
	size_t nptrs, ptrcap;
	dl_vars_t *globals;	/* the library's, or own_globals */
	dl_vars_t own_globals;	/* for a context used alone (tests) */
	dl_vars_t thisvars;	/* this-> variables, index = stack slot */
	dl_vars_t *selfvars;	/* self-> variables: the library's, or
				   own_selfvars; index = varid */
	dl_vars_t own_selfvars;
	unsigned strsize;	/* -x strsize: string variables' size */
	/* optional: the D type name of args[n] of the clause's probes into
	   buf: 0, or -1 if they have none or disagree */
	int (*argtype)(void *arg, const dl_clause_t *c, int n, char *buf,
		       size_t size);
	void *argtype_arg;
	const int64_t *destructive_opt;	/* -w / the destructive option as
					   it is when sema runs (a pragma
					   may set it), or NULL: not */
	dl_node_t **inlines;	/* ND_INLINE definitions, in order */
	size_t ninlines, inlinecap;
	unsigned stackframes;	/* -x stackframes: stack()'s default depth */
	unsigned ustackframes;	/* -x ustackframes: ustack()'s */
	unsigned jstackframes;	/* -x jstackframes: jstack()'s */
	const char **warns;	/* dl_warn()'s messages, each once */
	size_t nwarns, warncap;
	dl_aggs_t *aggs;	/* aggregations: the library's, or own_aggs */
	dl_aggs_t own_aggs;
	dl_assocs_t *assocs;	/* associative arrays: the library's, or
				   own_assocs */
	dl_assocs_t own_assocs;
	struct dl_dtypes *dtypes;	/* D-declared types (dtypes.c) */
	struct dl_xlators *xlators;	/* translators (xlate.c) */
	/* optional: is `#pragma D depends_on cls name` met?  NULL if so,
	   else the message (D_PRAGMA_DEPEND) */
	const char *(*depends_on)(void *arg, const char *cls,
				  const char *name);
	void *depends_on_arg;
	bool lazy_decls;	/* declarations being read are the D
				   library's: resolved when first used */
	/* optional: the address of kernel symbol name in module mod (NULL:
	   any) from kallsyms; 0, -1 no such module, -2 no such symbol.
	   *text: it is a function.  (sema_sym.c) */
	int (*ksym)(void *arg, const char *mod, const char *name,
		    uint64_t *addr, bool *text);
	void *ksym_arg;
	unsigned scratchsize;	/* -x scratchsize: alloca(), copyin()'s
				   space per clause (0: DL_SCRATCHSIZE) */
};

dl_ctx_t *dl_ctx_create(const dl_macros_t *macros);
void dl_ctx_destroy(dl_ctx_t *cx);

/*
 * The passes, in order; each returns 0, or -1 with cx->err filled.
 *   dl_compile_parse    source -> top-level nodes (cpp, if any, ran before)
 *   dl_compile_clause   sema: types, actions, record layout of one clause
 *   dl_compile_program  the clauses one BPF program runs -> lowering ->
 *                       dl_backend (fold, dce, isel, regalloc, emit);
 *                       *irtext (if not NULL) gets the lowered IR as text,
 *                       malloc'd
 * The library matches probe descriptions between the first two.
 */
int dl_compile_parse(dl_ctx_t *cx, const char *text, const char *file,
		     dl_node_t **out);
int dl_compile_clause(dl_ctx_t *cx, dl_clause_t *clause, unsigned strsize);
/* A top-level declaration (ND_DECL): `int x;` fixes the type of global x. */
int dl_compile_decl(dl_ctx_t *cx, dl_node_t *decl);
struct bpf_code;
int dl_compile_program(dl_ctx_t *cx, dl_clause_t **clauses, size_t n,
		       const dl_lowerhooks_t *hooks, dl_strtab_t *strtab,
		       const char *name, bool check, char **irtext,
		       struct bpf_code *code);

/*
 * The program that keeps per-thread CPU clocks for vtimestamp, for a raw
 * tracepoint on sched_switch (vtime.c builds its IR, dl_backend does the
 * rest).  Returns 0, or -1 with cx->err filled (e.g. the kernel's BTF
 * lacks task_struct.pid).
 */
int dl_compile_vtime(dl_ctx_t *cx, bool check, struct bpf_code *code);

/* Handle `#pragma D ...` (text is what follows "#pragma D"). */
void dl_pragma(dl_ctx_t *cx, dl_loc_t loc, const char *text);

#endif /* DLANG_H */
