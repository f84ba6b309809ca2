/*
 * xlate.c - translators: `translator out < in IDENT > { member = expr; ... };`
 * and the `xlate < out > (expr)` / `xlate < out * > (expr)` operator.
 *
 * As in DTrace, a translation is never a value in memory: only its
 * members are, one at a time, where they are used.  `xlate<T *>(p)->m` and
 * `xlate<T>(v).m` become, in sema, a fresh copy of the expression the
 * translator gives for m, with its input identifier replaced by the
 * operand (as a conversion to the translator's input type), converted to
 * m's type.  The copy then goes through sema and lowering like any
 * expression the user wrote, so translators need nothing of their own in
 * IR or BPF, and a member not used costs nothing.
 *
 * Providers use the same path: a provider whose args[n] is "xlate<OUT>(IN)"
 * (its argtype hook, see sema_args) gets args[n] rewritten into an
 * ND_XLATE of argn taken as IN, so `args[0]->pr_pid` at a proc probe is the
 * psinfo_t translator's pr_pid of the struct task_struct * in arg0.
 *
 * Translators of the D library are recorded unchecked and resolved at
 * first use (their input types may be kernel types: BTF is not loaded for
 * a script that does not translate); a program's own are checked when
 * declared, DTrace's way: the output must be a struct or union, every
 * member must be one of it and of a compatible type, and no other
 * translator may convert the same types.
 */
#include <string.h>

#include "dlang.h"

typedef struct dl_xlator {
	dl_node_t *node;	/* ND_XLATOR */
	const dl_type_t *out;	/* struct or union; NULL until resolved */
	const dl_type_t *in;
} dl_xlator_t;

struct dl_xlators {
	dl_xlator_t **v;
	size_t n, cap;
};

/* ---- copying expressions ---------------------------------------------- */

static dl_node_t *clone_sub(dl_ctx_t *cx, const dl_node_t *n,
			    const char *id, dl_node_t *(*sub)(dl_ctx_t *,
							      void *),
			    void *arg);

static dl_node_t *clone_list(dl_ctx_t *cx, const dl_node_t *l,
			     const char *id,
			     dl_node_t *(*sub)(dl_ctx_t *, void *), void *arg)
{
	dl_node_t *head = NULL, **tail = &head;

	for (; l != NULL; l = l->next) {
		*tail = clone_sub(cx, l, id, sub, arg);
		tail = &(*tail)->next;
	}
	return head;
}

/* Copy n; identifiers named id (if any) become what sub makes. */
static dl_node_t *clone_sub(dl_ctx_t *cx, const dl_node_t *n,
			    const char *id, dl_node_t *(*sub)(dl_ctx_t *,
							      void *),
			    void *arg)
{
	if (n == NULL)
		return NULL;
	if (id != NULL && n->kind == ND_IDENT && strcmp(n->name, id) == 0)
		return sub(cx, arg);
	dl_node_t *c = dl_alloc(cx->arena, sizeof(*c));
	*c = *n;
	c->next = NULL;
	c->type = NULL;
	c->sema = NULL;
	c->lhs = clone_sub(cx, n->lhs, id, sub, arg);
	c->rhs = clone_sub(cx, n->rhs, id, sub, arg);
	c->cond = clone_sub(cx, n->cond, id, sub, arg);
	c->els = clone_sub(cx, n->els, id, sub, arg);
	c->init = clone_sub(cx, n->init, id, sub, arg);
	c->args = clone_list(cx, n->args, id, sub, arg);
	return c;
}

dl_node_t *dl_node_clone(dl_ctx_t *cx, const dl_node_t *n)
{
	return clone_sub(cx, n, NULL, NULL, NULL);
}

/* A conversion the compiler makes: an ND_CAST with no type as written
   (typ NULL) and its type already set (sema_cast keeps it). */
static dl_node_t *convert(dl_ctx_t *cx, dl_node_t *e, const dl_type_t *t,
			  dl_loc_t loc)
{
	dl_node_t *c = dl_node_new(cx, ND_CAST, loc);

	c->lhs = e;
	c->type = t;
	c->depth = e->depth + 1;
	return c;
}

/* ---- declaring and resolving -------------------------------------------- */

static struct dl_xlators *xtab(dl_ctx_t *cx)
{
	if (cx->xlators == NULL)
		cx->xlators = dl_alloc(cx->arena, sizeof(*cx->xlators));
	return cx->xlators;
}

static bool same_type(const dl_type_t *a, const dl_type_t *b)
{
	return a == b || (a->kind == b->kind && strcmp(a->name, b->name) == 0);
}

static void resolve(dl_ctx_t *cx, dl_xlator_t *x)
{
	dl_node_t *n = x->node;

	if (x->out != NULL)
		return;
	const dl_type_t *out = dl_tspec_type(cx, n->loc, n->typ);
	if ((out->kind == TY_STRUCT || out->kind == TY_UNION) &&
	    out->sou == NULL && out->btf_id == 0)
		dl_error(cx, n->loc, D_XLATE_SOU, "incomplete struct/union/enum "
			 "%s", out->name);
	if (out->kind != TY_STRUCT && out->kind != TY_UNION)
		dl_error(cx, n->loc, D_XLATE_SOU, "translator output type must "
			 "be a struct or union");
	x->in = dl_tspec_type(cx, n->loc, n->ityp);
	x->out = out;
}

/* The input as a dummy of its type: what a translator's members are
   checked against when it is declared. */
static dl_node_t *dummy_input(dl_ctx_t *cx, void *arg)
{
	dl_xlator_t *x = arg;
	dl_node_t *zero = dl_node_new(cx, ND_INT, x->node->loc);
	const dl_type_t *in = x->in;

	if (in->kind == TY_STRUCT || in->kind == TY_UNION) {
		dl_node_t *d = dl_node_new(cx, ND_UNARY, x->node->loc);
		d->op = '*';
		d->lhs = convert(cx, zero, dl_type_ptr(cx, in), x->node->loc);
		return d;
	}
	return convert(cx, zero, in, x->node->loc);
}

static bool compatible(const dl_type_t *mt, const dl_type_t *et)
{
	bool mstr = mt->kind == TY_STRING || (mt->kind == TY_ARRAY &&
		    mt->base->size == 1 && dl_type_is_int(mt->base));

	if (mstr || et->kind == TY_STRING)
		return mstr && et->kind == TY_STRING;
	if (dl_type_is_scalar(mt))
		return dl_type_is_scalar(et);
	return same_type(mt, et);
}

/* A program's translator: checked member by member now. */
static void check(dl_ctx_t *cx, dl_xlator_t *x)
{
	for (dl_node_t *m = x->node->body; m != NULL; m = m->next) {
		uint32_t off;
		const dl_type_t *mt = dl_type_member(cx, m->loc, x->out,
						     m->name, &off);
		if (mt == NULL)
			dl_error(cx, m->loc, D_XLATE_MEMB, "translator member "
				 "%s is not a member of %s", m->name,
				 x->out->name);
		if (mt->bits != 0)
			mt = mt->base;
		dl_node_t *e = clone_sub(cx, m->rhs, x->node->name,
					 dummy_input, x);
		const dl_type_t *et = dl_sema_expr_type(cx, e);
		if (!compatible(mt, et))
			dl_error(cx, m->loc, D_XLATE_INCOMPAT, "translator "
				 "member %s definition uses incompatible types: "
				 "\"%s\" = \"%s\"", m->name, mt->name,
				 et->name);
	}
}

void dl_xlator_declare(dl_ctx_t *cx, dl_node_t *xl, bool lazy)
{
	struct dl_xlators *t = xtab(cx);
	dl_xlator_t *x = dl_alloc(cx->arena, sizeof(*x));

	x->node = xl;
	if (!lazy) {
		resolve(cx, x);
		for (size_t i = 0; i < t->n; i++) {
			dl_xlator_t *o = t->v[i];
			resolve(cx, o);
			if (same_type(o->out, x->out) && same_type(o->in, x->in))
				dl_error(cx, xl->loc, D_XLATE_REDECL,
					 "translator from %s to %s has already "
					 "been declared", x->in->name,
					 x->out->name);
		}
		check(cx, x);
	}
	dl_vec_grow(cx->arena, (void **)&t->v, &t->cap, t->n + 1,
		    sizeof(*t->v));
	t->v[t->n++] = x;
}

/* ---- using ---------------------------------------------------------------- */

struct dl_xlator *dl_xlator_find(dl_ctx_t *cx, dl_loc_t loc,
				 const dl_type_t *out, const dl_type_t *in)
{
	struct dl_xlators *t = xtab(cx);
	dl_xlator_t *fuzzy = NULL;
	int nfuzzy = 0;

	for (size_t i = 0; i < t->n; i++) {
		dl_xlator_t *x = t->v[i];
		/* the output first: a library translator whose output is
		   not asked for never resolves its (kernel) input type */
		const dl_type_t *o = dl_tspec_type(cx, x->node->loc,
						   x->node->typ);
		if (!same_type(o, out))
			continue;
		resolve(cx, x);
		if (same_type(x->in, in))
			return x;
		/* an integer or void * taken as the input pointer */
		if (x->in->kind == TY_PTR &&
		    ((dl_type_is_int(in) && in->size == 8) ||
		     (in->kind == TY_PTR && in->base->kind == TY_VOID))) {
			fuzzy = x;
			nfuzzy++;
		}
	}
	if (nfuzzy == 1)
		return fuzzy;
	dl_error(cx, loc, D_XLATE_NONE, "cannot translate from \"%s\" to "
		 "\"%s\"", in->name, out->name);
}

typedef struct subst {
	dl_node_t *input;	/* the xlate's operand, after sema */
	const dl_type_t *in;	/* the translator's input type */
	dl_loc_t loc;
} subst_t;

/* The operand, shared by every use in the member's expression (sema
   gives it the same type each time), as the translator's input type. */
static dl_node_t *operand(dl_ctx_t *cx, void *arg)
{
	subst_t *s = arg;

	return convert(cx, s->input, s->in, s->loc);
}

dl_node_t *dl_xlate_member(dl_ctx_t *cx, const dl_node_t *xn,
			   const char *name, dl_loc_t loc)
{
	dl_xlator_t *x = xn->sema;
	uint32_t off;

	for (dl_node_t *m = x->node->body; m != NULL; m = m->next) {
		if (strcmp(m->name, name) != 0)
			continue;
		const dl_type_t *mt = dl_type_member(cx, loc, x->out, name,
						     &off);
		if (mt == NULL)
			dl_error(cx, m->loc, D_XLATE_MEMB, "translator member "
				 "%s is not a member of %s", name,
				 x->out->name);
		subst_t s = { xn->lhs, x->in, xn->loc };
		dl_node_t *e = clone_sub(cx, m->rhs, x->node->name, operand,
					 &s);
		if (mt->bits != 0)	/* a bit-field: its declared type */
			mt = mt->base;
		if (dl_type_is_scalar(mt))
			e = convert(cx, e, mt, loc);
		return e;
	}
	dl_error(cx, loc, D_XLATE_NOCONV, "translator does not define "
		 "conversion for member: %s", name);
}
