/*
 * sema.c - the semantic pass: types, identifiers, actions, record layout.
 *
 * Requires: a parsed clause (ND_CLAUSE) and the context's types.
 * Produces: node->type on every expression; node->sema = dl_action_t * on
 * every action statement; clause->acts, clause->nacts and clause->recsize,
 * the layout of the record the clause writes (dl_rechdr_t, then one field
 * per recorded value, each aligned to its size).
 *
 * What the spine supports: integer expressions with every C operator,
 * string literals and string-valued built-ins (compared with ==, != and the
 * relational operators when one side is a literal), the built-in variables
 * of dl_idents.h, integer global, this-> and self-> variables (= and
 * op=, ++ and --; vars.c), and the actions trace(), printf() and exit().
 * A variable takes its type from its declaration or, failing one, from its first
 * assignment, DTrace's way; reading one never assigned is an error.
 * Variables hold integers, pointers, strings, or structs and unions (their
 * members stored and loaded like kernel memory's); an associative array
 * may be declared (`int a[string];`), its keys then checked against the
 * declaration.  Stores into memory are members of struct variables, or go
 * through pointers, which lowering lets write only scratch memory.
 * Every variable reference gets a dl_varref_t in node->sema.  Everything
 * else D has parses and is refused here with D_UNSUPPORTED at its location,
 * so nothing is silently ignored.
 */
#include <string.h>

#include "dlang.h"
#include "fmt.h"

typedef struct sema {
	dl_ctx_t *cx;
	dl_clause_t *clause;
	unsigned strsize;
	uint32_t recoff;	/* next free byte in the record */
	int in_if;		/* depth of if/else statements */
	bool plain;		/* an action: the clause writes a record */
	int inlines;		/* inline expansions in progress */
	bool recorded;		/* a data-recording action was seen */
	bool speculative;	/* speculate() was seen */
	dl_action_t *acts;
	size_t nacts, actcap;
} sema_t;

static const struct {
	const char *name;
	const char *type;
	bool ok;
} var_table[] = {
#define DL_VAR(name, type, ok) { #name, type, ok },
#include "dl_idents.h"
#undef DL_VAR
};

static const struct {
	const char *name;
	dl_fkind_fn_t kind;
	int min, max;
	bool ok;
} func_table[] = {
#define DL_FUNC(name, kind, min, max, ok) { #name, kind, min, max, ok },
#include "dl_idents.h"
#undef DL_FUNC
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int lookup_var(const char *name)
{
	for (size_t i = 0; i < NELEMS(var_table); i++)
		if (strcmp(var_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int lookup_func(const char *name)
{
	for (size_t i = 0; i < NELEMS(func_table); i++)
		if (strcmp(func_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const dl_types_t *T(sema_t *sx)
{
	return &sx->cx->types;
}

_Noreturn static void unsupported(sema_t *sx, const dl_node_t *n,
				  const char *what)
{
	dl_error(sx->cx, n->loc, D_UNSUPPORTED, "%s: not supported yet",
		 what);
}

#define DL_TRACEMEM_MAX 8192	/* bytes one tracemem() records */

static void sema_expr(sema_t *sx, dl_node_t *n);
typedef void sema_fn(sema_t *sx, dl_node_t *n);

static bool is_string(const dl_node_t *n)
{
	return n->type->kind == TY_STRING;
}

static void need_int(sema_t *sx, const dl_node_t *n, const char *op)
{
	if (!dl_type_is_int(n->type))
		dl_error(sx->cx, n->loc, D_OP_INT,
			 "operator %s requires an operand of integral type",
			 op);
}

static void need_scalar(sema_t *sx, const dl_node_t *n, const char *op)
{
	if (!dl_type_is_scalar(n->type))
		dl_error(sx->cx, n->loc, D_OP_SCALAR,
			 "operator %s requires an operand of scalar type", op);
}

/* ---- leaves ---------------------------------------------------------- */

static void sema_int(sema_t *sx, dl_node_t *n)
{
	const dl_types_t *t = T(sx);
	uint64_t v = (uint64_t)n->ival;

	/* C's rules for the type of an integer constant */
	if (n->lsuffix == 0 && !n->is_unsigned && v <= INT32_MAX)
		n->type = &t->t_int;
	else if (n->lsuffix == 0 && n->is_unsigned && v <= UINT32_MAX)
		n->type = &t->t_uint;
	else if (!n->is_unsigned && v <= INT64_MAX)
		n->type = n->lsuffix == 2 ? &t->t_llong : &t->t_long;
	else
		n->type = n->lsuffix == 2 ? &t->t_ullong : &t->t_ulong;
}

static dl_varref_t *varref(sema_t *sx, dl_varkind_t kind, uint32_t idx)
{
	dl_varref_t *r = dl_alloc(sx->cx->arena, sizeof(*r));

	r->kind = kind;
	r->idx = idx;
	return r;
}

/* A global, this-> or self-> variable read or written: its type and
   reference (this-> and self-> variables by index, globals by offset). */
static void use_dvar(sema_t *sx, dl_node_t *n, dl_vars_t *tab,
		     const dl_dvar_t *v)
{
	uint32_t idx = (uint32_t)(v - tab->vars);

	n->type = dl_type_lookup(sx->cx, n->loc, v->tname);
	if (tab == &sx->cx->thisvars)
		n->sema = varref(sx, DL_VK_THIS, idx);
	else if (tab == sx->cx->selfvars)
		n->sema = varref(sx, DL_VK_SELF, idx);
	else
		n->sema = varref(sx, DL_VK_GLOBAL, v->off);
}

static const dl_type_t *sema_typename(sema_t *sx, const dl_node_t *n,
				      const dl_tspec_t *ts);

static const dl_node_t *find_inline(const dl_ctx_t *cx, const char *name)
{
	for (size_t i = 0; i < cx->ninlines; i++)
		if (strcmp(cx->inlines[i]->name, name) == 0)
			return cx->inlines[i];
	return NULL;
}

/*
 * A use of an inline becomes its value, converted to the inline's type:
 * the node turns into a cast of the definition's expression (strings: the
 * expression itself).  The expression's nodes are shared by every use;
 * sema gives them the same types each time.
 */
static void use_inline(sema_t *sx, dl_node_t *n, const dl_node_t *def)
{
	const dl_type_t *t = sema_typename(sx, def, def->typ);

	if (sx->inlines == 64)	/* a cycle, or absurdly deep */
		dl_error(sx->cx, n->loc, D_LIMIT, "inline %s: definitions "
			 "nested too deeply (limit is 64)", def->name);
	sx->inlines++;
	sema_expr(sx, def->lhs);
	sx->inlines--;
	if (t->kind == TY_STRING || def->lhs->type->kind == TY_STRING) {
		if (t->kind != def->lhs->type->kind)
			dl_error(sx->cx, def->loc, D_OP_INCOMPAT, "inline %s "
				 "definition uses incompatible types: \"%s\" = "
				 "\"%s\"", def->name, t->name,
				 def->lhs->type->name);
		dl_node_t *next = n->next;
		dl_loc_t loc = n->loc;
		*n = *def->lhs;
		n->next = next;
		n->loc = loc;
		return;
	}
	n->kind = ND_CAST;
	n->typ = def->typ;
	n->lhs = def->lhs;
	sema_expr(sx, n);
}

static void sema_symbol_at(sema_t *sx, dl_node_t *n, bool addr_only);
static void not_array(sema_t *sx, const dl_node_t *n);

/* A backquoted kernel symbol read: it becomes *(T *)address. */
static void sema_symbol(sema_t *sx, dl_node_t *n)
{
	sema_symbol_at(sx, n, false);
}

static void sema_ident(sema_t *sx, dl_node_t *n)
{
	if (strchr(n->name, '`') != NULL) {	/* a kernel symbol */
		sema_symbol(sx, n);
		return;
	}
	int v = lookup_var(n->name);
	if (v < 0 && strcmp(n->name, "NULL") == 0 &&
	    find_inline(sx->cx, n->name) == NULL &&
	    dl_dvar_find(sx->cx->globals, n->name) == NULL) {
		n->kind = ND_INT;	/* D's null pointer: (void *)0 */
		n->ival = 0;
		n->type = &T(sx)->t_voidp;
		return;
	}
	const dl_node_t *def = v < 0 ? find_inline(sx->cx, n->name) : NULL;

	if (def != NULL) {
		use_inline(sx, n, def);
		return;
	}
	if (v < 0) {
		if (lookup_func(n->name) >= 0)
			dl_error(sx->cx, n->loc, D_IDENT_BADREF,
				 "%s( ) must be called as a function",
				 n->name);
		dl_dvar_t *g = dl_dvar_find(sx->cx->globals, n->name);
		int64_t ev;
		const dl_type_t *et;
		if (g == NULL && dl_dtype_enumerator(sx->cx, n->loc, n->name,
						     &ev, &et)) {
			n->kind = ND_INT;	/* a constant, in place */
			n->ival = ev;
			n->type = et;
			return;
		}
		if (g == NULL)
			not_array(sx, n);
		if (g == NULL)
			dl_error(sx->cx, n->loc, D_IDENT_UNDEF, "failed to "
				 "resolve %s: Unknown variable name", n->name);
		use_dvar(sx, n, sx->cx->globals, g);
		return;
	}
	if (!var_table[v].ok)
		dl_error(sx->cx, n->loc, D_UNSUPPORTED,
			 "built-in variable %s is not supported yet", n->name);
	n->type = dl_type_by_name(T(sx), var_table[v].type);
	if (v == DL_V_curthread)	/* struct task_struct *, from BTF */
		n->type = dl_type_ptr(sx->cx, dl_btf_struct(sx->cx, n->loc,
							    "task_struct",
							    false));
	n->sema = varref(sx, DL_VK_BUILTIN, (uint32_t)v);
	if (v == DL_V_vtimestamp)	/* the library adds its program */
		sx->clause->uses_vtime = true;
}

/* this->x or self->x read. */
static void sema_this(sema_t *sx, dl_node_t *n)
{
	bool self = n->kind == ND_SELF;
	dl_vars_t *tab = self ? sx->cx->selfvars : &sx->cx->thisvars;
	dl_dvar_t *v = dl_dvar_find(tab, n->name);

	if (v == NULL && self)
		not_array(sx, n);
	if (v == NULL)
		dl_error(sx->cx, n->loc, D_IDENT_UNDEF, "failed to resolve "
			 "%s->%s: Unknown variable name",
			 self ? "self" : "this", n->name);
	use_dvar(sx, n, tab, v);
}

/* ---- variables: assignment, ++ and -- ------------------------------- */

/* A global or self-> variable named as a scalar must not be an array. */
static void not_array(sema_t *sx, const dl_node_t *n)
{
	if (dl_assoc_find(sx->cx->assocs, n->name, n->kind == ND_SELF) != NULL)
		dl_error(sx->cx, n->loc, D_IDENT_BADREF, "array '%s' may not "
			 "be referenced as scalar", n->name);
}

/* Is n a D variable (global, this->, self->, an array element)? */
static bool is_dvar(const dl_node_t *n)
{
	return n->kind == ND_THIS || n->kind == ND_SELF ||
	       (n->kind == ND_IDENT && strchr(n->name, '`') == NULL &&
		lookup_var(n->name) < 0) ||
	       (n->kind == ND_INDEX && n->lhs->kind != ND_UNARY);
}

/* The table a modifiable lvalue lives in (NULL: a member of a struct
   variable); refuses every other operand. */
static dl_vars_t *lvalue_table(sema_t *sx, dl_node_t *lv, const char *op)
{
	switch (lv->kind) {
	case ND_IDENT:
		if (lookup_var(lv->name) >= 0 ||
		    find_inline(sx->cx, lv->name) != NULL)
			dl_error(sx->cx, lv->loc, D_OP_WRITE, "operator %s can "
				 "only be applied to a writable variable", op);
		if (lookup_func(lv->name) >= 0)
			break;
		not_array(sx, lv);
		return sx->cx->globals;
	case ND_SELF:
		not_array(sx, lv);
		return sx->cx->selfvars;
	case ND_THIS:
		return &sx->cx->thisvars;
	case ND_AGGREF:
		unsupported(sx, lv, "aggregations as operands");
	case ND_MEMBER: case ND_PTRMEMBER:
		return NULL;	/* a member of a struct variable, or a
				   store through a pointer */
	case ND_UNARY:
		if (lv->op == '*')
			return NULL;
		break;
	default:
		break;
	}
	dl_error(sx->cx, lv->loc, D_OP_LVAL, "operator %s requires modifiable "
		 "lvalue as an operand", op);
}

/* The type a variable gets from its first assignment, of a value of type
   t (NULL: ++, -- and op= make an int). */
static const dl_type_t *first_type(sema_t *sx, const dl_node_t *n,
				   const dl_type_t *t)
{
	if (t == NULL)
		return &T(sx)->t_int;
	const dl_type_t *rt;
	if (t->kind == TY_PTR &&
	    ((rt = dl_type_lookup(sx->cx, n->loc, t->name)) == NULL ||
	     rt->base->size != t->base->size))
		unsupported(sx, n, dl_sprintf(sx->cx->arena, "variables of "
					      "type %s", t->name));
	if (t->kind == TY_STRING || t->kind == TY_PTR)
		return t;
	if (dl_type_is_sou(t) && t->size == 0)
		dl_error(sx->cx, n->loc, D_DECL_INCOMPLETE, "incomplete "
			 "struct/union/enum %s", t->name);
	if (dl_type_is_sou(t))
		return t;
	if (!dl_type_is_int(t))
		unsupported(sx, n, dl_sprintf(sx->cx->arena, "variables of "
					      "type %s", t->name));
	return t;
}

/* The bytes a variable of type t takes: strsize for a string, a struct's
   or union's size 8-aligned, else an 8-byte cell. */
static uint32_t var_size(unsigned strsize, const dl_type_t *t)
{
	if (t->kind == TY_STRING)
		return strsize;
	if (dl_type_is_sou(t))
		return (t->size + 7) & ~7u;
	return 8;
}

static void tuple_keys(sema_t *sx, const char *disp, dl_tuple_t *t,
		       bool lowered, dl_node_t *ref, bool define);
static void tuple_layout(dl_tuple_t *t);
static void check_decl_keys(sema_t *sx, const dl_node_t *n,
			    const dl_assoc_t *a, const char *disp);
static void sema_index_keys(sema_t *sx, dl_node_t *n, dl_assoc_t *a,
			    bool define);

/* The associative array base[keys] names: a global one (x[...]) or a
   self-> one; NULL if it has no entry yet. */
static dl_assoc_t *assoc_of(sema_t *sx, dl_node_t *n, const char *op)
{
	dl_node_t *base = n->lhs;

	if (base->kind == ND_IDENT && lookup_var(base->name) >= 0)
		unsupported(sx, n, dl_sprintf(sx->cx->arena, "%s[ ]",
					      base->name));
	if (base->kind != ND_IDENT && base->kind != ND_SELF)
		unsupported(sx, n, base->kind == ND_THIS ? "this-> arrays" :
			    "array indexing");
	if (base->kind == ND_IDENT &&
	    dl_dvar_find(sx->cx->globals, base->name) != NULL)
		dl_error(sx->cx, n->loc, D_IDENT_BADREF, "scalar '%s' may not "
			 "be referenced as array", base->name);
	(void)op;
	return dl_assoc_find(sx->cx->assocs, base->name,
			     base->kind == ND_SELF);
}

/* An element of an associative array written by op (creating the array
   on its first assignment, with the value's type rt). */
static bool is_ptr_index(sema_t *sx, const dl_node_t *base);
static void sema_mem_lvalue(sema_t *sx, dl_node_t *lv);
static bool mem_lvalue(const dl_node_t *n);

/* Is n a pointer variable (or curthread), which p[i] indexes? */
static bool ptr_var(sema_t *sx, const dl_node_t *n)
{
	dl_dvar_t *v = NULL;

	if (n->kind == ND_IDENT && (strchr(n->name, '`') != NULL ||
				    lookup_var(n->name) == DL_V_curthread))
		return true;
	if (n->kind == ND_IDENT)
		v = dl_dvar_find(sx->cx->globals, n->name);
	else if (n->kind == ND_SELF)
		v = dl_dvar_find(sx->cx->selfvars, n->name);
	else if (n->kind == ND_THIS)
		v = dl_dvar_find(&sx->cx->thisvars, n->name);
	return v != NULL && dl_type_lookup(sx->cx, n->loc,
					   v->tname)->kind == TY_PTR;
}

static void sema_index_lvalue(sema_t *sx, dl_node_t *lv, const char *op,
			      const dl_type_t *rt)
{
	if (lv->lhs->kind != ND_IDENT && lv->lhs->kind != ND_SELF &&
	    lv->lhs->kind != ND_THIS && is_ptr_index(sx, lv->lhs)) {
		sema_mem_lvalue(sx, lv);	/* p[i] = v, s.a[i] = v */
		return;
	}
	if (ptr_var(sx, lv->lhs)) {
		sema_mem_lvalue(sx, lv);	/* p[i] = v */
		return;
	}
	dl_assoc_t *a = assoc_of(sx, lv, op);
	bool define = a == NULL;

	if (define) {
		const dl_type_t *t = first_type(sx, lv, rt);
		a = dl_assoc_add(sx->cx->assocs, lv->lhs->name,
				 lv->lhs->kind == ND_SELF);
		a->tname = t->name;
		a->valsize = var_size(sx->strsize, t);
		a->tup.base = a->self ? 8 : 0;
	}
	sema_index_keys(sx, lv, a, define);
}

/*
 * A store into memory: a member of a struct variable (x.m, x.m.n), or
 * through a pointer (*p, p->m, p[i]), which DTrace allows only into
 * scratch memory (alloca()'s): lowering checks the address when the
 * store runs and faults on any other (a kernel address is never written).
 * Integers, pointers and whole structs and unions are stored this way,
 * and strings into char arrays (DTrace copies them in, the array's size
 * at most).
 */
static void sema_mem_lvalue(sema_t *sx, dl_node_t *lv)
{
	sema_expr(sx, lv);
	if (!mem_lvalue(lv))
		dl_error(sx->cx, lv->loc, D_OP_LVAL, "operator = requires "
			 "modifiable lvalue as an operand");
	const dl_memref_t *m = lv->sema;
	if (m->strsize != 0)	/* a char array: a string is copied in */
		return;
	if (!dl_type_is_scalar(m->type) && !dl_type_is_sou(m->type))
		unsupported(sx, lv, dl_sprintf(sx->cx->arena, "stores of "
			    "type %s into memory", m->type->name));
}

/* Resolve (creating on first assignment) the variable lv writes. */
static void sema_lvalue(sema_t *sx, dl_node_t *lv, const char *op,
			const dl_type_t *rt)
{
	if (lv->kind == ND_INDEX) {
		sema_index_lvalue(sx, lv, op, rt);
		return;
	}
	dl_vars_t *tab = lvalue_table(sx, lv, op);
	if (tab == NULL) {	/* x.m = v (x must be there already), or
				   *p = v, p->m = v, p[i] = v */
		sema_mem_lvalue(sx, lv);
		return;
	}
	dl_dvar_t *v = dl_dvar_find(tab, lv->name);

	if (v == NULL && tab == &sx->cx->thisvars &&
	    tab->n == DL_THIS_MAX)
		dl_error(sx->cx, lv->loc, D_LIMIT, "too many clause-local "
			 "variables (limit is %d)", DL_THIS_MAX);
	if (v == NULL) {
		const dl_type_t *t = first_type(sx, lv, rt);
		v = dl_dvar_add(tab, lv->name, t, var_size(sx->strsize, t));
	}
	use_dvar(sx, lv, tab, v);
}

/* May a value v be stored in a variable of type t?  Strings in strings,
   integers in integers, pointers in pointers (or 0, which deletes a
   dynamic variable). */
static bool assignable(const dl_type_t *t, const dl_node_t *v)
{
	if (t->kind == TY_STRING || v->type->kind == TY_STRING)
		return t->kind == v->type->kind;
	if (dl_type_is_sou(t) || dl_type_is_sou(v->type))
		return t->kind == v->type->kind &&
		       strcmp(t->name, v->type->name) == 0;
	if (t->kind == TY_PTR)
		return v->type->kind == TY_PTR ||
		       (v->kind == ND_INT && v->ival == 0);
	return dl_type_is_int(t) && dl_type_is_int(v->type);
}

static void sema_assign(sema_t *sx, dl_node_t *n)
{
	const char *op = n->op == BOP_NONE ? "=" :
		dl_sprintf(sx->cx->arena, "%s=", dl_binop_name(n->op));

	sema_expr(sx, n->rhs);
	sema_lvalue(sx, n->lhs, op, n->op == BOP_NONE ? n->rhs->type : NULL);
	if (n->op == BOP_NONE && !assignable(n->lhs->type, n->rhs))
		dl_error(sx->cx, n->loc, D_OP_INCOMPAT, "operands have "
			 "incompatible types: \"%s\" %s \"%s\"",
			 n->lhs->type->name, op, n->rhs->type->name);
	if (n->op != BOP_NONE && !(n->lhs->type->kind == TY_PTR &&
				   (n->op == BOP_ADD || n->op == BOP_SUB))) {
		need_int(sx, n->lhs, op);
		need_int(sx, n->rhs, op);
	}
	if (n->op != BOP_NONE)	/* p += n, p -= n */
		need_int(sx, n->rhs, op);
	n->type = n->lhs->type;
}

static void sema_incdec(sema_t *sx, dl_node_t *n)
{
	bool inc = n->kind == ND_PREINC || n->kind == ND_POSTINC;

	sema_lvalue(sx, n->lhs, inc ? "++" : "--", NULL);
	need_scalar(sx, n->lhs, inc ? "++" : "--");
	n->type = n->lhs->type;
}

/* ---- operators ------------------------------------------------------- */

static bool sema_ptr_arith(sema_t *sx, dl_node_t *n);
static void sema_addrof(sema_t *sx, dl_node_t *n);

static bool is_relop(int op)
{
	return op >= BOP_LT && op <= BOP_NE;
}

static void sema_binary(sema_t *sx, dl_node_t *n)
{
	const char *opname = dl_binop_name(n->op);

	sema_expr(sx, n->lhs);
	sema_expr(sx, n->rhs);
	if (is_relop(n->op) && (is_string(n->lhs) || is_string(n->rhs))) {
		if (!is_string(n->lhs) || !is_string(n->rhs))
			dl_error(sx->cx, n->loc, D_OP_INCOMPAT,
				 "operands have incompatible types: \"%s\" %s "
				 "\"%s\"", n->lhs->type->name, opname,
				 n->rhs->type->name);
		n->type = &T(sx)->t_int;
		return;
	}
	if (is_relop(n->op)) {
		need_scalar(sx, n->lhs, opname);
		need_scalar(sx, n->rhs, opname);
		n->type = &T(sx)->t_int;
		return;
	}
	if (sema_ptr_arith(sx, n))
		return;
	need_int(sx, n->lhs, opname);
	need_int(sx, n->rhs, opname);
	if (n->op == BOP_SHL || n->op == BOP_SHR)
		n->type = dl_type_promote(T(sx), n->lhs->type);
	else
		n->type = dl_type_arith(T(sx), n->lhs->type, n->rhs->type);
}

/*
 * Pointer arithmetic, C's: p + i and i + p (a pointer of p's type, i
 * scaled by the size of what p points to, lowering's job), p - i, and
 * p - q of the same pointer type (a ptrdiff_t count of elements).
 * Returns false if neither operand is a pointer.
 */
static bool sema_ptr_arith(sema_t *sx, dl_node_t *n)
{
	const dl_type_t *l = n->lhs->type, *r = n->rhs->type;
	const char *opname = dl_binop_name(n->op);

	if (l->kind != TY_PTR && r->kind != TY_PTR)
		return false;
	if (n->op == BOP_SUB && l->kind == TY_PTR && r->kind == TY_PTR) {
		if (strcmp(l->name, r->name) != 0)
			dl_error(sx->cx, n->loc, D_OP_INCOMPAT, "operands have "
				 "incompatible types: \"%s\" - \"%s\"",
				 l->name, r->name);
		n->type = &T(sx)->t_long;
		return true;
	}
	if (n->op == BOP_ADD && (dl_type_is_int(l) || dl_type_is_int(r))) {
		n->type = l->kind == TY_PTR ? l : r;
		return true;
	}
	if (n->op == BOP_SUB && l->kind == TY_PTR && dl_type_is_int(r)) {
		n->type = l;
		return true;
	}
	dl_error(sx->cx, n->loc, D_OP_INCOMPAT, "operands have incompatible "
		 "types: \"%s\" %s \"%s\"", l->name, opname, r->name);
}

static void sema_logical(sema_t *sx, dl_node_t *n, const char *op)
{
	sema_expr(sx, n->lhs);
	sema_expr(sx, n->rhs);
	need_scalar(sx, n->lhs, op);
	need_scalar(sx, n->rhs, op);
	n->type = &T(sx)->t_int;
}

/* ---- pointers and members ------------------------------------------- */

/* What a dereference or member access reads: its type and (for members)
   the offset from the base address; node->sema of ND_UNARY '*',
   ND_MEMBER and ND_PTRMEMBER. */
static dl_memref_t *memref(sema_t *sx, dl_node_t *n, const dl_type_t *t,
			   uint32_t off)
{
	dl_memref_t *m = dl_alloc(sx->cx->arena, sizeof(*m));

	m->off = off;
	m->type = t;
	n->sema = m;
	/* a char array reads as a string of its length; a struct or
	   array only as the base of a further member access */
	if (t->kind == TY_ARRAY && t->base->size == 1 &&
	    dl_type_is_int(t->base)) {
		m->strsize = t->nelems;
		n->type = &T(sx)->t_string;
	} else if (t->bits != 0) {	/* a bit-field: its declared type */
		n->type = t->base;
	} else {
		n->type = t;
	}
	return m;
}

static void sema_deref(sema_t *sx, dl_node_t *n);

/*
 * `sym, mod`sym: the node becomes *(T *)addr with the symbol's address
 * (an ND_SYMADDR of type T *), T its type from the kernel's BTF.  A
 * symbol without a type may only have its address taken (&`sym, a void
 * *), DTrace's D_SYM_NOTYPES otherwise.
 */
static void sema_symbol_at(sema_t *sx, dl_node_t *n, bool addr_only)
{
	uint64_t addr;
	const dl_type_t *t = dl_sym_resolve(sx->cx, n, &addr);

	if (t == NULL && !addr_only)
		dl_error(sx->cx, n->loc, D_SYM_NOTYPES, "no symbolic type "
			 "information is available for %s: the kernel's BTF "
			 "has no type for it (read it as *(type *)&%s)",
			 dl_sym_display(sx->cx, n->name), n->name);
	dl_node_t *a = dl_node_new(sx->cx, ND_SYMADDR, n->loc);
	a->ival = (int64_t)addr;
	a->name = n->name;
	a->type = dl_type_ptr(sx->cx, t != NULL ? t : &T(sx)->t_void);
	n->kind = ND_UNARY;
	n->op = '*';
	n->lhs = a;
	if (t != NULL)
		sema_deref(sx, n);
	else
		n->type = &T(sx)->t_void;
}

static void sema_symaddr(sema_t *sx, dl_node_t *n)
{
	(void)sx;	/* typed when made */
	(void)n;
}

static void sema_deref(sema_t *sx, dl_node_t *n)
{
	if (n->lhs->type->kind != TY_PTR)
		dl_error(sx->cx, n->loc, D_DEREF_NONPTR, "cannot dereference "
			 "non-pointer type");
	const dl_type_t *t = n->lhs->type->base;
	if (t->kind == TY_VOID)
		dl_error(sx->cx, n->loc, D_DEREF_VOID, "cannot dereference "
			 "pointer to void");
	memref(sx, n, t, 0);
}

/* The xlate under an expression (through the conversions an inline's
   use adds), or NULL. */
static const dl_node_t *xlate_of(const dl_node_t *n)
{
	while (n->kind == ND_CAST && n->lhs->type == n->type)
		n = n->lhs;
	return n->kind == ND_XLATE ? n : NULL;
}

/* xlate<T>(e): which translator (node->sema), of type T (T * or a struct
   or union); only its members are values (sema_member).  A provider's
   args[n] comes here with no type as written, its type and operand's set
   (sema_args). */
static void sema_xlate(sema_t *sx, dl_node_t *n)
{
	const dl_type_t *t = n->typ != NULL ? sema_typename(sx, n, n->typ) :
					      n->type;
	const dl_type_t *out = t->kind == TY_PTR ? t->base : t;

	if (n->typ != NULL || n->lhs->type == NULL)
		sema_expr(sx, n->lhs);
	n->sema = dl_xlator_find(sx->cx, n->loc, out, n->lhs->type);
	n->type = t;
}

/* offsetof(type, member): a constant. */
static void sema_offsetof(sema_t *sx, dl_node_t *n)
{
	const dl_type_t *st = sema_typename(sx, n, n->typ);
	uint32_t off;

	if (st->kind != TY_STRUCT && st->kind != TY_UNION)
		dl_error(sx->cx, n->loc, D_OFFSETOF_TYPE, "offsetof operand "
			 "must be a struct or union type");
	const dl_type_t *mt = dl_type_member(sx->cx, n->loc, st, n->name,
					     &off);
	if (mt == NULL)
		dl_error(sx->cx, n->loc, D_TYPE_MEMBER, "%s is not a member of "
			 "%s", n->name, st->name);
	if (mt->bits != 0)
		dl_error(sx->cx, n->loc, D_OFFSETOF_BITFIELD, "cannot take "
			 "offset of a bit-field: %s", n->name);
	n->kind = ND_INT;
	n->ival = off;
	n->is_unsigned = true;
	n->lsuffix = 1;
	n->type = &T(sx)->t_ulong;
}

/* s.m and p->m on kernel and D structs and unions. */
static void sema_member(sema_t *sx, dl_node_t *n)
{
	bool ptr = n->kind == ND_PTRMEMBER;
	const dl_type_t *st;
	uint32_t off;

	sema_expr(sx, n->lhs);
	st = n->lhs->type;
	if (ptr && st->kind != TY_PTR)
		dl_error(sx->cx, n->loc, D_OP_PTR, "left-hand side of -> must "
			 "be a pointer");
	if (ptr)
		st = st->base;
	if (st->kind != TY_STRUCT && st->kind != TY_UNION)
		dl_error(sx->cx, n->loc, ptr ? D_OP_PTR : D_OP_SOU, "operator "
			 "%s cannot be applied to a %s", ptr ? "->" : ".",
			 ptr ? "pointer to a type that is not a struct or "
			 "union" : "type that is not a struct or union");
	const dl_node_t *x = xlate_of(n->lhs);
	if (x != NULL) {	/* a translated member, computed here */
		dl_node_t *e = dl_xlate_member(sx->cx, x, n->name, n->loc);
		dl_node_t *next = n->next;
		dl_loc_t loc = n->loc;
		*n = *e;
		n->next = next;
		n->loc = loc;
		sema_expr(sx, n);
		return;
	}
	if (!ptr && n->lhs->kind != ND_UNARY && n->lhs->kind != ND_MEMBER &&
	    n->lhs->kind != ND_PTRMEMBER && !(is_dvar(n->lhs) &&
	    n->lhs->sema != NULL && n->lhs->kind != ND_UNARY))
		unsupported(sx, n, "struct values other than variables, "
			    "members and dereferences");
	const dl_type_t *mt = dl_type_member(sx->cx, n->loc, st, n->name,
					     &off);
	if (mt == NULL)
		dl_error(sx->cx, n->loc, D_TYPE_MEMBER, "%s is not a member of "
			 "%s", n->name, st->name);
	memref(sx, n, mt, off);
}

/* stringof(x): a string as is; a pointer (or address) to a kernel
   string, the string there. */
static void sema_stringof(sema_t *sx, dl_node_t *n)
{
	sema_expr(sx, n->lhs);
	if (!is_string(n->lhs) && !dl_type_is_scalar(n->lhs->type))
		dl_error(sx->cx, n->loc, D_STRINGOF_TYPE, "stringof( ) "
			 "operand must be a scalar or string type");
	n->type = &T(sx)->t_string;
}

static void sema_unary(sema_t *sx, dl_node_t *n)
{
	char op[2] = { (char)n->op, 0 };

	if (n->op == '&') {
		sema_addrof(sx, n);
		return;
	}
	sema_expr(sx, n->lhs);
	switch (n->op) {
	case '!':
		need_scalar(sx, n->lhs, op);
		n->type = &T(sx)->t_int;
		return;
	case '-': case '+': case '~':
		need_int(sx, n->lhs, op);
		n->type = dl_type_promote(T(sx), n->lhs->type);
		return;
	case '*':
		sema_deref(sx, n);
		return;
	default:
		unsupported(sx, n, "taking an address");
	}
}

/* Is n kernel memory sema can name the address of: *p, s.m, p->m,
   p[i], a backquoted symbol? */
static bool mem_lvalue(const dl_node_t *n)
{
	return (n->kind == ND_UNARY && n->op == '*') || n->kind == ND_MEMBER ||
	       n->kind == ND_PTRMEMBER;
}

/*
 * &x: the address of kernel memory x names, a pointer to x's type (an
 * array's: to its first element, so &curthread->comm is a char *).  D
 * variables have no address, as in DTrace.
 */
static void sema_addrof(sema_t *sx, dl_node_t *n)
{
	dl_node_t *x = n->lhs;

	if (x->kind == ND_IDENT && strchr(x->name, '`') != NULL)
		sema_symbol_at(sx, x, true);	/* &`sym even untyped */
	else if (!(x->kind == ND_UNARY && x->op == '*' &&
		   x->lhs->kind == ND_SYMADDR))
		sema_expr(sx, x);
	if (x->kind == ND_UNARY && x->op == '*' &&
	    x->lhs->kind == ND_SYMADDR) {
		n->type = x->lhs->type;
		return;
	}
	if (x->kind == ND_IDENT || x->kind == ND_SELF || x->kind == ND_THIS ||
	    (x->kind == ND_INDEX && x->sema != NULL))
		dl_error(sx->cx, n->loc, D_ADDROF_VAR, "cannot take address "
			 "of dynamic variable");
	if (!mem_lvalue(x))
		dl_error(sx->cx, n->loc, D_ADDROF_LVAL, "unacceptable operand "
			 "for unary & operator");
	const dl_type_t *t = ((const dl_memref_t *)x->sema)->type;
	if (t->bits != 0)
		dl_error(sx->cx, n->loc, D_ADDROF_BITFIELD, "cannot take "
			 "address of bit-field");
	if (t->kind == TY_ARRAY)
		t = t->base;
	n->type = dl_type_ptr(sx->cx, t);
}

static void sema_ternary(sema_t *sx, dl_node_t *n)
{
	sema_expr(sx, n->cond);
	sema_expr(sx, n->lhs);
	sema_expr(sx, n->rhs);
	need_scalar(sx, n->cond, "?:");
	if (is_string(n->lhs) && is_string(n->rhs)) {
		n->type = &T(sx)->t_string;
		return;
	}
	if (n->lhs->type->kind == TY_PTR || n->rhs->type->kind == TY_PTR) {
		const dl_type_t *l = n->lhs->type, *r = n->rhs->type;
		if (l->kind == TY_PTR && (strcmp(r->name, l->name) == 0 ||
					  (n->rhs->kind == ND_INT &&
						     n->rhs->ival == 0))) {
			n->type = l;
			return;
		}
		if (r->kind == TY_PTR && n->lhs->kind == ND_INT &&
		    n->lhs->ival == 0) {
			n->type = r;
			return;
		}
	}
	if (!dl_type_is_int(n->lhs->type) || !dl_type_is_int(n->rhs->type))
		dl_error(sx->cx, n->loc, D_OP_INCOMPAT,
			 "operator ?: operands must have compatible types");
	n->type = dl_type_arith(T(sx), n->lhs->type, n->rhs->type);
}

/* The type a cast, sizeof or declaration names (dtypes.c). */
static const dl_type_t *sema_typename(sema_t *sx, const dl_node_t *n,
				      const dl_tspec_t *ts)
{
	return dl_tspec_type(sx->cx, n->loc, ts);
}

static void sema_cast(sema_t *sx, dl_node_t *n)
{
	sema_expr(sx, n->lhs);
	if (n->typ != NULL)	/* else a conversion the compiler made, its
				   type set (xlate.c) */
		n->type = sema_typename(sx, n, n->typ);
	if (n->lhs->kind == ND_XLATE && n->lhs->type == n->type)
		return;		/* an inline's value: xlate<T>(...) as T */
	if (n->type->kind == TY_VOID || n->type->kind == TY_STRING ||
	    !dl_type_is_scalar(n->type) || !dl_type_is_scalar(n->lhs->type))
		dl_error(sx->cx, n->loc, D_CAST_INVAL,
			 "invalid cast expression: \"%s\" to \"%s\"",
			 n->lhs->type->name, n->type->name);
}

static void sema_sizeof(sema_t *sx, dl_node_t *n)
{
	const dl_type_t *st;

	if (n->kind == ND_SIZEOF_TYPE) {
		st = sema_typename(sx, n, n->typ);
	} else {
		sema_expr(sx, n->lhs);
		st = n->lhs->type;
	}
	if (st->kind == TY_VOID)
		dl_error(sx->cx, n->loc, D_SIZEOF_TYPE,
			 "sizeof operator cannot be applied to void");
	/* sizeof is a constant: rewrite the node in place */
	n->kind = ND_INT;
	n->ival = st->kind == TY_STRING ? sx->strsize : st->size;
	n->is_unsigned = true;
	n->lsuffix = 1;
	n->type = &T(sx)->t_ulong;
}

/* ---- the expression dispatch: one function per node kind ------------- */

static void sema_string(sema_t *sx, dl_node_t *n)
{
	n->type = &T(sx)->t_string;
}

static void sema_logop(sema_t *sx, dl_node_t *n)
{
	sema_logical(sx, n, n->kind == ND_LOGAND ? "&&" :
			    n->kind == ND_LOGOR ? "||" : "^^");
}

static void sema_comma(sema_t *sx, dl_node_t *n)
{
	sema_expr(sx, n->lhs);
	sema_expr(sx, n->rhs);
	n->type = n->rhs->type;
}

/* ---- associative arrays ---------------------------------------------- */

/* The keys of a[...] and the node's type and reference. */
static void sema_index_keys(sema_t *sx, dl_node_t *n, dl_assoc_t *a,
			    bool define)
{
	const char *disp = a->self ? dl_sprintf(sx->cx->arena, "self->%s",
						a->name) : a->name;

	tuple_keys(sx, disp, &a->tup, a->lowered, n, define);
	if (a->declared)
		check_decl_keys(sx, n, a, disp);
	n->type = dl_type_lookup(sx->cx, n->loc, a->tname);
	n->sema = varref(sx, DL_VK_ASSOC, a->id);
}

/*
 * args[n] that the provider gives as "xlate<OUT>(IN)": argn taken as an IN
 * and translated to OUT (xlate.c), e.g. "xlate<psinfo_t *>(struct
 * task_struct *)" for a proc probe's task.
 */
static void xlate_arg(sema_t *sx, dl_node_t *n, int k, const char *tname)
{
	const char *gt = strstr(tname, ">(");
	size_t len = strlen(tname);

	if (gt == NULL || tname[len - 1] != ')')
		dl_error(sx->cx, n->loc, D_ARGS_TYPE, "args[%d]: the "
			 "provider's type %s is malformed", k, tname);
	const char *out = dl_strndup(sx->cx->arena, tname + 6,
				     (size_t)(gt - tname - 6));
	const char *in = dl_strndup(sx->cx->arena, gt + 2,
				    (size_t)(tname + len - 1 - gt - 2));
	const dl_type_t *ot = dl_type_lookup(sx->cx, n->loc, out);
	const dl_type_t *it = dl_type_lookup(sx->cx, n->loc, in);
	if (ot == NULL || it == NULL)
		dl_error(sx->cx, n->loc, D_ARGS_TYPE, "args[%d]: no type %s",
			 k, ot == NULL ? out : in);
	dl_node_t *a = dl_node_new(sx->cx, ND_IDENT, n->loc);
	a->name = dl_sprintf(sx->cx->arena, "arg%d", k);
	a->sema = varref(sx, DL_VK_BUILTIN, DL_V_arg0 + (uint32_t)k);
	a->type = it;
	n->kind = ND_XLATE;
	n->typ = NULL;
	n->lhs = a;
	n->args = NULL;
	n->type = ot;
	sema_xlate(sx, n);
}

/*
 * args[n]: argn typed as the probe's provider says (the same type on every
 * probe of the clause, else DTrace's error); it becomes the built-in argn
 * with that type, which lowering converts to.
 */
static void sema_args(sema_t *sx, dl_node_t *n)
{
	dl_node_t *k = n->args;
	char tname[128];

	sema_expr(sx, k);
	if (k->next != NULL || k->kind != ND_INT || k->ival < 0 ||
	    k->ival > DL_V_arg11 - DL_V_arg0)
		dl_error(sx->cx, k->loc, D_ARGS_IDX, "index %lld is out of "
			 "range for args[ ]", k->kind == ND_INT ?
			 (long long)k->ival : -1LL);
	if (sx->cx->argtype == NULL ||
	    sx->cx->argtype(sx->cx->argtype_arg, sx->clause, (int)k->ival,
			    tname, sizeof(tname)) < 0)
		dl_error(sx->cx, n->loc, D_ARGS_TYPE, "args[%lld] has no type "
			 "for the probes of this clause (use arg%lld)",
			 (long long)k->ival, (long long)k->ival);
	if (strncmp(tname, "xlate<", 6) == 0) {
		xlate_arg(sx, n, (int)k->ival, tname);
		return;
	}
	const dl_type_t *t = dl_type_lookup(sx->cx, n->loc, tname);
	if (t == NULL)		/* a type we cannot name: its bits */
		t = &T(sx)->t_long;
	n->kind = ND_IDENT;
	n->name = dl_sprintf(sx->cx->arena, "arg%lld", (long long)k->ival);
	n->sema = varref(sx, DL_VK_BUILTIN, DL_V_arg0 + (uint32_t)k->ival);
	n->type = t;
}

/* Does base[...] index a pointer or an array rather than name an
   associative array?  Any expression but a variable name does, and so
   does a variable that holds a pointer. */
static bool is_ptr_index(sema_t *sx, const dl_node_t *base)
{
	int v;

	switch (base->kind) {
	case ND_IDENT:
		if (strchr(base->name, '`') != NULL)
			return true;
		v = lookup_var(base->name);
		if (v >= 0)
			return var_table[v].ok && v == DL_V_curthread;
		return dl_dvar_find(sx->cx->globals, base->name) != NULL ||
		       find_inline(sx->cx, base->name) != NULL;
	case ND_SELF:
		return dl_dvar_find(sx->cx->selfvars, base->name) != NULL;
	case ND_THIS:
		return dl_dvar_find(&sx->cx->thisvars, base->name) != NULL;
	default:
		return true;
	}
}

/* A constant index of array type at must be inside it (Oracle DTrace's
   check), except for arrays of 0 or 1 elements, which in kernel structs
   stand for a variable length. */
static void check_bounds(sema_t *sx, const dl_node_t *k,
			 const dl_type_t *at)
{
	int64_t i;

	if (at->nelems > 1 && dl_const_eval(sx->cx, k, &i) && (i < 0 || i >= at->nelems))
		dl_error(sx->cx, k->loc, D_ARR_BOUNDS, "index outside array "
			 "bounds: %lld, max is %u", (long long)i, at->nelems);
}

/* p[i] and a[i] of a pointer p or a kernel array a: rewritten as
   *(p + i) and *(&a + i), C's meaning. */
static void sema_ptr_index(sema_t *sx, dl_node_t *n)
{
	dl_node_t *base = n->lhs, *k = n->args;

	sema_expr(sx, base);
	if (k == NULL || k->next != NULL)
		dl_error(sx->cx, n->loc, D_OP_ARRAY, "operator [ ] takes one "
			 "index of a pointer or array");
	if (base->type->kind != TY_PTR) {
		const dl_memref_t *m = mem_lvalue(base) ? base->sema : NULL;
		if (m == NULL || m->type->kind != TY_ARRAY)
			dl_error(sx->cx, n->loc, D_OP_ARRAY, "operator [ ] may "
				 "not be applied to an operand of type \"%s\"",
				 base->type->name);
		check_bounds(sx, k, m->type);
		dl_node_t *a = dl_node_new(sx->cx, ND_UNARY, base->loc);
		a->op = '&';
		a->lhs = base;
		base = a;
	}
	dl_node_t *add = dl_node_new(sx->cx, ND_BINARY, n->loc);
	add->op = BOP_ADD;
	add->lhs = base;
	add->rhs = k;
	n->kind = ND_UNARY;
	n->op = '*';
	n->lhs = add;
	n->args = NULL;
	sema_expr(sx, n);
}

/* a[keys] read. */
static void sema_index(sema_t *sx, dl_node_t *n)
{
	if (n->lhs->kind == ND_IDENT && strcmp(n->lhs->name, "args") == 0) {
		sema_args(sx, n);
		return;
	}
	if (is_ptr_index(sx, n->lhs)) {
		sema_ptr_index(sx, n);
		return;
	}
	dl_assoc_t *a = assoc_of(sx, n, "[ ]");

	if (a == NULL)
		dl_error(sx->cx, n->loc, D_IDENT_UNDEF, "failed to resolve "
			 "%s%s: Unknown variable name",
			 n->lhs->kind == ND_SELF ? "self->" : "", n->lhs->name);
	sema_index_keys(sx, n, a, false);
}

/* ---- subroutines: one function each, by dl_func_t ------------------- */

static void check_nargs(sema_t *sx, const dl_node_t *call, int f);

/* An argument that must be an integer (or pointer) for prototype proto. */
static void need_arg(sema_t *sx, const dl_node_t *call, const dl_node_t *a,
		     int argno, const char *proto)
{
	if (!dl_type_is_scalar(a->type))
		dl_error(sx->cx, a->loc, D_PROTO_ARG, "%s( ) argument #%d is "
			 "incompatible with prototype:\n\tprototype: %s\n\t "
			 "argument: %s", call->name, argno, proto,
			 a->type->name);
}

/* copyinstr(addr[, maxlen]): a user string; maxlen a constant. */
static void sema_copyinstr(sema_t *sx, dl_node_t *n)
{
	dl_node_t *addr = n->args, *len = addr->next;

	sema_expr(sx, addr);
	need_arg(sx, n, addr, 1, "uintptr_t");
	if (len != NULL) {
		sema_expr(sx, len);
		need_arg(sx, n, len, 2, "size_t");
		if (len->kind != ND_INT)
			unsupported(sx, len, "copyinstr( ) with a length that "
				    "is not a constant");
	}
	n->type = &T(sx)->t_string;
}

/* A string argument. */
static void need_str_arg(sema_t *sx, const dl_node_t *call, dl_node_t *a,
			 int argno)
{
	sema_expr(sx, a);
	if (!is_string(a))
		dl_error(sx->cx, a->loc, D_PROTO_ARG, "%s( ) argument #%d is "
			 "incompatible with prototype:\n\tprototype: string\n"
			 "\t argument: %s", call->name, argno, a->type->name);
}

static void sema_speculation(sema_t *sx, dl_node_t *n)
{
	n->type = &T(sx)->t_int;
}

static void sema_strlen(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	n->type = dl_type_by_name(T(sx), "size_t");
}

static void sema_strjoin(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	need_str_arg(sx, n, n->args->next, 2);
	n->type = &T(sx)->t_string;
}

/* An integer argument (char, int, ...), converted to the prototype's type
   when lowered. */
static void need_int_arg(sema_t *sx, const dl_node_t *call, dl_node_t *a,
			 int argno, const char *proto)
{
	sema_expr(sx, a);
	if (!dl_type_is_int(a->type))
		dl_error(sx->cx, a->loc, D_PROTO_ARG, "%s( ) argument #%d is "
			 "incompatible with prototype:\n\tprototype: %s\n\t "
			 "argument: %s", call->name, argno, proto,
			 a->type->name);
}

/* substr(s, index[, length]) */
static void sema_substr(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	need_int_arg(sx, n, n->args->next, 2, "int");
	if (n->args->next->next != NULL)
		need_int_arg(sx, n, n->args->next->next, 3, "int");
	n->type = &T(sx)->t_string;
}

/* index(s, sub[, start]), rindex(s, sub[, start]) */
static void sema_index_subr(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	need_str_arg(sx, n, n->args->next, 2);
	if (n->args->next->next != NULL)
		need_int_arg(sx, n, n->args->next->next, 3, "int");
	n->type = &T(sx)->t_int;
}

/* strchr(s, c), strrchr(s, c) */
static void sema_strchr(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	need_int_arg(sx, n, n->args->next, 2, "char");
	n->type = &T(sx)->t_string;
}

/* string f(string, string): strstr */
static void sema_str2(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	need_str_arg(sx, n, n->args->next, 2);
	n->type = &T(sx)->t_string;
}

/* strtok(s, delim): s may be NULL (the constant 0) to go on with the
   string of the last call on this CPU. */
static void sema_strtok(sema_t *sx, dl_node_t *n)
{
	dl_node_t *s = n->args;

	sema_expr(sx, s);
	if (!is_string(s) && !(s->kind == ND_INT && s->ival == 0))
		dl_error(sx->cx, s->loc, D_PROTO_ARG, "strtok( ) argument #1 "
			 "is incompatible with prototype:\n\tprototype: "
			 "string\n\t argument: %s", s->type->name);
	need_str_arg(sx, n, s->next, 2);
	n->type = &T(sx)->t_string;
}

/* string f(string): basename, dirname, cleanpath, toupper, tolower */
static void sema_str1(sema_t *sx, dl_node_t *n)
{
	need_str_arg(sx, n, n->args, 1);
	n->type = &T(sx)->t_string;
}

/* __psargs(task): pr_psargs of the process of a struct task_struct *. */
static void sema_psargs(sema_t *sx, dl_node_t *n)
{
	sema_expr(sx, n->args);
	if (n->args->type->kind != TY_PTR)
		dl_error(sx->cx, n->args->loc, D_PROTO_ARG, "__psargs( ) "
			 "argument #1 is incompatible with prototype: "
			 "prototype: struct task_struct * argument: %s",
			 n->args->type->name);
	n->type = &T(sx)->t_string;
}

/* d_path(struct path *): a pointer to a struct path (or an integer
   holding one, as argN does). */
static void sema_d_path(sema_t *sx, dl_node_t *n)
{
	const dl_type_t *t;

	sema_expr(sx, n->args);
	t = n->args->type;
	if (!(t->kind == TY_PTR && (t->base->kind == TY_VOID ||
	      strcmp(t->base->name, "struct path") == 0)) &&
	    !dl_type_is_int(t))
		dl_error(sx->cx, n->args->loc, D_PROTO_ARG, "d_path( ) "
			 "argument #1 is incompatible with prototype:\n\t"
			 "prototype: struct path *\n\t argument: %s",
			 t->name);
	n->type = &T(sx)->t_string;
}

/* lltostr(v[, base]) */
static void sema_lltostr(sema_t *sx, dl_node_t *n)
{
	need_int_arg(sx, n, n->args, 1, "int64_t");
	if (n->args->next != NULL)
		need_int_arg(sx, n, n->args->next, 2, "int");
	n->type = &T(sx)->t_string;
}

/* htons(uint16_t) -> uint16_t and the others of the family: the type of
   the argument and the result, by name. */
static void sema_byteorder(sema_t *sx, dl_node_t *n)
{
	const char *name = n->name[4] == 's' ? "uint16_t" :
			   n->name[5] == 'l' ? "uint64_t" : "uint32_t";

	need_int_arg(sx, n, n->args, 1, name);
	n->type = dl_type_by_name(T(sx), name);
}

/* inet_ntoa(ipaddr_t *): the IPv4 address at a kernel address. */
static void sema_inet_ntoa(sema_t *sx, dl_node_t *n)
{
	sema_expr(sx, n->args);
	need_arg(sx, n, n->args, 1, "ipaddr_t *");
	n->type = &T(sx)->t_string;
}

/*
 * The memory subroutines: copyin(addr, size) and alloca(size) return a
 * void * into the clause's scratch space; copyinto(addr, size, dest) and
 * bcopy(src, dest, size) fill scratch space alloca() or copyin() gave.
 * inet_ntoa6(in6_addr_t *) and inet_ntop(af, addr) format addresses in
 * kernel memory.  DTrace's prototypes.
 */
static void sema_memsubr(sema_t *sx, dl_node_t *n)
{
	static const struct {
		dl_func_t fn;
		const char *proto[3];
		bool ret;
	} protos[] = {
		{ DL_FN_copyin, { "uintptr_t", "size_t" }, true },
		{ DL_FN_alloca, { "size_t" }, true },
		{ DL_FN_copyinto, { "uintptr_t", "size_t", "void *" }, false },
		{ DL_FN_bcopy, { "void *", "void *", "size_t" }, false },
		{ DL_FN_inet_ntoa6, { "in6_addr_t *" }, false },
		{ DL_FN_inet_ntop, { "int", "void *" }, false },
	};
	size_t i = 0;

	while (protos[i].fn != (dl_func_t)n->ival)
		i++;
	int argno = 1;
	for (dl_node_t *a = n->args; a != NULL; a = a->next, argno++) {
		sema_expr(sx, a);
		need_arg(sx, n, a, argno, protos[i].proto[argno - 1]);
	}
	n->type = protos[i].ret ? &T(sx)->t_voidp : &T(sx)->t_void;
	if (n->ival == DL_FN_inet_ntoa6 || n->ival == DL_FN_inet_ntop)
		n->type = &T(sx)->t_string;
}

static void sema_progenyof(sema_t *sx, dl_node_t *n)
{
	need_int_arg(sx, n, n->args, 1, "pid_t");
	n->type = &T(sx)->t_int;
}

static void sema_rand(sema_t *sx, dl_node_t *n)
{
	n->type = &T(sx)->t_int;
}

/* getmajor(dev_t) -> major_t, getminor(dev_t) -> minor_t */
static void sema_devnum(sema_t *sx, dl_node_t *n)
{
	need_int_arg(sx, n, n->args, 1, "dev_t");
	n->type = dl_type_by_name(T(sx), n->name[3] == 'm' && n->name[4] ==
				  'a' ? "major_t" : "minor_t");
}

static sema_fn *const subr_fns[DL_NFUNCS] = {
	[DL_FN_copyinstr] = sema_copyinstr,
	[DL_FN_strlen] = sema_strlen, [DL_FN_strjoin] = sema_strjoin,
	[DL_FN_speculation] = sema_speculation,
	[DL_FN_substr] = sema_substr, [DL_FN_index] = sema_index_subr,
	[DL_FN_rindex] = sema_index_subr, [DL_FN_strchr] = sema_strchr,
	[DL_FN_strrchr] = sema_strchr, [DL_FN_strstr] = sema_str2,
	[DL_FN_strtok] = sema_strtok, [DL_FN_basename] = sema_str1,
	[DL_FN_dirname] = sema_str1, [DL_FN_cleanpath] = sema_str1,
	[DL_FN_lltostr] = sema_lltostr, [DL_FN_toupper] = sema_str1,
	[DL_FN_tolower] = sema_str1, [DL_FN_htons] = sema_byteorder,
	[DL_FN_htonl] = sema_byteorder, [DL_FN_htonll] = sema_byteorder,
	[DL_FN_ntohs] = sema_byteorder, [DL_FN_ntohl] = sema_byteorder,
	[DL_FN_ntohll] = sema_byteorder, [DL_FN_inet_ntoa] = sema_inet_ntoa,
	[DL_FN_progenyof] = sema_progenyof, [DL_FN_rand] = sema_rand,
	[DL_FN_getmajor] = sema_devnum, [DL_FN_getminor] = sema_devnum,
	[DL_FN___psargs] = sema_psargs, [DL_FN_d_path] = sema_d_path,
	[DL_FN_copyin] = sema_memsubr, [DL_FN_alloca] = sema_memsubr,
	[DL_FN_copyinto] = sema_memsubr, [DL_FN_bcopy] = sema_memsubr,
	[DL_FN_inet_ntoa6] = sema_memsubr, [DL_FN_inet_ntop] = sema_memsubr,
};

static void sema_subr(sema_t *sx, dl_node_t *n)
{
	int f = lookup_func(n->name);

	if (f >= 0 && func_table[f].kind == DL_FK_SUBR && func_table[f].ok &&
	    subr_fns[f] != NULL) {
		check_nargs(sx, n, f);
		n->ival = f;
		subr_fns[f](sx, n);
		return;
	}
	if (f >= 0 && func_table[f].kind == DL_FK_AGG)
		dl_error(sx->cx, n->loc, D_CG_EXPR, "aggregating function "
			 "%s( ) may not be called from a D expression (D "
			 "program context required)", n->name);
	if (f >= 0 && func_table[f].kind != DL_FK_SUBR)
		dl_error(sx->cx, n->loc, D_ACT_SPEC,
			 "%s( ) may not be used in an expression", n->name);
	unsupported(sx, n, dl_sprintf(sx->cx->arena, "the subroutine %s( )",
				      n->name));
}

static sema_fn *const sema_fns[ND_NKINDS] = {
	[ND_INT] = sema_int, [ND_STR] = sema_string, [ND_IDENT] = sema_ident,
	[ND_BINARY] = sema_binary, [ND_LOGAND] = sema_logop,
	[ND_LOGOR] = sema_logop, [ND_LOGXOR] = sema_logop,
	[ND_UNARY] = sema_unary, [ND_TERNARY] = sema_ternary,
	[ND_CAST] = sema_cast, [ND_SIZEOF_TYPE] = sema_sizeof,
	[ND_SIZEOF_EXPR] = sema_sizeof, [ND_COMMA] = sema_comma,
	[ND_CALL] = sema_subr, [ND_THIS] = sema_this, [ND_SELF] = sema_this,
	[ND_ASSIGN] = sema_assign, [ND_PREINC] = sema_incdec,
	[ND_PREDEC] = sema_incdec, [ND_POSTINC] = sema_incdec,
	[ND_POSTDEC] = sema_incdec, [ND_INDEX] = sema_index,
	[ND_MEMBER] = sema_member, [ND_PTRMEMBER] = sema_member,
	[ND_STRINGOF] = sema_stringof, [ND_XLATE] = sema_xlate,
	[ND_OFFSETOF] = sema_offsetof, [ND_SYMADDR] = sema_symaddr,
};

/* Expressions D has that this dtrace cannot compile yet. */
static const char *const sema_unsupported[ND_NKINDS] = {
	[ND_AGGREF] = "aggregations",
};

static void sema_expr(sema_t *sx, dl_node_t *n)
{
	if (sema_fns[n->kind] != NULL) {
		sema_fns[n->kind](sx, n);
		return;
	}
	if (sema_unsupported[n->kind] != NULL)
		unsupported(sx, n, sema_unsupported[n->kind]);
	dl_error(sx->cx, n->loc, D_SYNTAX, "unexpected %s in expression",
		 dl_nodekind_name(n->kind));
}

/* ---- records and actions --------------------------------------------- */

static dl_field_t record_value(sema_t *sx, const dl_node_t *n)
{
	dl_field_t f = { 0 };
	uint32_t align;

	f.type = n->type;
	if (!is_string(n) && !dl_type_is_scalar(n->type))
		unsupported(sx, n, dl_sprintf(sx->cx->arena, "recording a "
					      "value of type %s", n->type->name));
	if (is_string(n)) {
		f.kind = DL_F_STRING;
		f.size = sx->strsize;
		align = 1;
	} else {
		f.kind = DL_F_INT;
		f.size = n->type->size;
		f.is_signed = n->type->is_signed;
		align = f.size;
	}
	sx->recoff = (sx->recoff + align - 1) & ~(align - 1);
	f.off = sx->recoff;
	sx->recoff += f.size;
	return f;
}

static dl_action_t *new_action(sema_t *sx, dl_actkind_t kind,
			       const dl_node_t *n, size_t nfields)
{
	dl_vec_grow(sx->cx->arena, (void **)&sx->acts, &sx->actcap,
		    sx->nacts + 1, sizeof(*sx->acts));
	dl_action_t *a = &sx->acts[sx->nacts++];
	a->kind = kind;
	a->loc = n->loc;
	a->nfields = nfields;
	a->fields = dl_alloc(sx->cx->arena, sizeof(dl_field_t) * (nfields + 1));
	return a;
}

static size_t count_args(const dl_node_t *args)
{
	size_t n = 0;

	for (; args != NULL; args = args->next)
		n++;
	return n;
}

static void check_nargs(sema_t *sx, const dl_node_t *call, int f)
{
	int n = (int)count_args(call->args);

	if (n < func_table[f].min ||
	    (func_table[f].max >= 0 && n > func_table[f].max))
		dl_error(sx->cx, call->loc, D_PROTO_LEN,
			 "%s( ) prototype mismatch: %d arg%s passed, %s%d "
			 "expected", call->name, n, n == 1 ? "" : "s",
			 func_table[f].max < 0 ? "at least " : "",
			 func_table[f].min);
}

static void sema_trace(sema_t *sx, dl_node_t *call)
{
	dl_node_t *arg = call->args;

	sema_expr(sx, arg);
	if (arg->type->kind == TY_VOID)
		dl_error(sx->cx, arg->loc, D_PROTO_ARG,
			 "trace( ) argument #1 is incompatible with "
			 "prototype:\n\tprototype: any scalar or string\n"
			 "\t argument: void");
	dl_action_t *a = new_action(sx, DL_ACT_TRACE, call, 1);
	if (dl_type_is_sou(arg->type)) {	/* a struct: its bytes */
		sx->recoff = (sx->recoff + 7) & ~7u;
		a->fields[0] = (dl_field_t){ .kind = DL_F_MEM, .off = sx->recoff,
					     .size = arg->type->size,
					     .type = arg->type };
		if (arg->type->size > DL_TRACEMEM_MAX)
			dl_error(sx->cx, arg->loc, D_LIMIT, "trace( ) of %s: %u "
				 "bytes is too large (limit is %d bytes)",
				 arg->type->name, arg->type->size,
				 DL_TRACEMEM_MAX);
		sx->recoff += arg->type->size;
	} else {
		a->fields[0] = record_value(sx, arg);
	}
	call->sema = a;
}

static void sema_exit(sema_t *sx, dl_node_t *call)
{
	dl_node_t *arg = call->args;

	sema_expr(sx, arg);
	if (!dl_type_is_int(arg->type))
		dl_error(sx->cx, arg->loc, D_PROTO_ARG,
			 "exit( ) argument #1 is incompatible with "
			 "prototype:\n\tprototype: int\n\t argument: %s",
			 arg->type->name);
	dl_action_t *a = new_action(sx, DL_ACT_EXIT, call, 1);
	arg->type = &T(sx)->t_int;
	a->fields[0] = record_value(sx, arg);
	call->sema = a;
}

static bool sema_stack_key(sema_t *sx, dl_node_t *k);

static dl_field_t record_cb(void *arg, const dl_node_t *n)
{
	sema_t *sx = arg;

	if (dl_is_stack_arg(n)) {	/* printf's %k: its shape */
		dl_field_t f = *(const dl_field_t *)n->sema;
		sx->recoff = (sx->recoff + 7) & ~7u;
		f.off = sx->recoff;
		sx->recoff += f.size;
		return f;
	}
	return record_value(arg, n);
}

/* printf(fmt, ...), and system(fmt, ...) which formats the same way. */
static void sema_printf(sema_t *sx, dl_node_t *call, dl_actkind_t kind)
{
	dl_node_t *fmt = call->args;

	if (fmt->kind != ND_STR)
		dl_error(sx->cx, fmt->loc, D_PRINTF_ARG_FMT,
			 "%s( ) argument #1 must be a string constant",
			 call->name);
	for (dl_node_t *a = fmt->next; a != NULL; a = a->next) {
		/* printf("%k", stack()): the stack is recorded (record_cb) */
		if (kind == DL_ACT_PRINTF && dl_is_stack_arg(a) &&
		    sema_stack_key(sx, a))
			continue;
		sema_expr(sx, a);
	}
	dl_action_t *a = new_action(sx, kind, call, count_args(fmt->next));
	a->fmt = fmt->sval;
	dl_sema_printf(sx->cx, call, a, record_cb, sx);
	call->sema = a;
}


/* ---- stacks and symbols ------------------------------------------------ */

/*
 * stack(), ustack() and the symbol actions (sym(), func(), mod(), usym(),
 * ufunc(), umod(), uaddr()) record what the consumer symbolises: pcs from
 * bpf_get_stack, or one address (with the pid for user ones).  They are
 * statements or aggregation keys, never values in expressions, as in
 * DTrace.  Their record shape (kind, size, symfmt; not the offset) is
 * what stack_shape() returns.
 */
#define DL_STACK_MAXFRAMES 127	/* the kernel's perf_event_max_stack */

/* The frames of stack(n) or ustack(n[, strsize]): n, a positive integer
   constant, or the -x stackframes / ustackframes default. */
static uint32_t stack_frames(sema_t *sx, dl_node_t *call, bool user)
{
	dl_node_t *n = call->args;
	uint32_t def = !user ? sx->cx->stackframes :
		       strcmp(call->name, "jstack") == 0 ?
		       sx->cx->jstackframes : sx->cx->ustackframes;

	if (n == NULL)
		return def > 0 && def <= DL_STACK_MAXFRAMES ? def :
		       DL_STACK_MAXFRAMES;
	sema_expr(sx, n);
	if (n->kind != ND_INT || n->ival <= 0)
		dl_error(sx->cx, n->loc, user ? D_USTACK_FRAMES : D_STACK_SIZE,
			 "%s( ) argument #1 must be a non-zero positive "
			 "integer constant", call->name);
	if (n->ival > DL_STACK_MAXFRAMES)
		dl_error(sx->cx, n->loc, D_LIMIT, "%s( ) asks for too many "
			 "frames (limit is %d)", call->name,
			 DL_STACK_MAXFRAMES);
	dl_node_t *ss = n->next;
	if (user && ss != NULL) {	/* strsize: for jstack's helper only */
		sema_expr(sx, ss);
		if (!dl_type_is_int(ss->type))
			dl_error(sx->cx, ss->loc, D_PROTO_ARG, "%s( ) argument "
				 "#2 is incompatible with prototype:\n\t"
				 "prototype: uint32_t\n\t argument: %s",
				 call->name, ss->type->name);
		if (ss->kind != ND_INT || ss->ival < 0)
			dl_error(sx->cx, ss->loc, D_USTACK_STRSIZE, "%s( ) "
				 "argument #2 must be a positive integer "
				 "constant", call->name);
	}
	return (uint32_t)n->ival;
}

/* Is call one of these functions?  Then *f gets its record shape. */
static bool stack_shape(sema_t *sx, dl_node_t *call, dl_field_t *f)
{
	static const struct {
		dl_func_t fn;
		dl_fkind_t kind;
		dl_symfmt_t fmt;
	} syms[] = {
		{ DL_FN_sym, DL_F_SYM, DL_SYM_SYM },
		{ DL_FN_func, DL_F_SYM, DL_SYM_SYM },
		{ DL_FN_mod, DL_F_SYM, DL_SYM_MOD },
		{ DL_FN_usym, DL_F_USYM, DL_SYM_SYM },
		{ DL_FN_ufunc, DL_F_USYM, DL_SYM_SYM },
		{ DL_FN_umod, DL_F_USYM, DL_SYM_MOD },
		{ DL_FN_uaddr, DL_F_USYM, DL_SYM_ADDR },
	};
	int fn = call->kind == ND_CALL ? lookup_func(call->name) : -1;

	memset(f, 0, sizeof(*f));
	f->type = &T(sx)->t_ullong;
	/* jstack(): ustack()'s frames, the Java ones unnamed */
	if (fn == DL_FN_jstack)
		dl_warn(sx->cx, "jstack( ) prints what ustack( ) does: there "
			"is no Java stack helper on Linux to name Java "
			"frames");
	if (fn == DL_FN_stack || fn == DL_FN_ustack || fn == DL_FN_jstack) {
		check_nargs(sx, call, fn);
		bool user = fn != DL_FN_stack;
		f->kind = user ? DL_F_USTACK : DL_F_STACK;
		f->size = (stack_frames(sx, call, user) +
			   (user ? 1 : DL_STACK_EXTRA)) * 8;
		return true;
	}
	for (size_t i = 0; i < NELEMS(syms); i++) {
		if ((int)syms[i].fn != fn)
			continue;
		check_nargs(sx, call, fn);
		sema_expr(sx, call->args);
		need_arg(sx, call, call->args, 1, "uint64_t");
		f->kind = syms[i].kind;
		f->symfmt = syms[i].fmt;
		f->size = f->kind == DL_F_USYM ? 16 : 8;
		return true;
	}
	return false;
}

/* stack(), ustack(), sym() ... uaddr() as a statement: one field. */
static void sema_stack(sema_t *sx, dl_node_t *call)
{
	dl_field_t f;

	stack_shape(sx, call, &f);
	dl_action_t *a = new_action(sx, DL_ACT_STACK, call, 1);
	sx->recoff = (sx->recoff + 7) & ~7u;
	f.off = sx->recoff;
	sx->recoff += f.size;
	a->fields[0] = f;
	call->sema = a;
}

/* An aggregation key that is a stack or a symbol: its shape, kept in
   k->sema for tuple_keys (NULL: not one). */
static bool sema_stack_key(sema_t *sx, dl_node_t *k)
{
	dl_field_t f;

	if (k->kind != ND_CALL || !stack_shape(sx, k, &f))
		return false;
	dl_field_t *p = dl_alloc(sx->cx->arena, sizeof(*p));
	*p = f;
	k->sema = p;
	k->type = f.type;
	return true;
}

static const dl_field_t *stack_key_of(const dl_node_t *k)
{
	return k->kind == ND_CALL && k->sema != NULL ? k->sema : NULL;
}

/* The type name a stack or symbol key shows in messages. */
static const char *stack_key_tname(const dl_field_t *f)
{
	static const char *const names[] = {
		[DL_F_STACK] = "stack", [DL_F_USTACK] = "ustack",
		[DL_F_SYM] = "_symaddr", [DL_F_USYM] = "_usymaddr",
	};

	return names[f->kind];
}

/* ---- aggregations ------------------------------------------------------ */

/* The most bytes a string value can hold, as lowering will have it: what
   a string key position must make room for. */
static uint32_t str_bound(sema_t *sx, const dl_node_t *n)
{
	static const uint32_t names[DL_NVARS] = {
		[DL_V_execname] = 16, [DL_V_probeprov] = DL_PROBE_PROVLEN,
		[DL_V_probemod] = DL_PROBE_MODLEN,
		[DL_V_probefunc] = DL_PROBE_FUNCLEN,
		[DL_V_probename] = DL_PROBE_NAMELEN,
	};
	uint32_t b = sx->strsize;

	if (n->kind == ND_STR)
		b = (uint32_t)n->slen + 1;
	else if (n->kind == ND_IDENT && n->sema != NULL &&
		 ((const dl_varref_t *)n->sema)->kind == DL_VK_BUILTIN &&
		 names[((const dl_varref_t *)n->sema)->idx] != 0)
		b = names[((const dl_varref_t *)n->sema)->idx];
	else if (n->kind == ND_TERNARY) {
		uint32_t l = str_bound(sx, n->lhs), r = str_bound(sx, n->rhs);
		b = l > r ? l : r;
	}
	return b < sx->strsize ? b : sx->strsize;
}

static const char *agg_display(sema_t *sx, const dl_agg_t *a)
{
	return dl_sprintf(sx->cx->arena, "@%s", a->name);
}

/* Lay the keys out after t->base: integers as 8-byte values, strings
   rounded up to 8 bytes, in order. */
static void tuple_layout(dl_tuple_t *t)
{
	uint32_t off = t->base;

	for (uint32_t i = 0; i < t->nkeys; i++) {
		t->keys[i].off = off;
		off += (t->keys[i].size + 7) & ~7u;
	}
	t->keysize = off;
}

/* The key tuple of a use of an aggregation or an associative array
   (named disp in messages): defines it on first use, else checks it
   against the definition (widening string keys if no program was built
   with it yet). */
static void tuple_keys(sema_t *sx, const char *disp, dl_tuple_t *t,
		       bool lowered, dl_node_t *ref, bool define)
{
	uint32_t n = 0;

	for (dl_node_t *k = ref->args; k != NULL; k = k->next, n++) {
		if (disp[0] == '@' && n < DL_AGG_KEYS_MAX &&
		    sema_stack_key(sx, k))
			continue;
		sema_expr(sx, k);
		if (k->type->kind == TY_VOID)
			dl_error(sx->cx, k->loc, D_KEY_TYPE, "%s expression "
				 "may not be used as %s index: key #%u",
				 k->type->name, disp[0] == '@' ? "aggregation" :
				 "an array", n + 1);
		if (!is_string(k) && !dl_type_is_scalar(k->type))
			unsupported(sx, k, dl_sprintf(sx->cx->arena,
				    "keys of type %s", k->type->name));
		if (n == DL_AGG_KEYS_MAX)
			dl_error(sx->cx, k->loc, D_LIMIT, "too many keys (limit "
				 "is %d)", DL_AGG_KEYS_MAX);
	}
	if (!define && n != t->nkeys)
		dl_error(sx->cx, ref->loc, D_PROTO_LEN, "%s[ ] prototype "
			 "mismatch: %u key%spassed, %u expected", disp, n,
			 n == 1 ? " " : "s ", t->nkeys);
	n = 0;
	for (dl_node_t *k = ref->args; k != NULL; k = k->next, n++) {
		dl_aggkey_t *ak = &t->keys[n];
		const dl_field_t *sk = stack_key_of(k);
		uint32_t size = sk != NULL ? sk->size :
				is_string(k) ? str_bound(sx, k) : 8;
		if (define && sk != NULL) {
			ak->stk = sk->kind;
			ak->symfmt = sk->symfmt;
			ak->size = size;
			ak->tsize = 8;
			ak->tname = stack_key_tname(sk);
			continue;
		}
		if (sk != NULL || ak->stk != DL_F_INT) {
			if (sk == NULL || ak->stk != sk->kind ||
			    ak->symfmt != sk->symfmt)
				dl_error(sx->cx, k->loc, D_PROTO_ARG, "%s[ ] "
					 "key #%u is incompatible with "
					 "prototype:\n\tprototype: %s\n\t"
					 "      key: %s", disp, n + 1, ak->tname,
					 sk != NULL ? stack_key_tname(sk) :
					 k->type->name);
			if (size != ak->size)
				dl_error(sx->cx, k->loc, D_PROTO_ARG, "%s[ ] "
					 "key #%u has %u frames, the "
					 "aggregation %u", disp, n + 1,
					 size / 8 - (sk->kind == DL_F_USTACK ?
						     1 : DL_STACK_EXTRA),
					 ak->size / 8 - (sk->kind == DL_F_USTACK
						     ? 1 : DL_STACK_EXTRA));
			continue;
		}
		if (define) {
			ak->is_str = is_string(k);
			ak->size = size;
			ak->tsize = is_string(k) ? 0 : k->type->size;
			ak->is_signed = !is_string(k) && k->type->is_signed;
			ak->tname = dl_strdup(sx->cx->aggs->arena,
					      k->type->name);
			continue;
		}
		if (ak->is_str != is_string(k))
			dl_error(sx->cx, k->loc, D_PROTO_ARG, "%s[ ] key #%u "
				 "is incompatible with prototype:\n\t"
				 "prototype: %s\n\t      key: %s", disp, n + 1,
				 ak->tname, k->type->name);
		if (ak->is_str && size > ak->size) {
			if (lowered)
				dl_error(sx->cx, k->loc, D_LIMIT, "%s key #%u "
					 "may be longer than in the programs "
					 "compiled before (%u bytes)", disp,
					 n + 1, ak->size);
			ak->size = size;
		}
	}
	if (define)
		t->nkeys = n;
	tuple_layout(t);
}

/* An integer constant parameter of lquantize() or llquantize(): argument
   #argno counts the parameters after the value, DTrace's way. */
static int64_t agg_const(sema_t *sx, dl_node_t *call, dl_node_t *arg,
			 int argno, dl_tag_t tag, bool positive)
{
	sema_expr(sx, arg);
	if (arg->kind != ND_INT || (positive && arg->ival <= 0))
		dl_error(sx->cx, arg->loc, tag, "%s( ) argument #%d must be a "
			 "%sinteger constant", call->name, argno,
			 positive ? "non-zero positive " : "");
	return arg->ival;
}

static void agg_range(sema_t *sx, dl_node_t *arg, bool bad, dl_tag_t tag,
		      const char *fmt, const char *fn, int argno)
{
	if (bad)
		dl_error(sx->cx, arg->loc, tag, fmt, fn, argno);
}

static void sema_lquantize(sema_t *sx, dl_node_t *call, dl_agg_t *p)
{
	dl_node_t *b = call->args->next, *l = b->next, *st = l->next;
	const char *fn = call->name;
	static const char q32[] = "%s( ) argument #%d must be a 32-bit "
				  "quantity";

	p->base = agg_const(sx, call, b, 1, D_LQUANT_BASETYPE, false);
	agg_range(sx, b, p->base < INT32_MIN || p->base > INT32_MAX,
		  D_LQUANT_BASEVAL, q32, fn, 1);
	p->limit = agg_const(sx, call, l, 2, D_LQUANT_LIMTYPE, false);
	agg_range(sx, l, p->limit < INT32_MIN || p->limit > INT32_MAX,
		  D_LQUANT_LIMVAL, q32, fn, 2);
	if (p->limit <= p->base)
		dl_error(sx->cx, l->loc, D_LQUANT_MISMATCH, "%s( ) base "
			 "(argument #1) must be less than limit (argument #2)",
			 fn);
	p->step = 1;
	if (st != NULL) {
		p->step = agg_const(sx, call, st, 3, D_LQUANT_STEPTYPE, true);
		agg_range(sx, st, p->step > UINT16_MAX, D_LQUANT_STEPVAL,
			  "%s( ) argument #%d must be a 16-bit quantity", fn,
			  3);
	}
	int64_t levels = (p->limit - p->base) / p->step;
	if (levels == 0)
		dl_error(sx->cx, call->loc, D_LQUANT_STEPLARGE, "%s( ) step "
			 "(argument #3) too large: must have at least one "
			 "quantization level", fn);
	if (levels > UINT16_MAX)
		dl_error(sx->cx, call->loc, D_LQUANT_STEPSMALL, "%s( ) step "
			 "(argument #3) too small: number of quantization "
			 "levels must be a 16-bit quantity", fn);
	p->limit = p->base + levels * p->step;	/* what DTrace really uses */
	p->nbuckets = (uint32_t)levels + 2;
}

/* factor^(high+1) must fit in 64 bits. */
static bool llq_overflows(int64_t factor, int64_t high)
{
	uint64_t v = 1;

	for (int64_t i = 0; i <= high; i++) {
		if (v > UINT64_MAX / (uint64_t)factor)
			return true;
		v *= (uint64_t)factor;
	}
	return false;
}

static uint64_t llq_pow(int64_t f, int64_t e)
{
	uint64_t r = 1;

	while (e-- > 0)
		r *= (uint64_t)f;
	return r;
}

static void sema_llquantize(sema_t *sx, dl_node_t *call, dl_agg_t *p)
{
	dl_node_t *f = call->args->next, *lo = f->next, *hi = lo->next,
		  *st = hi->next;
	const char *fn = call->name;
	static const char u16[] = "%s( ) argument #%d must be an unsigned "
				  "16-bit quantity";

	p->factor = agg_const(sx, call, f, 1, D_LLQUANT_FACTORTYPE, false);
	agg_range(sx, f, p->factor < 2 || p->factor > UINT16_MAX,
		  D_LLQUANT_FACTORVAL, "%s( ) argument #%d must be an unsigned "
		  "16-bit quantity greater than or equal to 2", fn, 1);
	p->low = agg_const(sx, call, lo, 2, D_LLQUANT_LMAGTYPE, false);
	agg_range(sx, lo, p->low < 0 || p->low > UINT16_MAX,
		  D_LLQUANT_LMAGVAL, u16, fn, 2);
	p->high = agg_const(sx, call, hi, 3, D_LLQUANT_HMAGTYPE, false);
	agg_range(sx, hi, p->high < 0 || p->high > UINT16_MAX,
		  D_LLQUANT_HMAGVAL, u16, fn, 3);
	agg_range(sx, hi, p->high < p->low, D_LLQUANT_HMAGVAL, "%s( ) "
		  "argument #%d (high magnitude) must be at least argument #2 "
		  "(low magnitude)", fn, 3);
	agg_range(sx, hi, llq_overflows(p->factor, p->high), D_LLQUANT_HMAGVAL,
		  "%s( ) argument #%d (high magnitude) will cause overflow of "
		  "64 bits", fn, 3);
	p->nsteps = agg_const(sx, call, st, 4, D_LLQUANT_STEPTYPE, true);
	agg_range(sx, st, p->nsteps > UINT16_MAX, D_LLQUANT_STEPVAL, u16, fn,
		  4);
	int64_t fa = p->factor, ns = p->nsteps;
	if (ns < fa && fa % ns != 0)
		dl_error(sx->cx, st->loc, D_LLQUANT_STEPVAL, "%s() argument "
			 "#4 (steps) must evenly divide argument #1 (factor) "
			 "when steps<factor", fn);
	if (ns > fa && ns % fa != 0)
		dl_error(sx->cx, st->loc, D_LLQUANT_STEPVAL, "%s() argument "
			 "#4 (steps) must be a multiple of argument #1 (factor) "
			 "when steps>factor", fn);
	if (ns > fa && p->low == 0 && (fa * fa) % ns != 0)
		dl_error(sx->cx, st->loc, D_LLQUANT_STEPVAL, "%s() argument "
			 "#4 (steps) must evenly divide the square of argument "
			 "#1 (factor) when steps>factor and lmag==0", fn);
	if (ns > fa && p->low > 0 &&
	    (llq_overflows(fa, p->low) || llq_pow(fa, p->low + 1) %
					  (uint64_t)ns != 0))
		dl_error(sx->cx, st->loc, D_LLQUANT_STEPVAL, "%s() argument "
			 "#4 (steps) must evenly divide pow(argument #1 "
			 "(factor), lmag (argument #2) + 1) when steps>factor "
			 "and lmag>0", fn);
	p->nbuckets = dl_llquantize_nbuckets(p->factor, p->low, p->high,
					     p->nsteps);
}

/* The function's arguments: the value (and the parameters). */
static void agg_args(sema_t *sx, dl_node_t *call, dl_agg_t *p)
{
	dl_node_t *val = call->args;

	if (p->fn == DL_AGG_COUNT)
		return;
	sema_expr(sx, val);
	if (!dl_type_is_scalar(val->type))
		dl_error(sx->cx, val->loc, D_AGG_SCALAR, "%s( ) argument #1 "
			 "must be of scalar type", call->name);
	if (p->fn == DL_AGG_LQUANTIZE)
		sema_lquantize(sx, call, p);
	else if (p->fn == DL_AGG_LLQUANTIZE)
		sema_llquantize(sx, call, p);
	else if (p->fn == DL_AGG_QUANTIZE)
		p->nbuckets = DL_QUANTIZE_NBUCKETS;
	/* the increment of the quantizing functions, if given */
	size_t nparams = p->fn == DL_AGG_QUANTIZE ? 1 :
			 p->fn == DL_AGG_LQUANTIZE ? 4 : 5;
	dl_node_t *incr = call->args;
	for (size_t i = 0; incr != NULL && i < nparams; i++)
		incr = incr->next;
	if (p->fn >= DL_AGG_QUANTIZE && incr != NULL) {
		sema_expr(sx, incr);
		if (!dl_type_is_scalar(incr->type))
			dl_error(sx->cx, incr->loc, D_PROTO_ARG, "%s( ) "
				 "increment value (argument #%zu) must be of "
				 "scalar type", call->name, nparams + 1);
	}
}

/* The parameters of lquantize() and llquantize() must match the
   aggregation's definition, DTrace's checks in DTrace's order. */
static void param_match(sema_t *sx, dl_node_t *call, dl_tag_t tag,
			const char *what, int64_t expected, int64_t found)
{
	if (expected != found)
		dl_error(sx->cx, call->loc, tag, "%s%s doesn't match previous "
			 "declaration: expected %lld, found %lld", call->name,
			 what, (long long)expected, (long long)found);
}

static void agg_same_params(sema_t *sx, dl_node_t *call, const dl_agg_t *a,
			    const dl_agg_t *p)
{
	if (a->fn == DL_AGG_LQUANTIZE) {
		param_match(sx, call, D_LQUANT_MATCHBASE,
			    "( ) base (argument #1)", a->base, p->base);
		param_match(sx, call, D_LQUANT_MATCHLIM,
			    "( ) limit (argument #2)", a->limit, p->limit);
		param_match(sx, call, D_LQUANT_MATCHSTEP,
			    "( ) step (argument #3)", a->step, p->step);
	} else if (a->fn == DL_AGG_LLQUANTIZE) {
		param_match(sx, call, D_LLQUANT_MATCHFACTOR,
			    "() factor (argument #1)", a->factor, p->factor);
		param_match(sx, call, D_LLQUANT_MATCHLMAG,
			    "() lmag (argument #2)", a->low, p->low);
		param_match(sx, call, D_LLQUANT_MATCHHMAG,
			    "() hmag (argument #3)", a->high, p->high);
		param_match(sx, call, D_LLQUANT_MATCHSTEPS,
			    "() steps (argument #4)", a->nsteps, p->nsteps);
	}
}

/* @name[keys] = func(args); node->sema gets the dl_agg_t. */
static void sema_agg_stmt(sema_t *sx, dl_node_t *s)
{
	dl_node_t *ref = s->lhs, *call = s->rhs;
	int f = call->kind == ND_CALL ? lookup_func(call->name) : -1;

	if (f < 0 || func_table[f].kind != DL_FK_AGG)
		dl_error(sx->cx, call->loc, D_AGG_FUNC, "@%s must be assigned "
			 "the result of an aggregating function", ref->name);
	check_nargs(sx, call, f);
	dl_agg_t p = { .fn = (dl_aggfn_t)(f - DL_FN_count),
		       .fname = call->name };
	agg_args(sx, call, &p);
	dl_agg_t *a = dl_agg_find(sx->cx->aggs, ref->name);
	bool define = a == NULL;
	if (define) {
		a = dl_agg_add(sx->cx->aggs, ref->name);
		uint32_t id = a->id;
		const char *name = a->name;
		*a = p;
		a->id = id;
		a->name = name;
		a->fname = dl_strdup(sx->cx->aggs->arena, call->name);
		a->loc = ref->loc;
	} else if (a->fn != p.fn) {
		const char *an = agg_display(sx, a);
		dl_error(sx->cx, call->loc, D_AGG_REDEF, "aggregation "
			 "redefined: %s\n\t current: %s = %s( )\n\tprevious: "
			 "%s = %s( ) : line %d", an, an, call->name, an,
			 a->fname, a->loc.line);
	} else {
		agg_same_params(sx, call, a, &p);
	}
	tuple_keys(sx, agg_display(sx, a), &a->tup, a->lowered, ref, define);
	s->sema = a;
}

/* The tags of printa(), clear(), trunc(), normalize() and denormalize()
   when an argument is not an aggregation, or an undefined one. */
static const struct {
	dl_tag_t arg, bad;
} agg_act_tags[] = {
	[DL_ACT_PRINTA] = { D_PRINTA_AGGARG, D_PRINTA_AGGBAD },
	[DL_ACT_CLEAR] = { D_CLEAR_AGGARG, D_CLEAR_AGGBAD },
	[DL_ACT_TRUNC] = { D_TRUNC_AGGARG, D_TRUNC_AGGBAD },
	[DL_ACT_NORMALIZE] = { D_NORMALIZE_AGGARG, D_NORMALIZE_AGGBAD },
	[DL_ACT_DENORMALIZE] = { D_NORMALIZE_AGGARG, D_NORMALIZE_AGGBAD },
};

static dl_agg_t *agg_arg(sema_t *sx, dl_node_t *call, dl_node_t *arg,
			 int argno, dl_actkind_t kind)
{
	if (arg->kind != ND_AGGREF || arg->args != NULL) {
		if (arg->kind != ND_AGGREF)
			sema_expr(sx, arg);
		dl_error(sx->cx, arg->loc, agg_act_tags[kind].arg, "%s( ) "
			 "argument #%d is incompatible with prototype:\n\t"
			 "prototype: aggregation\n\t argument: %s", call->name,
			 argno, arg->kind == ND_AGGREF ? "aggregation element" :
			 arg->type->name);
	}
	dl_agg_t *a = dl_agg_find(sx->cx->aggs, arg->name);
	if (a == NULL)
		dl_error(sx->cx, arg->loc, agg_act_tags[kind].bad, "undefined "
			 "aggregation: @%s", arg->name);
	return a;
}

/* printa(@a, @b): the keys must match, DTrace's checks. */
static void agg_join_check(sema_t *sx, dl_node_t *arg, const dl_agg_t *a,
			   const dl_agg_t *b)
{
	if (a->tup.nkeys != b->tup.nkeys)
		dl_error(sx->cx, arg->loc, D_PRINTA_AGGKEY, "printa( ): @%s and "
			 "@%s do not have matching key signatures: @%s has %u "
			 "key%s, @%s has %u key%s", a->name, b->name, a->name,
			 a->tup.nkeys, a->tup.nkeys == 1 ? "" : "s", b->name, b->tup.nkeys,
			 b->tup.nkeys == 1 ? "" : "s");
	for (uint32_t k = 0; k < a->tup.nkeys; k++)
		if (strcmp(a->tup.keys[k].tname, b->tup.keys[k].tname) != 0)
			dl_error(sx->cx, arg->loc, D_PRINTA_AGGPROTO,
				 "printa( ): @%s[ ] key #%u is incompatible "
				 "with @%s:\n%9s key #%u: %s\n%9s key #%u: %s",
				 b->name, k + 1, a->name,
				 dl_sprintf(sx->cx->arena, "@%s", a->name),
				 k + 1, a->tup.keys[k].tname,
				 dl_sprintf(sx->cx->arena, "@%s", b->name),
				 k + 1, b->tup.keys[k].tname);
}

/* printa([fmt,] @a, ...), clear(@a), trunc(@a[, n]), normalize(@a, n),
   denormalize(@a): the aggregations they name, and n. */
static void sema_agg_action(sema_t *sx, dl_node_t *call, dl_actkind_t kind)
{
	dl_node_t *arg = call->args;
	const char *fmt = NULL;
	size_t naggs = 0;

	if (kind == DL_ACT_PRINTA && arg->kind == ND_STR) {
		fmt = arg->sval;
		arg = arg->next;
		if (arg == NULL)
			dl_error(sx->cx, call->loc, D_PRINTA_PROTO, "printa( ) "
				 "prototype mismatch: 1 args passed, 2 "
				 "expected");
	}
	for (dl_node_t *n = arg; n != NULL; n = n->next)
		naggs++;
	if (kind != DL_ACT_PRINTA)
		naggs = 1;
	bool num = kind == DL_ACT_NORMALIZE ||
		   (kind == DL_ACT_TRUNC && arg->next != NULL);
	dl_action_t *a = new_action(sx, kind, call, num);
	a->fmt = fmt;
	a->aggs = dl_alloc(sx->cx->arena, naggs * sizeof(*a->aggs));
	for (size_t i = 0; i < naggs; i++, arg = arg->next) {
		dl_agg_t *g = agg_arg(sx, call, arg,
				      (int)i + 1 + (fmt != NULL), kind);
		if (i > 0)
			agg_join_check(sx, arg, sx->cx->aggs->aggs[a->aggs[0]],
				       g);
		a->aggs[a->naggs++] = g->id;
		if (kind == DL_ACT_CLEAR) {
			if (g->lowered && !g->gen)
				dl_error(sx->cx, call->loc, D_UNSUPPORTED,
					 "clear( ) of @%s, used by programs "
					 "compiled before: clear it in the "
					 "script that uses it", g->name);
			g->gen = true;
		}
	}
	if (num) {
		sema_expr(sx, arg);
		if (!dl_type_is_int(arg->type))
			dl_error(sx->cx, arg->loc, kind == DL_ACT_NORMALIZE ?
				 D_NORMALIZE_SCALAR : D_PROTO_ARG,
				 kind == DL_ACT_NORMALIZE ? "%s( ) argument #2 "
				 "must be of scalar type%.0s" : "%s( ) argument "
				 "#2 is incompatible with prototype:\n\t"
				 "prototype: uint64_t\n\t argument: %s",
				 call->name, arg->type->name);
		arg->type = &T(sx)->t_llong;
		a->fields[0] = record_value(sx, arg);
	}
	if (fmt != NULL)
		dl_sema_printa_fmt(sx->cx, call, a);
	call->sema = a;
}

/*
 * speculate(id) makes the rest of the clause's record speculative (the id
 * goes in its header); commit(id) and discard(id) record the id for the
 * consumer, which holds speculative records until then.  DTrace's rules:
 * one speculate() per clause, before any data-recording action, and no
 * aggregation, exit(), commit() or discard() after it.
 */
static void sema_spec_action(sema_t *sx, dl_node_t *call, dl_actkind_t kind)
{
	dl_node_t *id = call->args;

	sema_expr(sx, id);
	if (!dl_type_is_int(id->type))
		dl_error(sx->cx, id->loc, D_PROTO_ARG, "%s( ) argument #1 is "
			 "incompatible with prototype:\n\tprototype: int\n\t "
			 "argument: %s", call->name, id->type->name);
	if (kind == DL_ACT_SPECULATE && sx->speculative)
		dl_error(sx->cx, call->loc, D_ACT_SPEC, "only one speculate( ) "
			 "may be used per clause");
	if (kind == DL_ACT_SPECULATE && sx->recorded)
		dl_error(sx->cx, call->loc, D_ACT_SPEC, "speculate( ) may not "
			 "follow data-recording actions");
	if (kind != DL_ACT_SPECULATE && sx->speculative)
		dl_error(sx->cx, call->loc, D_ACT_SPEC, "%s( ) may not follow "
			 "speculate( )", call->name);
	dl_action_t *a = new_action(sx, kind, call, kind != DL_ACT_SPECULATE);
	if (kind != DL_ACT_SPECULATE) {
		id->type = &T(sx)->t_int;
		a->fields[0] = record_value(sx, id);
	}
	sx->speculative |= kind == DL_ACT_SPECULATE;
	call->sema = a;
}

/* raise(sig) and stop() (SIGSTOP): a signal to the current process, sent
   by the probe itself (bpf_send_signal); chill(ns): the probe spins. */
static void sema_raise(sema_t *sx, dl_node_t *call, bool stop,
		       dl_actkind_t kind)
{
	if (!stop) {
		sema_expr(sx, call->args);
		if (!dl_type_is_int(call->args->type))
			dl_error(sx->cx, call->args->loc, D_PROTO_ARG,
				 "%s( ) argument #1 is incompatible with "
				 "prototype:\n\tprototype: int\n\t argument: "
				 "%s", call->name, call->args->type->name);
	}
	call->sema = new_action(sx, kind, call, 0);
}

/* copyout(void *buf, uintptr_t addr, size_t nbytes) and copyoutstr(string
   str, uintptr_t addr, size_t maxlen): the probe writes the current
   process's memory (bpf_probe_write_user: lower.c). */
static void sema_copyout(sema_t *sx, dl_node_t *call, bool str)
{
	static const char *const protos[2][3] = {
		{ "void *", "uintptr_t", "size_t" },
		{ "string", "uintptr_t", "size_t" },
	};
	int argno = 1;

	for (dl_node_t *a = call->args; a != NULL; a = a->next, argno++) {
		sema_expr(sx, a);
		if (argno == 1 && str)
			need_str_arg(sx, call, a, 1);
		else
			need_arg(sx, call, a, argno, protos[str][argno - 1]);
	}
	call->sema = new_action(sx, DL_ACT_COPYOUT, call, 0);
}

/* tracemem(addr, size[, dsize]): size bytes (a constant) at kernel
   address addr; dsize, evaluated in the probe, how many to print. */
static void sema_tracemem(sema_t *sx, dl_node_t *call)
{
	dl_node_t *addr = call->args, *size = addr->next, *dsize = size->next;

	sema_expr(sx, addr);
	if (!dl_type_is_scalar(addr->type))
		dl_error(sx->cx, addr->loc, D_TRACEMEM_ADDR, "tracemem( ) "
			 "argument #1 is incompatible with prototype:\n\t"
			 "prototype: pointer or integer\n\t argument: %s",
			 addr->type->name);
	sema_expr(sx, size);
	if (size->kind != ND_INT || size->ival <= 0)
		dl_error(sx->cx, size->loc, D_TRACEMEM_SIZE, "tracemem( ) "
			 "argument #2 must be a non-zero positive integral "
			 "constant expression");
	if (size->ival > DL_TRACEMEM_MAX)
		dl_error(sx->cx, size->loc, D_LIMIT, "tracemem( ) size %lld "
			 "is too large (limit is %d bytes)",
			 (long long)size->ival, DL_TRACEMEM_MAX);
	if (dsize != NULL) {
		sema_expr(sx, dsize);
		if (!dl_type_is_int(dsize->type))
			dl_error(sx->cx, dsize->loc, D_TRACEMEM_DSIZE,
				 "tracemem( ) argument #3 is incompatible "
				 "with prototype:\n\tprototype: integer\n\t "
				 "argument: %s", dsize->type->name);
	}
	dl_action_t *a = new_action(sx, DL_ACT_TRACEMEM, call,
				    dsize != NULL ? 2 : 1);
	if (dsize != NULL) {
		dsize->type = &T(sx)->t_llong;
		a->fields[1] = record_value(sx, dsize);
	}
	a->fields[0] = (dl_field_t){ .kind = DL_F_MEM, .off = sx->recoff,
				     .size = (uint32_t)size->ival };
	sx->recoff += a->fields[0].size;
	call->sema = a;
}

/* print(p): the pointer and the bytes of *p (size of the pointee, at most
   DL_TRACEMEM_MAX), printed by the consumer from the pointee's type.
   print(v) of a struct or union value (an extension: Oracle's print()
   takes pointers only): its bytes alone. */
static void sema_print(sema_t *sx, dl_node_t *call)
{
	dl_node_t *arg = call->args;

	sema_expr(sx, arg);
	bool byval = dl_type_is_sou(arg->type);
	if (arg->type->kind != TY_PTR && !byval)
		dl_error(sx->cx, arg->loc, D_PROTO_ARG, "print( ) argument #1 "
			 "is incompatible with prototype:\n\tprototype: "
			 "void *\n\t argument: %s", arg->type->name);
	const dl_type_t *t = byval ? arg->type : arg->type->base;
	if (t->size == 0)
		dl_error(sx->cx, arg->loc, D_PRINT_SIZE, "print( ) argument #1 "
			 "reference has type '%s' with size 0; cannot "
			 "print( ) it.", t->name);
	dl_action_t *a = new_action(sx, DL_ACT_PRINT, call, byval ? 1 : 2);
	dl_field_t *f = &a->fields[0];
	if (!byval) {
		a->fields[0] = (dl_field_t){ .kind = DL_F_INT,
					     .off = sx->recoff, .size = 8,
					     .type = arg->type };
		sx->recoff += 8;
		f = &a->fields[1];
	}
	*f = (dl_field_t){ .kind = DL_F_MEM, .off = sx->recoff,
			   .size = t->size < DL_TRACEMEM_MAX ? t->size :
				   DL_TRACEMEM_MAX, .type = t };
	sx->recoff += f->size;
	call->sema = a;
}

/* setopt(name[, value]): an option set when the consumer reaches the
   record; both are string constants. */
static void sema_setopt(sema_t *sx, dl_node_t *call)
{
	int argno = 1;

	for (dl_node_t *a = call->args; a != NULL; a = a->next, argno++)
		if (a->kind != ND_STR)
			dl_error(sx->cx, a->loc, D_PROTO_ARG, "setopt( ) "
				 "argument #%d must be a string constant",
				 argno);
	dl_action_t *a = new_action(sx, DL_ACT_SETOPT, call, 0);
	a->fmt = call->args->sval;
	a->optval = call->args->next ? call->args->next->sval : NULL;
	call->sema = a;
}

/* Why an action DTrace has is refused here (the kernel's limits). */
static const char *unsupported_why(int f)
{
	switch (f) {
	case DL_FN_breakpoint:
		return ": BPF programs cannot stop the kernel in a debugger";
	case DL_FN_panic:
		return ": BPF programs cannot panic the kernel (and dtrace "
		       "would not)";
	default:
		return " yet";
	}
}

/* Check an action call statement and lay out what it records. */
static void sema_call_stmt(sema_t *sx, dl_node_t *call)
{
	int f = lookup_func(call->name);

	if (f < 0)
		dl_error(sx->cx, call->loc, D_IDENT_UNDEF,
			 "failed to resolve %s: Unknown function name",
			 call->name);
	if (func_table[f].kind == DL_FK_AGG)
		dl_error(sx->cx, call->loc, D_CG_EXPR, "aggregating function "
			 "%s( ) may not be called from a D expression (D "
			 "program context required)", call->name);
	check_nargs(sx, call, f);
	/* actions make the clause write a record, assignments do not */
	sx->plain |= func_table[f].kind != DL_FK_SUBR;
	if (sx->speculative && (f == DL_FN_exit || f == DL_FN_printa ||
				f == DL_FN_clear || f == DL_FN_trunc ||
				f == DL_FN_normalize || f == DL_FN_denormalize))
		dl_error(sx->cx, call->loc, D_ACT_SPEC, "%s( ) may not follow "
			 "speculate( )", call->name);
	if (f != DL_FN_speculate && f != DL_FN_commit && f != DL_FN_discard)
		sx->recorded |= func_table[f].kind == DL_FK_ACT;
	if (func_table[f].kind == DL_FK_DACT &&
	    (sx->cx->destructive_opt == NULL || !*sx->cx->destructive_opt))
		dl_error(sx->cx, call->loc, D_ACT_DESTRUCT, "%s( ): "
			 "Destructive actions not allowed (use -w or "
			 "#pragma D option destructive)", call->name);
	if (!func_table[f].ok)
		dl_error(sx->cx, call->loc, D_UNSUPPORTED,
			 "%s( ) is not supported%s", call->name,
			 unsupported_why(f));
	if (sx->in_if > 0 && func_table[f].kind == DL_FK_ACT)
		unsupported(sx, call, "a data-recording action inside if/else");
	switch ((dl_func_t)f) {
	case DL_FN_trace:
		sema_trace(sx, call);
		return;
	case DL_FN_printf:
		sema_printf(sx, call, DL_ACT_PRINTF);
		return;
	case DL_FN_system:
		sema_printf(sx, call, DL_ACT_SYSTEM);
		return;
	case DL_FN_raise: case DL_FN_stop:
		sema_raise(sx, call, f == DL_FN_stop, DL_ACT_RAISE);
		return;
	case DL_FN_chill:
		sema_raise(sx, call, false, DL_ACT_CHILL);
		return;
	case DL_FN_copyout: case DL_FN_copyoutstr:
		sema_copyout(sx, call, f == DL_FN_copyoutstr);
		return;
	case DL_FN_exit:
		sema_exit(sx, call);
		return;
	case DL_FN_printa:
		sema_agg_action(sx, call, DL_ACT_PRINTA);
		return;
	case DL_FN_clear:
		sema_agg_action(sx, call, DL_ACT_CLEAR);
		return;
	case DL_FN_trunc:
		sema_agg_action(sx, call, DL_ACT_TRUNC);
		return;
	case DL_FN_normalize:
		sema_agg_action(sx, call, DL_ACT_NORMALIZE);
		return;
	case DL_FN_denormalize:
		sema_agg_action(sx, call, DL_ACT_DENORMALIZE);
		return;
	case DL_FN_speculate:
		sema_spec_action(sx, call, DL_ACT_SPECULATE);
		return;
	case DL_FN_setopt:
		sema_setopt(sx, call);
		return;
	case DL_FN_tracemem:
		sema_tracemem(sx, call);
		return;
	case DL_FN_print:
		sema_print(sx, call);
		return;
	case DL_FN_freopen:
		sema_printf(sx, call, DL_ACT_FREOPEN);
		return;
	case DL_FN_ftruncate:
		call->sema = new_action(sx, DL_ACT_FTRUNCATE, call, 0);
		return;
	case DL_FN_commit:
		sema_spec_action(sx, call, DL_ACT_COMMIT);
		return;
	case DL_FN_discard:
		sema_spec_action(sx, call, DL_ACT_DISCARD);
		return;
	case DL_FN_stack: case DL_FN_ustack: case DL_FN_jstack:
	case DL_FN_sym: case DL_FN_func: case DL_FN_mod: case DL_FN_usym:
	case DL_FN_ufunc: case DL_FN_umod: case DL_FN_uaddr:
		sema_stack(sx, call);
		return;
	default:
		/* a supported subroutine used as a statement */
		sema_expr(sx, call);
	}
}

static void sema_stmts(sema_t *sx, dl_node_t *s);

static void sema_stmt(sema_t *sx, dl_node_t *s)
{
	switch (s->kind) {
	case ND_EXPR_STMT:
		if (s->lhs->kind == ND_CALL)
			sema_call_stmt(sx, s->lhs);
		else
			sema_expr(sx, s->lhs);
		return;
	case ND_IF:
		sema_expr(sx, s->cond);
		need_scalar(sx, s->cond, "if");
		sx->in_if++;
		sema_stmts(sx, s->body);
		sema_stmts(sx, s->els);
		sx->in_if--;
		return;
	case ND_BLOCK:
		sema_stmts(sx, s->body);
		return;
	case ND_EMPTY:
		return;
	case ND_AGG_STMT:
		if (sx->speculative)
			dl_error(sx->cx, s->loc, D_ACT_SPEC, "aggregating "
				 "actions may not follow speculate( )");
		sema_agg_stmt(sx, s);
		return;
	default:
		dl_error(sx->cx, s->loc, D_SYNTAX, "unexpected %s in clause",
			 dl_nodekind_name(s->kind));
	}
}

static void sema_stmts(sema_t *sx, dl_node_t *s)
{
	for (; s != NULL; s = s->next)
		sema_stmt(sx, s);
}

void dl_sema_clause(dl_ctx_t *cx, dl_clause_t *clause, unsigned strsize)
{
	sema_t sx = { .cx = cx, .clause = clause, .strsize = strsize,
		      .recoff = DL_REC_DATA };
	dl_node_t *n = clause->node;

	if (n->cond != NULL) {
		sema_expr(&sx, n->cond);
		need_scalar(&sx, n->cond, "predicate");
	}
	sema_stmts(&sx, n->body);
	clause->acts = sx.acts;
	clause->nacts = sx.nacts;
	/* only a clause with actions writes a record (and so prints the
	   probe line), or an empty one: assignments and aggregations
	   alone print nothing, as in DTrace */
	if (sx.plain || n->body == NULL)
		clause->recsize = (sx.recoff + 7) & ~7u;
}

const dl_type_t *dl_sema_expr_type(dl_ctx_t *cx, dl_node_t *e)
{
	dl_clause_t c = { 0 };
	sema_t sx = { .cx = cx, .clause = &c, .strsize = cx->strsize,
		      .recoff = DL_REC_DATA };

	sema_expr(&sx, e);
	return e->type;
}

/* Is the declaration `T name[K1, K2, ...]` (an associative array)? */
static bool is_assoc_decl(const dl_node_t *decl)
{
	const dl_dcl_t *d = decl->typ != NULL ? decl->typ->dcl : NULL;

	return d != NULL && d->kind == DCL_ARRAY && d->dim != NULL &&
	       d->dim->kind == ND_TYPE;
}

/* A key type of an array prototype (its position n from 1): integers,
   pointers and strings, as DTrace's keys. */
static const dl_type_t *decl_key_type(sema_t *sx, dl_node_t *k, int n)
{
	const dl_type_t *t = sema_typename(sx, k, k->typ);

	if (t->kind == TY_VOID && k->next == NULL && n == 1)
		dl_error(sx->cx, k->loc, D_DECL_PROTO_TYPE, "array prototype "
			 "may not use parameter of type %s: %s, parameter #%d",
			 t->name, k->name != NULL ? k->name : "(anonymous)",
			 n);
	if (t->kind == TY_VOID)
		dl_error(sx->cx, k->loc, D_DECL_PROTO_VOID, "void must be "
			 "sole parameter");
	if (t->kind != TY_STRING && !dl_type_is_scalar(t))
		unsupported(sx, k, dl_sprintf(sx->cx->arena, "keys of type "
					      "%s", t->name));
	return t;
}

/* The message DTrace gives an array declared twice, differently. */
_Noreturn static void assoc_redeclared(sema_t *sx, const dl_node_t *decl,
				       const char *cur, const char *prev)
{
	dl_error(sx->cx, decl->loc, D_DECL_IDRED, "identifier redeclared: "
		 "%s\n\t current: %s\n\tprevious: %s", decl->name, cur, prev);
}

/*
 * `int a[string];`, `self int b[int, string];`: the array's value and key
 * types, fixed before any clause uses it (the map is laid out from them:
 * integer keys 8 bytes, string keys strsize).  A second declaration must
 * say the same; this-> arrays do not exist in D.
 */
static void declare_assoc(sema_t *sx, dl_node_t *decl)
{
	dl_ctx_t *cx = sx->cx;
	const dl_dcl_t *d = decl->typ->dcl;
	bool self = decl->storage == SC_SELF;
	dl_tspec_t vts = *decl->typ;

	if (decl->storage == SC_THIS)
		dl_error(cx, decl->loc, D_DECL_LOCASSC, "associative arrays "
			 "may not be declared as local variables: %s",
			 decl->name);
	vts.dcl = d->next;
	const dl_type_t *vt = first_type(sx, decl,
					 sema_typename(sx, decl, &vts));
	dl_dvar_t *g = self ? NULL : dl_dvar_find(cx->globals, decl->name);
	if (g != NULL || (!self && lookup_var(decl->name) >= 0))
		assoc_redeclared(sx, decl, dl_sprintf(cx->arena, "array %s",
						      vt->name),
				 dl_sprintf(cx->arena, "scalar %s",
					    g != NULL ? g->tname : "int"));
	dl_tuple_t tup = { .base = self ? 8 : 0 };
	int n = 0;
	for (dl_node_t *k = d->dim; k != NULL; k = k->next, n++) {
		const dl_type_t *kt = decl_key_type(sx, k, n + 1);
		dl_aggkey_t *ak = &tup.keys[n];
		if (n == DL_AGG_KEYS_MAX)
			dl_error(cx, k->loc, D_LIMIT, "too many keys (limit "
				 "is %d)", DL_AGG_KEYS_MAX);
		ak->is_str = kt->kind == TY_STRING;
		ak->size = ak->is_str ? sx->strsize : 8;
		ak->tsize = ak->is_str ? 0 : kt->size;
		ak->is_signed = !ak->is_str && kt->is_signed;
		ak->tname = dl_strdup(cx->assocs->arena, kt->name);
	}
	tup.nkeys = (uint32_t)n;
	dl_assoc_t *a = dl_assoc_find(cx->assocs, decl->name, self);
	if (a != NULL) {
		if (strcmp(a->tname, vt->name) != 0)
			assoc_redeclared(sx, decl, dl_sprintf(cx->arena,
					 "array %s", vt->name),
					 dl_sprintf(cx->arena, "array %s",
						    a->tname));
		for (uint32_t i = 0; i < tup.nkeys && i < a->tup.nkeys; i++)
			if (strcmp(tup.keys[i].tname, a->tup.keys[i].tname))
				assoc_redeclared(sx, decl, dl_sprintf(cx->arena,
					"array, key #%u of type %s", i + 1,
					tup.keys[i].tname), dl_sprintf(cx->arena,
					"array, key #%u of type %s", i + 1,
					a->tup.keys[i].tname));
		if (tup.nkeys != a->tup.nkeys)
			dl_error(cx, decl->loc, D_DECL_IDRED, "identifier "
				 "redeclared: %s", decl->name);
		return;
	}
	a = dl_assoc_add(cx->assocs, decl->name, self);
	a->tname = vt->name;
	a->valsize = var_size(sx->strsize, vt);
	a->declared = true;
	a->tup = tup;
	tuple_layout(&a->tup);
}

/* Keys of a use of a declared array against its prototype, beyond what
   tuple_keys() checks (strings): integers with integers, pointers with
   pointers of a compatible type (or void *, or the constant 0). */
static void check_decl_keys(sema_t *sx, const dl_node_t *n,
			    const dl_assoc_t *a, const char *disp)
{
	uint32_t i = 0;

	for (const dl_node_t *k = n->args; k != NULL; k = k->next, i++) {
		const dl_aggkey_t *ak = &a->tup.keys[i];
		const dl_type_t *pt = dl_type_lookup(sx->cx, k->loc, ak->tname);
		const dl_type_t *kt = k->type;
		bool ok;
		if (ak->is_str || pt == NULL)
			continue;
		if (pt->kind == TY_PTR)
			ok = (kt->kind == TY_PTR &&
			      (strcmp(kt->name, pt->name) == 0 ||
			       kt->base->kind == TY_VOID ||
			       pt->base->kind == TY_VOID)) ||
			     (k->kind == ND_INT && k->ival == 0);
		else
			ok = dl_type_is_int(kt) ||
			     (k->kind == ND_INT && k->ival == 0);
		if (!ok)
			dl_error(sx->cx, k->loc, D_PROTO_ARG, "%s[ ] key #%u "
				 "is incompatible with prototype:\n\t"
				 "prototype: %s\n\t      key: %s", disp, i + 1,
				 ak->tname, kt->name);
	}
}

/* A top-level declaration: `int x;` gives global x its type before any
   clause assigns it; `this int x;` and `self int x;` do the same for
   this->x and self->x. */
void dl_sema_decl(dl_ctx_t *cx, dl_node_t *decl)
{
	sema_t sx = { .cx = cx, .strsize = cx->strsize };

	if (decl->kind == ND_INLINE) {	/* checked where it is used */
		if (find_inline(cx, decl->name) != NULL ||
		    lookup_var(decl->name) >= 0 ||
		    dl_dvar_find(cx->globals, decl->name) != NULL)
			dl_error(cx, decl->loc, D_DECL_IDRED, "identifier "
				 "redeclared: %s", decl->name);
		dl_vec_grow(cx->arena, (void **)&cx->inlines, &cx->inlinecap,
			    cx->ninlines + 1, sizeof(*cx->inlines));
		cx->inlines[cx->ninlines++] = decl;
		return;
	}
	if (decl->kind == ND_XLATOR) {
		dl_xlator_declare(cx, decl, cx->lazy_decls);
		return;
	}
	if (decl->kind == ND_TYPEDECL || (decl->typ->has_body &&
	    (decl->typ->flags & (TS_STRUCT | TS_UNION | TS_ENUM))) ||
	    decl->storage == SC_TYPEDEF) {
		dl_dtypes_declare(cx, decl, cx->lazy_decls);
		if (decl->kind == ND_TYPEDECL || decl->storage == SC_TYPEDEF)
			return;
	}
	if (is_assoc_decl(decl)) {
		declare_assoc(&sx, decl);
		return;
	}
	dl_vars_t *tab = decl->storage == SC_THIS ? &cx->thisvars :
			 decl->storage == SC_SELF ? cx->selfvars : cx->globals;

	if (decl->name == NULL || (decl->storage != SC_NONE &&
				   decl->storage != SC_THIS &&
				   decl->storage != SC_SELF))
		unsupported(&sx, decl, "a top-level declaration");
	const dl_type_t *t = first_type(&sx, decl,
					sema_typename(&sx, decl, decl->typ));
	dl_dvar_t *v = dl_dvar_find(tab, decl->name);
	const dl_assoc_t *a = tab == &cx->thisvars ? NULL :
		dl_assoc_find(cx->assocs, decl->name, tab == cx->selfvars);
	if (a != NULL)
		assoc_redeclared(&sx, decl, dl_sprintf(cx->arena, "scalar %s",
						       t->name),
				 dl_sprintf(cx->arena, "array %s", a->tname));
	if ((v != NULL && strcmp(v->tname, t->name) != 0) ||
	    (tab == cx->globals && lookup_var(decl->name) >= 0))
		dl_error(cx, decl->loc, D_DECL_IDRED, "identifier redeclared: "
			 "%s", decl->name);
	if (v == NULL)
		dl_dvar_add(tab, decl->name, t, var_size(cx->strsize, t));
}
