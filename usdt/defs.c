/*
 * defs.c - provider definitions: the D parser's ND_PROVIDER and
 * ND_PROBEPROTO nodes -> the usdt model, with each argument's C type.
 *
 * What a probe argument becomes is decided here, from its declared type
 * alone, and the header casts every argument to that type so that the
 * size and signedness in the SDT note are the declaration's, not whatever
 * the caller happened to pass:
 *   - integers keep their C spelling ("unsigned int", "long long");
 *     D's typedefs become the GCC/clang built-in spelling of their width
 *     (uint32_t -> __UINT32_TYPE__), so the header needs no system header,
 *     and the pointer-sized ones (uintptr_t, size_t, ...) become long or
 *     unsigned long, which have the pointer's width on every Linux ABI;
 *   - plain char stays char, whose signedness is the target's;
 *   - pointers, arrays, functions and D's string are passed as
 *     `const volatile void *` (any pointer converts to it, from C and C++,
 *     without a qualifier warning);
 *   - typedefs declared in the script itself are followed;
 *   - floating-point values and structs or unions by value cannot be
 *     described by an SDT argument and are refused, as is `...`.
 * The size itself is left to the C compiler (sizeof), so one header
 * serves -m32 as well as x86_64.
 */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "usdt.h"

#define USDT_TYPEDEF_DEPTH 16	/* typedefs of typedefs followed */

usdt_defs_t *usdt_defs_create(void)
{
	dl_arena_t *a = dl_arena_create();
	usdt_defs_t *d = dl_alloc(a, sizeof(*d));

	d->arena = a;
	return d;
}

void usdt_defs_destroy(usdt_defs_t *d)
{
	if (d != NULL)
		dl_arena_destroy(d->arena);
}

/* ---- names ---------------------------------------------------------------- */

/* DTrace's macro spelling of one name: upper case, "__" and "-" -> "_". */
static char *macro_part(char *o, const char *s)
{
	while (*s != '\0') {
		if (s[0] == '_' && s[1] == '_')
			s++;
		*o++ = *s == '-' ? '_' : (char)toupper((unsigned char)*s);
		s++;
	}
	return o;
}

char *usdt_macro_name(dl_arena_t *a, const char *prov, const char *probe)
{
	char *s = dl_alloc(a, strlen(prov) + strlen(probe) + 2), *o;

	o = macro_part(s, prov);
	*o++ = '_';
	*macro_part(o, probe) = '\0';
	return s;
}

char *usdt_sema_name(dl_arena_t *a, const char *prov, const char *probe)
{
	return dl_sprintf(a, "%s_%s_semaphore", prov, probe);
}

char *usdt_arg_size_expr(dl_arena_t *a, const usdt_arg_t *arg)
{
	switch (arg->kind) {
	case USDT_ARG_SIGNED:
		return dl_sprintf(a, "-(int)sizeof(%s)", arg->ctype);
	case USDT_ARG_UNSIGNED:
		return dl_sprintf(a, "(int)sizeof(%s)", arg->ctype);
	case USDT_ARG_CHAR:	/* '\377' is -1 where char is signed */
		return dl_strdup(a, "('\\377' < 0 ? -1 : 1)");
	case USDT_ARG_PTR:
		break;
	}
	return dl_strdup(a, "(int)sizeof(void *)");
}

/* ---- types ---------------------------------------------------------------- */

typedef struct argctx {
	dl_ctx_t *cx;
	const dl_node_t *ast;		/* for the script's own typedefs */
	const dl_node_t *param;		/* for error locations */
	const char *probe;
	int argno;			/* 1-based, for messages */
} argctx_t;

static usdt_arg_t *mkarg(argctx_t *ac, usdt_argkind_t kind, const char *ct)
{
	usdt_arg_t *a = dl_alloc(ac->cx->arena, sizeof(*a));

	a->kind = kind;
	a->ctype = ct;
	return a;
}

static _Noreturn void arg_error(argctx_t *ac, const char *what)
{
	dl_error(ac->cx, ac->param->loc, D_PROTO_ARG, "probe %s argument #%d: "
		 "%s", ac->probe, ac->argno, what);
}

/* D's typedefs whose width is the pointer's on every Linux ABI. */
static const struct {
	const char *name, *ctype;
	usdt_argkind_t kind;
} long_typedefs[] = {
	{ "intptr_t", "long", USDT_ARG_SIGNED },
	{ "ssize_t", "long", USDT_ARG_SIGNED },
	{ "time_t", "long", USDT_ARG_SIGNED },
	{ "clock_t", "long", USDT_ARG_SIGNED },
	{ "off_t", "long", USDT_ARG_SIGNED },
	{ "blkcnt_t", "long", USDT_ARG_SIGNED },
	{ "uintptr_t", "unsigned long", USDT_ARG_UNSIGNED },
	{ "size_t", "unsigned long", USDT_ARG_UNSIGNED },
	{ "ulong_t", "unsigned long", USDT_ARG_UNSIGNED },
	{ "ino_t", "unsigned long", USDT_ARG_UNSIGNED },
};

static const usdt_arg_t *resolve(argctx_t *ac, const dl_tspec_t *ts,
				 int depth);

/* A typedef declared in the script: `typedef unsigned int Oid;`. */
static const dl_node_t *script_typedef(const argctx_t *ac, const char *name)
{
	for (const dl_node_t *n = ac->ast; n != NULL; n = n->next)
		if (n->kind == ND_DECL && n->storage == SC_TYPEDEF &&
		    n->name != NULL && strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static const usdt_arg_t *resolve_typedef(argctx_t *ac, const char *name,
					 int depth)
{
	const dl_node_t *td = script_typedef(ac, name);
	const dl_type_t *t;

	if (td != NULL && depth < USDT_TYPEDEF_DEPTH)
		return resolve(ac, td->typ, depth + 1);
	for (size_t i = 0; i < sizeof(long_typedefs) / sizeof(long_typedefs[0]);
	     i++)
		if (strcmp(long_typedefs[i].name, name) == 0)
			return mkarg(ac, long_typedefs[i].kind,
				     long_typedefs[i].ctype);
	t = dl_type_by_name(&ac->cx->types, name);
	if (t != NULL && t->kind == TY_PTR)
		return mkarg(ac, USDT_ARG_PTR, "const volatile void *");
	if (t == NULL || t->kind != TY_INT)
		arg_error(ac, dl_sprintf(ac->cx->arena, "type %s cannot be "
					 "passed to a probe", name));
	return mkarg(ac, t->is_signed ? USDT_ARG_SIGNED : USDT_ARG_UNSIGNED,
		     dl_sprintf(ac->cx->arena, "__%sINT%u_TYPE__",
				t->is_signed ? "" : "U", t->size * 8));
}

/* The integer types of C by their specifier words. */
static const usdt_arg_t *resolve_int(argctx_t *ac, unsigned f)
{
	bool u = f & TS_UNSIGNED;
	const char *base = "int";

	if (f & TS_BOOL)
		return mkarg(ac, USDT_ARG_UNSIGNED, "__dtrace_usdt_bool");
	if (f & TS_CHAR) {
		if (!(f & (TS_SIGNED | TS_UNSIGNED)))
			return mkarg(ac, USDT_ARG_CHAR, "char");
		base = "char";
	} else if (f & TS_SHORT) {
		base = "short";
	} else if (f & TS_LONGLONG) {
		base = "long long";
	} else if (f & TS_LONG) {
		base = "long";
	}
	if (u)
		return mkarg(ac, USDT_ARG_UNSIGNED,
			     dl_sprintf(ac->cx->arena, "unsigned %s", base));
	return mkarg(ac, USDT_ARG_SIGNED, strcmp(base, "char") == 0 ?
		     "signed char" : base);
}

static const usdt_arg_t *resolve(argctx_t *ac, const dl_tspec_t *ts,
				 int depth)
{
	unsigned f = ts->flags & ~(TS_CONST | TS_VOLATILE | TS_RESTRICT);

	if (ts->dcl != NULL || (f & TS_STRING))
		return mkarg(ac, USDT_ARG_PTR, "const volatile void *");
	if (f & TS_TYPEDEF)
		return resolve_typedef(ac, ts->tname, depth);
	if (f & TS_VOID)
		return NULL;
	if (f & (TS_FLOAT | TS_DOUBLE))
		arg_error(ac, "a floating-point value cannot be passed to a "
			  "probe");
	if (f & (TS_STRUCT | TS_UNION))
		arg_error(ac, dl_sprintf(ac->cx->arena, "%s %s cannot be "
					 "passed by value: pass a pointer",
					 f & TS_STRUCT ? "struct" : "union",
					 ts->tname ? ts->tname : "{...}"));
	if (f & TS_ENUM)
		return mkarg(ac, USDT_ARG_SIGNED, "int");
	return resolve_int(ac, f);
}

/* ---- D type names (for the consumer's args[]) ---------------------------- */

/* The spelling of a base type by its specifier words. */
static const char *dtype_base(argctx_t *ac, const dl_tspec_t *ts)
{
	unsigned f = ts->flags;
	const char *u = f & TS_UNSIGNED ? "unsigned " : "";

	if (f & TS_STRING)
		return "char *";	/* the note holds the pointer */
	if (f & TS_VOID)
		return "void";
	if (f & TS_BOOL)
		return "_Bool";
	if (f & (TS_STRUCT | TS_UNION))
		return dl_sprintf(ac->cx->arena, "%s %s", f & TS_STRUCT ?
				  "struct" : "union", ts->tname ? ts->tname :
				  "{...}");
	if (f & TS_ENUM)
		return "int";		/* its tag is the script's alone */
	if (f & TS_CHAR)
		return f & TS_SIGNED ? "signed char" : f & TS_UNSIGNED ?
		       "unsigned char" : "char";
	if (f & TS_SHORT)
		return dl_sprintf(ac->cx->arena, "%sshort", u);
	if (f & TS_LONGLONG)
		return dl_sprintf(ac->cx->arena, "%slong long", u);
	if (f & TS_LONG)
		return dl_sprintf(ac->cx->arena, "%slong", u);
	return dl_sprintf(ac->cx->arena, "%sint", u);
}

/*
 * The D type name of a declared type: "const char *", "char **",
 * "uint32_t"; the script's own typedefs are followed (the consumer does
 * not have them) except those of structs and unions (conninfo_t: the
 * consumer's translators declare those), D's and the kernel's are kept; arrays are pointers (as
 * parameters), and functions and pointers to them "void *".
 */
static const char *dtype_name(argctx_t *ac, const dl_tspec_t *ts, int depth)
{
	const dl_node_t *td = NULL;
	const char *base;
	int stars = 0;

	for (const dl_dcl_t *d = ts->dcl; d != NULL; d = d->next) {
		if (d->kind == DCL_FUNC)
			return "void *";
		stars++;
	}
	if ((ts->flags & TS_TYPEDEF) && depth < USDT_TYPEDEF_DEPTH)
		td = script_typedef(ac, ts->tname);
	if (td != NULL && td->typ->dcl == NULL &&
	    (td->typ->flags & (TS_STRUCT | TS_UNION)))
		td = NULL;	/* conninfo_t: a name a translator gives */
	if (td != NULL)
		base = dtype_name(ac, td->typ, depth + 1);
	else if (ts->flags & TS_TYPEDEF)
		base = ts->tname;
	else
		base = dtype_base(ac, ts);
	if (td == NULL && (ts->flags & TS_CONST))
		base = dl_sprintf(ac->cx->arena, "const %s", base);
	if (stars == 0)
		return base;
	return dl_sprintf(ac->cx->arena, "%s%s%.*s", base,
			  base[strlen(base) - 1] == '*' ? "" : " ", stars,
			  "************************");
}

static const usdt_arg_t *arg_type(argctx_t *ac)
{
	if (ac->param->typ == NULL)	/* `...` */
		dl_error(ac->cx, ac->param->loc, D_PROTO_ARG, "probe %s: a "
			 "variable argument list cannot be passed to a probe",
			 ac->probe);
	return resolve(ac, ac->param->typ, 0);
}

const usdt_arg_t *usdt_arg_type(dl_ctx_t *cx, const dl_node_t *ast,
				const dl_node_t *param)
{
	argctx_t ac = { .cx = cx, .ast = ast, .param = param, .probe = "?",
			.argno = 1 };

	return arg_type(&ac);
}

/* ---- providers ------------------------------------------------------------ */

static usdt_prov_t *find_prov(usdt_defs_t *d, const char *name)
{
	for (size_t i = 0; i < d->nprovs; i++)
		if (strcmp(d->provs[i].name, name) == 0)
			return &d->provs[i];
	dl_vec_grow(d->arena, (void **)&d->provs, &d->cap, d->nprovs + 1,
		    sizeof(*d->provs));
	usdt_prov_t *p = &d->provs[d->nprovs++];
	p->name = dl_strdup(d->arena, name);
	return p;
}

/* How many (what) arguments a prototype's list has, at most
   USDT_MAXARGS. */
static size_t count_args(dl_ctx_t *cx, const dl_node_t *proto,
			 const dl_node_t *list, const char *what)
{
	size_t n = 0;

	for (const dl_node_t *a = list; a != NULL; a = a->next)
		n++;
	if (n > USDT_MAXARGS)
		dl_error(cx, proto->loc, D_PROTO_LEN, "probe %s has %zu "
			 "%sarguments (limit is %d)", proto->name, n, what,
			 USDT_MAXARGS);
	return n;
}

/* The arguments of one prototype, copied into the model's arena. */
static void add_args(usdt_defs_t *d, dl_ctx_t *cx, const dl_node_t *ast,
		     const dl_node_t *proto, usdt_probe_t *pr)
{
	argctx_t ac = { .cx = cx, .ast = ast, .probe = proto->name };
	size_t n = count_args(cx, proto, proto->args, "");
	pr->args = dl_alloc(d->arena, (n ? n : 1) * sizeof(*pr->args));
	for (const dl_node_t *a = proto->args; a != NULL; a = a->next) {
		ac.param = a;
		ac.argno = (int)pr->nargs + 1;
		const usdt_arg_t *t = arg_type(&ac);
		if (t == NULL && n == 1 && a->name == NULL)
			break;		/* probe p(void) */
		if (t == NULL)
			arg_error(&ac, "void must be the only parameter");
		usdt_arg_t *o = &pr->args[pr->nargs++];
		o->kind = t->kind;
		o->ctype = dl_strdup(d->arena, t->ctype);
		o->dtype = dl_strdup(d->arena, dtype_name(&ac, a->typ, 0));
		o->name = a->name ? dl_strdup(d->arena, a->name) : NULL;
	}
}

/* The native argument a translated one named name (at position i) is
   from: the native parameter of that name, else the one at i. */
static int xarg_map(const usdt_probe_t *pr, const char *name, size_t i)
{
	for (size_t k = 0; name != NULL && k < pr->nargs; k++)
		if (pr->args[k].name != NULL &&
		    strcmp(pr->args[k].name, name) == 0)
			return (int)k;
	return (int)i;
}

/* The translated arguments `: (types)` of one prototype. */
static void add_xargs(usdt_defs_t *d, dl_ctx_t *cx, const dl_node_t *ast,
		      const dl_node_t *proto, usdt_probe_t *pr)
{
	argctx_t ac = { .cx = cx, .ast = ast, .probe = proto->name };
	size_t n = count_args(cx, proto, proto->body, "translated ");

	if (n == 1 && proto->body->typ != NULL &&
	    (proto->body->typ->flags & TS_VOID) && !proto->body->typ->dcl)
		n = 0;			/* : (void) */
	pr->xtypes = dl_alloc(d->arena, (n ? n : 1) * sizeof(*pr->xtypes));
	pr->xmap = dl_alloc(d->arena, (n ? n : 1) * sizeof(*pr->xmap));
	for (const dl_node_t *a = proto->body; pr->nxargs < n; a = a->next) {
		ac.param = a;
		ac.argno = (int)pr->nxargs + 1;
		if (a->typ == NULL)
			dl_error(cx, a->loc, D_PROTO_ARG, "probe %s: a "
				 "variable argument list cannot be translated",
				 proto->name);
		int k = xarg_map(pr, a->name, pr->nxargs);
		if (k >= (int)pr->nargs)
			dl_error(cx, a->loc, D_PROTO_ARG, "probe %s translated "
				 "argument #%d has no native argument",
				 proto->name, ac.argno);
		pr->xtypes[pr->nxargs] = dl_strdup(d->arena,
						   dtype_name(&ac, a->typ, 0));
		pr->xmap[pr->nxargs++] = k;
	}
}

static void add_probe(usdt_defs_t *d, dl_ctx_t *cx, const dl_node_t *ast,
		      usdt_prov_t *p, const dl_node_t *proto)
{
	for (size_t i = 0; i < p->nprobes; i++)
		if (strcmp(p->probes[i].name, proto->name) == 0)
			dl_error(cx, proto->loc, D_DECL_IDRED, "probe %s:::%s "
				 "is already declared", p->name, proto->name);
	dl_vec_grow(d->arena, (void **)&p->probes, &p->cap, p->nprobes + 1,
		    sizeof(*p->probes));
	usdt_probe_t *pr = &p->probes[p->nprobes];
	memset(pr, 0, sizeof(*pr));
	pr->name = dl_strdup(d->arena, proto->name);
	add_args(d, cx, ast, proto, pr);
	if (proto->op == 2)
		add_xargs(d, cx, ast, proto, pr);
	p->nprobes++;
}

void usdt_defs_add(usdt_defs_t *d, dl_ctx_t *cx, const dl_node_t *ast)
{
	for (const dl_node_t *n = ast; n != NULL; n = n->next) {
		if (n->kind != ND_PROVIDER)
			continue;
		usdt_prov_t *p = find_prov(d, n->name);
		for (const dl_node_t *pr = n->body; pr != NULL; pr = pr->next)
			add_probe(d, cx, ast, p, pr);
	}
}
