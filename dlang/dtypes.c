/*
 * dtypes.c - D's own type dictionary: the structs, unions, enums and
 * typedefs a D program (or the D library) declares, next to the kernel's
 * types from BTF (btf.c), and the one function that turns a type as
 * written (dl_tspec_t) into a type (dl_type_t).
 *
 * Why not libctf: the compiler's types are dl_type_t everywhere, kernel
 * ones included, made one at a time from BTF by libbpf.  A libctf
 * dictionary would be a second representation to convert into dl_type_t
 * at every use (and kernel types into CTF first to let D types refer to
 * them), for what D needs of it: names, sizes, member offsets and
 * enumerator values.  So D's declarations become dl_type_t directly,
 * presenting the interface BTF types already have: a struct is TY_STRUCT
 * or TY_UNION with its members (dl_type_t.sou here, a BTF id there, and
 * dl_type_member() asks whichever it is), an enum TY_ENUM of 4 bytes, a
 * typedef the type it names (integer typedefs keep their own name, as
 * D's standard ones do).
 *
 * Declarations are recorded by name when read and resolved when first
 * named, each once per compilation (the dl_type_t made is then reused, so
 * types compare by identity).  The D library's are only ever resolved
 * that way: a library declaring psinfo_t costs nothing to a script that
 * does not use it, and a translator from struct task_struct does not load
 * the kernel's BTF until used.  A program's own declarations are resolved
 * at once, so that their errors point at them.  Layout is C's on LP64:
 * each member at the next multiple of its alignment, a union's members
 * all at 0, the size rounded up to the strictest alignment.
 */
#include <string.h>

#include "dlang.h"

typedef enum { DT_UNRESOLVED, DT_RESOLVING, DT_RESOLVED } dstate_t;

typedef struct dentry {
	const char *name;	/* "struct foo", "enum e", or a typedef name */
	const dl_tspec_t *ts;	/* the definition (typedef: the type named,
				   with its declarator); NULL: forward */
	dl_loc_t loc;		/* where it was declared */
	bool is_typedef;
	dstate_t state;
	const dl_type_t *type;	/* once resolved (or being resolved) */
} dentry_t;

typedef struct denum {
	const char *name;
	dentry_t *owner;	/* the enum declaring it */
	int64_t val;		/* once the owner is resolved */
} denum_t;

struct dl_dtypes {
	dentry_t **v;
	size_t n, cap;
	denum_t *e;
	size_t ne, ecap;
};

static struct dl_dtypes *dict(dl_ctx_t *cx)
{
	if (cx->dtypes == NULL)
		cx->dtypes = dl_alloc(cx->arena, sizeof(*cx->dtypes));
	return cx->dtypes;
}

static dentry_t *find(dl_ctx_t *cx, const char *name)
{
	struct dl_dtypes *d = cx->dtypes;

	for (size_t i = 0; d != NULL && i < d->n; i++)
		if (strcmp(d->v[i]->name, name) == 0)
			return d->v[i];
	return NULL;
}

static denum_t *find_enum(dl_ctx_t *cx, const char *name)
{
	struct dl_dtypes *d = cx->dtypes;

	for (size_t i = 0; d != NULL && i < d->ne; i++)
		if (strcmp(d->e[i].name, name) == 0)
			return &d->e[i];
	return NULL;
}

static const char *kind_word(unsigned flags)
{
	return (flags & TS_STRUCT) ? "struct" : (flags & TS_UNION) ? "union" :
	       "enum";
}

static const dl_type_t *resolve(dl_ctx_t *cx, dentry_t *e, dl_loc_t loc);

/* ---- constants ---------------------------------------------------------- */

bool dl_const_eval(dl_ctx_t *cx, const dl_node_t *n, int64_t *v)
{
	int64_t a, b;
	const dl_type_t *t;

	switch (n->kind) {
	case ND_INT:
		*v = n->ival;
		return true;
	case ND_IDENT:
		return dl_dtype_enumerator(cx, n->loc, n->name, v, &t);
	case ND_SIZEOF_TYPE:
		t = dl_tspec_type(cx, n->loc, n->typ);
		*v = t->size;
		return t->size != 0;
	case ND_CAST:
		return n->typ != NULL && dl_const_eval(cx, n->lhs, v);
	case ND_UNARY:
		if (!dl_const_eval(cx, n->lhs, &a))
			return false;
		switch (n->op) {
		case '-': *v = (int64_t)(0 - (uint64_t)a); return true;
		case '+': *v = a; return true;
		case '~': *v = ~a; return true;
		case '!': *v = !a; return true;
		default: return false;
		}
	case ND_BINARY:
		if (!dl_const_eval(cx, n->lhs, &a) ||
		    !dl_const_eval(cx, n->rhs, &b))
			return false;
		switch (n->op) {
		case BOP_ADD: *v = (int64_t)((uint64_t)a + (uint64_t)b); break;
		case BOP_SUB: *v = (int64_t)((uint64_t)a - (uint64_t)b); break;
		case BOP_MUL: *v = (int64_t)((uint64_t)a * (uint64_t)b); break;
		case BOP_DIV: case BOP_MOD:
			if (b == 0 || (a == INT64_MIN && b == -1))
				return false;
			*v = n->op == BOP_DIV ? a / b : a % b;
			break;
		case BOP_SHL: *v = (int64_t)((uint64_t)a << (b & 63)); break;
		case BOP_SHR: *v = a >> (b & 63); break;
		case BOP_AND: *v = a & b; break;
		case BOP_OR: *v = a | b; break;
		case BOP_XOR: *v = a ^ b; break;
		default: return false;
		}
		return true;
	default:
		return false;
	}
}

/* ---- layout ------------------------------------------------------------- */

static unsigned type_align(const dl_type_t *t)
{
	switch (t->kind) {
	case TY_INT: case TY_ENUM: case TY_PTR:
		return t->size ? t->size : 1;
	case TY_ARRAY:
		return type_align(t->base);
	case TY_STRUCT: case TY_UNION:
		if (t->sou != NULL)
			return t->sou->align;
		/* a kernel struct: the largest power of two dividing its
		   size, at most 8 (BTF records no alignment) */
		for (unsigned a = 8; a > 1; a /= 2)
			if (t->size % a == 0)
				return a;
		return 1;
	default:
		return 1;
	}
}

static dl_type_t *new_type(dl_ctx_t *cx, dl_typekind_t kind, const char *name)
{
	dl_type_t *t = dl_alloc(cx->arena, sizeof(*t));

	t->kind = kind;
	t->name = name;
	return t;
}

static bool incomplete(const dl_type_t *t)
{
	return (t->kind == TY_STRUCT || t->kind == TY_UNION) &&
	       t->sou == NULL && t->btf_id == 0;
}

/* Bit-field m of declared type mt: its width, checked as DTrace does. */
static unsigned bitfield_width(dl_ctx_t *cx, const dl_node_t *m,
			       const dl_type_t *mt)
{
	int64_t w;

	if (!dl_const_eval(cx, m->rhs, &w) || w <= 0)
		dl_error(cx, m->rhs->loc, D_DECL_BFCONST, "positive integral "
			 "constant expression expected as bit-field size");
	if (!dl_type_is_int(mt))
		dl_error(cx, m->loc, D_DECL_BFTYPE, "invalid type for "
			 "bit-field: %s", m->name);
	if (w > 8 * (int64_t)mt->size)
		dl_error(cx, m->loc, D_DECL_BFSIZE, "bit-field too big for "
			 "type: %s", m->name);
	return (unsigned)w;
}

/* The members of a struct or union body into t.  Positions are in bits
   so that bit-fields pack as gcc packs them on x86_64: a bit-field goes
   at the next free bit unless that would make it cross a boundary of its
   type's alignment, then at that boundary; any other member at the next
   byte that is a multiple of its alignment.  Bit-fields count toward the
   struct's alignment like their type. */
static void layout_sou(dl_ctx_t *cx, dl_type_t *t, const dl_tspec_t *ts)
{
	dl_sou_t *s = dl_alloc(cx->arena, sizeof(*s));
	size_t cap = 0;
	uint64_t pos = 0, size = 0;	/* in bits */
	bool is_union = t->kind == TY_UNION;

	s->align = 1;
	for (const dl_node_t *m = ts->members; m != NULL; m = m->next) {
		if (m->name == NULL)
			dl_error(cx, m->loc, D_DECL_MNAME, "member declaration "
				 "requires a name");
		const dl_type_t *mt = dl_tspec_type(cx, m->loc, m->typ);
		if (incomplete(mt) || (mt->kind == TY_ENUM && mt->size == 0))
			dl_error(cx, m->loc, D_DECL_INCOMPLETE, "incomplete "
				 "struct/union/enum %s: %s", mt->name, m->name);
		if (mt->size == 0)
			dl_error(cx, m->loc, D_DECL_VOIDOBJ, "cannot have void "
				 "member: %s", m->name);
		for (size_t i = 0; i < s->n; i++)
			if (strcmp(s->m[i].name, m->name) == 0)
				dl_error(cx, m->loc, D_DECL_IDRED, "identifier "
					 "redeclared: %s", m->name);
		unsigned a = type_align(mt);
		uint64_t start = is_union ? 0 : pos, end;
		uint32_t at;
		if (m->rhs != NULL) {
			unsigned w = bitfield_width(cx, m, mt);
			if (start % (8 * a) + w > 8 * mt->size)
				start = (start + 8 * a - 1) / (8 * a) * (8 * a);
			mt = dl_type_bitfield(cx->arena, mt, (uint32_t)start,
					      w, &at);
			end = start + w;
		} else {
			at = (uint32_t)((start + 7) / 8 + a - 1) / a * a;
			end = 8 * ((uint64_t)at + mt->size);
		}
		dl_vec_grow(cx->arena, (void **)&s->m, &cap, s->n + 1,
			    sizeof(*s->m));
		s->m[s->n++] = (dl_member_t){ m->name, mt, at };
		pos = end;
		if (end > size)
			size = end;
		if (a > s->align)
			s->align = a;
	}
	size = (size + 7) / 8;
	t->size = (uint32_t)((size + s->align - 1) / s->align * s->align);
	t->sou = s;
}

/* The enumerators of an enum body get their values (C's: one more than
   the previous, from 0, unless given). */
static void number_enum(dl_ctx_t *cx, dentry_t *e, const dl_tspec_t *ts)
{
	int64_t next = 0;
	size_t n = 0;
	dl_type_t *t = (dl_type_t *)e->type;
	dl_enumr_t *list;

	for (const dl_node_t *m = ts->members; m != NULL; m = m->next)
		n++;
	list = dl_alloc(cx->arena, (n + 1) * sizeof(*list));
	n = 0;

	for (const dl_node_t *m = ts->members; m != NULL; m = m->next) {
		denum_t *en = find_enum(cx, m->name);
		int64_t v = next;
		if (m->init != NULL && !dl_const_eval(cx, m->init, &v))
			dl_error(cx, m->init->loc, D_DECL_ENCONST, "enumerator "
				 "'%s' must be assigned to an integral constant "
				 "expression", m->name);
		if (v > INT32_MAX || v < INT32_MIN)
			dl_error(cx, m->loc, D_DECL_ENOFLOW, "enumerator '%s' "
				 "value overflows INT_MAX (%d)", m->name,
				 INT32_MAX);
		if (en != NULL && en->owner == e)
			en->val = v;
		list[n++] = (dl_enumr_t){ m->name, v };
		next = v + 1;
	}
	if (t != NULL) {
		t->enums = list;
		t->nenums = n;
	}
}

/* A struct, union or enum with a body: its type. */
static const dl_type_t *make_tagged(dl_ctx_t *cx, dentry_t *e,
				    const dl_tspec_t *ts)
{
	unsigned f = ts->flags;
	const char *name = ts->tname != NULL ?
		dl_sprintf(cx->arena, "%s %s", kind_word(f), ts->tname) :
		dl_sprintf(cx->arena, "%s <anon>", kind_word(f));
	dl_type_t *t = new_type(cx, (f & TS_STRUCT) ? TY_STRUCT :
				(f & TS_UNION) ? TY_UNION : TY_ENUM, name);

	if (e != NULL)
		e->type = t;	/* struct node { struct node *next; } */
	if (t->kind == TY_ENUM) {
		t->size = 4;
		t->is_signed = true;
		if (e != NULL)
			number_enum(cx, e, ts);
		return t;
	}
	layout_sou(cx, t, ts);
	return t;
}

static const dl_type_t *resolve(dl_ctx_t *cx, dentry_t *e, dl_loc_t loc)
{
	if (e->state == DT_RESOLVED)
		return e->type;
	if (e->ts == NULL) {	/* forward: incomplete until defined */
		if (e->type == NULL)
			e->type = new_type(cx, strncmp(e->name, "union ", 6) == 0 ?
					   TY_UNION : strncmp(e->name, "enum ", 5)
					   == 0 ? TY_ENUM : TY_STRUCT, e->name);
		return e->type;
	}
	if (e->state == DT_RESOLVING) {
		if (e->type != NULL && !e->is_typedef)
			return e->type;	/* via a pointer: complete later */
		dl_error(cx, loc, D_DECL_INCOMPLETE, "incomplete "
			 "struct/union/enum %s", e->name);
	}
	e->state = DT_RESOLVING;
	if (e->is_typedef) {
		const dl_type_t *t = dl_tspec_type(cx, e->loc, e->ts);
		if (t->kind == TY_INT || t->kind == TY_ENUM) {
			dl_type_t *c = new_type(cx, t->kind, e->name);
			*c = *t;
			c->name = e->name;
			t = c;
		}
		e->type = t;
	} else {
		make_tagged(cx, e, e->ts);
	}
	e->state = DT_RESOLVED;
	return e->type;
}

/* ---- declaring ---------------------------------------------------------- */

static dentry_t *add_entry(dl_ctx_t *cx, const char *name,
			   const dl_tspec_t *ts, dl_loc_t loc, bool is_typedef)
{
	struct dl_dtypes *d = dict(cx);
	dentry_t *e = dl_alloc(cx->arena, sizeof(*e));

	e->name = name;
	e->ts = ts;
	e->loc = loc;
	e->is_typedef = is_typedef;
	dl_vec_grow(cx->arena, (void **)&d->v, &d->cap, d->n + 1,
		    sizeof(*d->v));
	d->v[d->n++] = e;
	return e;
}

/* Is name already a global identifier (an inline, an enumerator)? */
static bool global_ident(dl_ctx_t *cx, const char *name)
{
	for (size_t i = 0; i < cx->ninlines; i++)
		if (strcmp(cx->inlines[i]->name, name) == 0)
			return true;
	return find_enum(cx, name) != NULL ||
	       dl_dvar_find(cx->globals, name) != NULL;
}

/* A struct/union/enum specifier with a body (at any depth of a
   declaration): record the tag and, for an enum, its enumerators. */
static void declare_tagged(dl_ctx_t *cx, const dl_tspec_t *ts, dl_loc_t loc,
			   bool lazy)
{
	dentry_t *e = NULL;

	if (ts->tname != NULL) {
		const char *name = dl_sprintf(cx->arena, "%s %s",
					      kind_word(ts->flags), ts->tname);
		e = find(cx, name);
		if (e != NULL && e->ts != NULL)
			dl_error(cx, loc, D_DECL_TYPERED, "type redeclared: "
				 "%s", name);
		if (e != NULL) {	/* the body of a forward declaration */
			e->ts = ts;
			e->loc = loc;
			if (e->type != NULL) {	/* complete the type in place */
				dl_type_t *t = (dl_type_t *)e->type;
				e->state = DT_RESOLVING;
				if (t->kind == TY_ENUM) {
					t->size = 4;
					t->is_signed = true;
					number_enum(cx, e, ts);
				} else {
					layout_sou(cx, t, ts);
				}
				e->state = DT_RESOLVED;
			}
		} else {
			e = add_entry(cx, name, ts, loc, false);
		}
	}
	if (ts->flags & TS_ENUM) {
		struct dl_dtypes *d = dict(cx);
		if (e == NULL)	/* anonymous: owned by an entry of its own */
			e = add_entry(cx, dl_sprintf(cx->arena, "enum <anon "
						      "%zu>", d->n), ts, loc,
				      false);
		for (const dl_node_t *m = ts->members; m != NULL; m = m->next) {
			if (!lazy && global_ident(cx, m->name))
				dl_error(cx, m->loc, D_DECL_IDRED, "identifier "
					 "redeclared: %s", m->name);
			dl_vec_grow(cx->arena, (void **)&d->e, &d->ecap,
				    d->ne + 1, sizeof(*d->e));
			d->e[d->ne++] = (denum_t){ m->name, e, 0 };
		}
	} else {
		/* nested definitions: struct a { struct b { ... } x; } */
		for (const dl_node_t *m = ts->members; m != NULL; m = m->next)
			if (m->typ != NULL && m->typ->has_body &&
			    (m->typ->flags & (TS_STRUCT | TS_UNION | TS_ENUM)))
				declare_tagged(cx, m->typ, m->loc, lazy);
	}
	if (!lazy && e != NULL)
		resolve(cx, e, loc);
}

void dl_dtypes_declare(dl_ctx_t *cx, dl_node_t *decl, bool lazy)
{
	const dl_tspec_t *ts = decl->typ;
	unsigned tagged = TS_STRUCT | TS_UNION | TS_ENUM;

	if ((ts->flags & tagged) && ts->has_body)
		declare_tagged(cx, ts, decl->loc, lazy);
	else if ((ts->flags & tagged) && ts->tname != NULL &&
		 decl->kind == ND_TYPEDECL) {	/* struct foo; */
		const char *name = dl_sprintf(cx->arena, "%s %s",
					      kind_word(ts->flags), ts->tname);
		if (find(cx, name) == NULL)
			add_entry(cx, name, NULL, decl->loc, false);
	}
	if (decl->kind != ND_DECL || decl->storage != SC_TYPEDEF)
		return;
	if (decl->name == NULL && (ts->flags & TS_TYPEDEF))
		/* `typedef long x_t;` again: the lexer took x_t for the
		   type it already names */
		dl_error(cx, decl->loc, D_DECL_IDRED, "identifier redeclared: "
			 "%s", ts->tname);
	if (decl->name == NULL)
		return;
	if (find(cx, decl->name) != NULL ||
	    (!lazy && dl_type_by_name(&cx->types, decl->name) != NULL))
		dl_error(cx, decl->loc, D_DECL_IDRED, "identifier redeclared: "
			 "%s", decl->name);
	dentry_t *e = add_entry(cx, decl->name, ts, decl->loc, true);
	if (!lazy)
		resolve(cx, e, decl->loc);
}

/* ---- lookups ------------------------------------------------------------ */

const dl_type_t *dl_dtype_lookup(dl_ctx_t *cx, dl_loc_t loc, const char *name)
{
	dentry_t *e = find(cx, name);

	return e != NULL ? resolve(cx, e, loc) : NULL;
}

bool dl_dtype_enumerator(dl_ctx_t *cx, dl_loc_t loc, const char *name,
			 int64_t *val, const dl_type_t **type)
{
	denum_t *en = find_enum(cx, name);

	if (en == NULL)
		return false;
	if (en->owner->state == DT_RESOLVING) {
		/* an enumerator naming an earlier one of its own enum */
		const dl_tspec_t *ts = en->owner->ts;
		bool earlier = false;
		for (const dl_node_t *m = ts->members; m != NULL; m = m->next) {
			if (strcmp(m->name, name) == 0)
				break;
			earlier = true;
		}
		if (!earlier)
			return false;
		/* number_enum sets values in order: this one is done */
	} else {
		resolve(cx, en->owner, loc);
	}
	*val = en->val;
	*type = en->owner->type;
	return true;
}

const dl_type_t *dl_type_member(dl_ctx_t *cx, dl_loc_t loc,
				const dl_type_t *st, const char *name,
				uint32_t *off)
{
	*off = 0;
	if (st->sou == NULL)
		return st->btf_id != 0 ? dl_btf_member(cx, loc, st, name, off) :
					 NULL;
	for (size_t i = 0; i < st->sou->n; i++) {
		if (strcmp(st->sou->m[i].name, name) == 0) {
			*off = st->sou->m[i].off;
			return st->sou->m[i].type;
		}
	}
	return NULL;
}

/* ---- type names as written ---------------------------------------------- */

static const dl_type_t *tagged_type(dl_ctx_t *cx, dl_loc_t loc,
				    const dl_tspec_t *ts)
{
	unsigned f = ts->flags;

	if (ts->has_body && ts->tname == NULL)	/* anonymous */
		return make_tagged(cx, NULL, ts);
	const char *name = dl_sprintf(cx->arena, "%s %s", kind_word(f),
				      ts->tname);
	dentry_t *e = find(cx, name);
	if (e == NULL && ts->has_body) {	/* nested in a lazy decl */
		declare_tagged(cx, ts, loc, true);
		e = find(cx, name);
	}
	if (e != NULL)
		return resolve(cx, e, loc);
	if (f & TS_ENUM)
		dl_error(cx, loc, D_TYPE_ERR, "no such type: %s", name);
	return dl_btf_struct(cx, loc, ts->tname, (f & TS_UNION) != 0);
}

static const dl_type_t *base_type(dl_ctx_t *cx, dl_loc_t loc,
				  const dl_tspec_t *ts)
{
	const dl_types_t *t = &cx->types;
	unsigned f = ts->flags & ~(TS_CONST | TS_VOLATILE | TS_RESTRICT);

	if (f & (TS_STRUCT | TS_UNION | TS_ENUM))
		return tagged_type(cx, loc, ts);
	if (f & TS_TYPEDEF) {
		const dl_type_t *td = dl_type_by_name(t, ts->tname);
		if (td == NULL)
			td = dl_dtype_lookup(cx, loc, ts->tname);
		if (td == NULL)
			td = dl_type_lookup(cx, loc, ts->tname);
		if (td == NULL)
			dl_error(cx, loc, D_UNSUPPORTED, "the type %s: not "
				 "supported yet", ts->tname);
		return td;
	}
	if (f & (TS_FLOAT | TS_DOUBLE))
		dl_error(cx, loc, D_UNSUPPORTED, "floating types: not "
			 "supported yet");
	if (f & TS_STRING)
		return &t->t_string;
	if (f & TS_VOID)
		return &t->t_void;
	if (f & TS_BOOL)
		return &t->t_bool;
	bool u = f & TS_UNSIGNED;
	if (f & TS_CHAR)
		return u ? &t->t_uchar : (f & TS_SIGNED) ? &t->t_schar :
							   &t->t_char;
	if (f & TS_SHORT)
		return u ? &t->t_ushort : &t->t_short;
	if (f & TS_LONGLONG)
		return u ? &t->t_ullong : &t->t_llong;
	if (f & TS_LONG)
		return u ? &t->t_ulong : &t->t_long;
	return u ? &t->t_uint : &t->t_int;
}

/* The declarator chain is outermost first ("int *a[4]": ARRAY -> PTR):
   the innermost derivation applies to the base type first. */
static const dl_type_t *derive(dl_ctx_t *cx, dl_loc_t loc,
			       const dl_type_t *t, const dl_dcl_t *d)
{
	int64_t n;

	if (d == NULL)
		return t;
	t = derive(cx, loc, t, d->next);
	switch (d->kind) {
	case DCL_PTR:
		return dl_type_ptr(cx, t);
	case DCL_ARRAY: {
		if (d->dim != NULL && d->dim->kind == ND_TYPE)
			dl_error(cx, loc, D_UNSUPPORTED, "associative array "
				 "declarations: not supported yet");
		if (d->dim == NULL || !dl_const_eval(cx, d->dim, &n) || n <= 0 ||
		    n > INT32_MAX)
			dl_error(cx, d->dim ? d->dim->loc : loc, D_DECL_ARRSUB,
				 "positive integral constant expression "
				 "expected as array size");
		if (t->size == 0)
			dl_error(cx, loc, D_DECL_INCOMPLETE, "array of "
				 "incomplete or void type %s", t->name);
		dl_type_t *a = new_type(cx, TY_ARRAY, dl_sprintf(cx->arena,
					"%s [%lld]", t->name, (long long)n));
		a->base = t;
		a->nelems = (unsigned)n;
		a->size = t->size * (unsigned)n;
		return a;
	}
	default:
		dl_error(cx, loc, D_UNSUPPORTED, "function types: not "
			 "supported yet");
	}
}

const dl_type_t *dl_tspec_type(dl_ctx_t *cx, dl_loc_t loc,
			       const dl_tspec_t *ts)
{
	return derive(cx, loc, base_type(cx, loc, ts), ts->dcl);
}
