/*
 * parse.y - the D grammar: tokens in, the syntax tree (dlang.h) out.
 *
 * The language is illumos DTrace's (dt_grammar.y is the reference for what
 * is accepted) plus the if/else statements of Oracle's Linux DTrace: a
 * program is a list of probe clauses, declarations, inline definitions,
 * translators and provider definitions.  Expressions are C's with C's
 * precedence plus D's ^^, stringof, xlate, self->, this-> and @aggregations;
 * declarations are C's plus the self/this storage classes and associative
 * array dimensions (int a[string, int]).
 *
 * The parser is pure (api.pure full) and keeps no state of its own: the
 * context cx and the scanner are parameters, every node comes from the
 * arena, and so does the parser stack (YYSTACK_ALLOC), so a user error that
 * longjmps out of yyparse() leaks nothing.
 *
 * Two things the grammar cannot decide alone are the lexer's (lex.l): whether
 * a name is a type (TNAME) or an identifier (IDENT), which is what makes the
 * C grammar LALR(1), and where probe descriptions and predicates begin and
 * end.  The parser feeds back the names it learns: typedef names become
 * types, declared variables stay identifiers (dl_lex_typedef/variable).
 *
 * What the tree looks like (see also dlang.h):
 *   - every node has the location of its first token, except ND_DECL and
 *     parameter ND_TYPEs, which have their declared name's;
 *   - `@a[k] = f(x)` is ND_AGG_STMT (lhs ND_AGGREF with args = keys, rhs
 *     ND_CALL); `@a[k]` elsewhere is an ND_AGGREF with args;
 *   - names keep their backquote scoping as written ("vmlinux`max_pfn");
 *     type names are split into dl_tspec_t.scope and tname;
 *   - if/else bodies are one statement or an ND_BLOCK;
 *   - ND_DECL bit-field widths are in rhs; ND_PROBEPROTO has op = 2 and its
 *     translated argument types in body when `: (types)` was given; a
 *     varargs parameter is an ND_TYPE with typ NULL and name "...";
 *   - an ND_PROBEDESC given by probe id has ival = the id and name = its
 *     decimal text;
 *   - ND_INLINE has the value in lhs; ND_ASSIGN has op BOP_NONE for '=';
 *   - empty statements are dropped from statement lists (an empty if/else
 *     branch is an ND_EMPTY).
 * As in DTrace, probe descriptions without a predicate or body are accepted
 * only in -n text (cx->file NULL), and a predicate needs a body.
 */

%define api.pure full
%define api.prefix {dl_yy}
%define api.location.type {dl_loc_t}
%locations
%parse-param {dl_ctx_t *cx} {void *scanner}
%lex-param {void *scanner}
%expect 0

%code requires {
#include "dlang.h"

/* Declaration specifiers being collected (parser-private). */
typedef struct dl_pspec {
	dl_tspec_t ts;
	dl_storage_t storage;
	int nbase;		/* base type words seen (int, char, names) */
} dl_pspec_t;

/* A list being built: appending is O(1) however long it gets. */
typedef struct dl_plist {
	dl_node_t *head, *tail;
} dl_plist_t;

/* A declarator being built: name plus derivations, outermost first. */
typedef struct dl_pdcl {
	const char *name;	/* NULL for an abstract declarator */
	dl_loc_t loc;		/* of the name, or of the first token */
	dl_dcl_t *head;
	dl_dcl_t **tailp;
	dl_node_t *width;	/* bit-field width */
	struct dl_pdcl *next;	/* in a declarator list */
} dl_pdcl_t;
}

%code provides {
/* lex.l: the scanner and what the parser tells it. */
int dl_yylex(DL_YYSTYPE *lval, DL_YYLTYPE *lloc, void *scanner);
void dl_yyerror(DL_YYLTYPE *lloc, dl_ctx_t *cx, void *scanner,
		const char *msg);
void dl_lex_typedef(dl_ctx_t *cx, const char *name);
void dl_lex_variable(dl_ctx_t *cx, const char *name);
void dl_lex_result(dl_ctx_t *cx, dl_node_t *prog);
}

%code {
#include <string.h>

/* Every nonterminal is where its first token is. */
#define YYLLOC_DEFAULT(Cur, Rhs, N) \
	((Cur) = (N) ? YYRHSLOC(Rhs, 1) : YYRHSLOC(Rhs, 0))
/* The parser stack grows in the arena: nothing to free on a longjmp. */
#define YYSTACK_ALLOC(n) dl_alloc(cx->arena, (n))
#define YYSTACK_ALLOC_MAXIMUM ((size_t)-1)

static dl_node_t *mk(dl_ctx_t *cx, dl_nodekind_t k, dl_loc_t loc)
{
	return dl_node_new(cx, k, loc);
}

/*
 * An expression node's depth, from its operands' (set when they were
 * made).  The parser's stack bounds what nests to the right, but left
 * operands ("1 + 1 + ... + 1", "a[1][2]...") nest at no cost to it, and
 * the passes after it recurse on the tree: past DL_MAX_NESTING it is an
 * error, not a C stack overflow.
 */
static dl_node_t *nest(dl_ctx_t *cx, dl_node_t *n)
{
	const dl_node_t *kids[] = { n->lhs, n->rhs, n->cond };
	int d = 0;

	for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		if (kids[i] != NULL && kids[i]->depth > d)
			d = kids[i]->depth;
	for (const dl_node_t *a = n->args; a != NULL; a = a->next)
		if (a->depth > d)
			d = a->depth;
	n->depth = d + 1;
	if (n->depth > DL_MAX_NESTING)
		dl_error(cx, n->loc, D_LIMIT, "expression nesting too deep "
			 "(limit is %d)", DL_MAX_NESTING);
	return n;
}

static dl_node_t *mk_named(dl_ctx_t *cx, dl_nodekind_t k, dl_loc_t loc,
			   const char *name)
{
	dl_node_t *n = mk(cx, k, loc);

	n->name = name;
	return n;
}

static dl_node_t *mk_un(dl_ctx_t *cx, dl_nodekind_t k, dl_loc_t loc,
			int op, dl_node_t *lhs)
{
	dl_node_t *n = mk(cx, k, loc);

	n->op = op;
	n->lhs = lhs;
	return nest(cx, n);
}

static dl_node_t *mk_bin(dl_ctx_t *cx, dl_nodekind_t k, int op,
			 dl_node_t *lhs, dl_node_t *rhs)
{
	dl_node_t *n = mk(cx, k, lhs->loc);

	n->op = op;
	n->lhs = lhs;
	n->rhs = rhs;
	return nest(cx, n);
}

static dl_node_t *mk_typed(dl_ctx_t *cx, dl_nodekind_t k, dl_loc_t loc,
			   dl_tspec_t *typ, dl_node_t *lhs)
{
	dl_node_t *n = mk(cx, k, loc);

	n->typ = typ;
	n->lhs = lhs;
	return nest(cx, n);
}

/* f(args): D calls only names (functions, actions, subroutines). */
static dl_node_t *mk_call(dl_ctx_t *cx, dl_node_t *callee, dl_node_t *args)
{
	dl_node_t *n;

	if (callee->kind != ND_IDENT)
		dl_error(cx, callee->loc, D_FUNC_IDENT,
			 "function designator is not of function type");
	n = mk_named(cx, ND_CALL, callee->loc, callee->name);
	n->args = args;
	return nest(cx, n);
}

/* base[keys]; the keys of an aggregation go into its ND_AGGREF. */
static dl_node_t *mk_index(dl_ctx_t *cx, dl_node_t *base, dl_node_t *keys)
{
	dl_node_t *n;

	if (base->kind == ND_AGGREF && base->args == NULL) {
		base->args = keys;
		return nest(cx, base);
	}
	n = mk(cx, ND_INDEX, base->loc);
	n->lhs = base;
	n->args = keys;
	return nest(cx, n);
}

/* An expression statement; `@a[k] = f(x)` is an aggregation statement. */
static dl_node_t *mk_stmt(dl_ctx_t *cx, dl_node_t *e)
{
	dl_node_t *n;

	if (e->kind == ND_ASSIGN && e->op == BOP_NONE &&
	    e->lhs->kind == ND_AGGREF && e->rhs->kind == ND_CALL) {
		n = mk(cx, ND_AGG_STMT, e->loc);
		n->lhs = e->lhs;
		n->rhs = e->rhs;
		return n;
	}
	n = mk(cx, ND_EXPR_STMT, e->loc);
	n->lhs = e;
	return n;
}

/* Append n (a node or a list of them; NULL is nothing) to l. */
static dl_plist_t plist_add(dl_plist_t l, dl_node_t *n)
{
	if (n == NULL)
		return l;
	if (l.head == NULL)
		l.head = n;
	else
		l.tail->next = n;
	for (l.tail = n; l.tail->next != NULL; l.tail = l.tail->next)
		;
	return l;
}

static dl_plist_t stmt_append(dl_plist_t l, dl_node_t *s)
{
	return s->kind == ND_EMPTY ? l : plist_add(l, s);
}

static dl_node_t *mk_clause(dl_ctx_t *cx, dl_node_t *probes, dl_node_t *pred,
			    dl_node_t *body)
{
	dl_node_t *n = mk(cx, ND_CLAUSE, probes->loc);

	n->args = probes;
	n->cond = pred;
	n->body = body;
	return n;
}

static dl_node_t *mk_probeid(dl_ctx_t *cx, dl_node_t *num)
{
	dl_node_t *n = mk(cx, ND_PROBEDESC, num->loc);

	n->ival = num->ival;
	n->name = dl_sprintf(cx->arena, "%lld", (long long)num->ival);
	return n;
}

/* "vmlinux`task_struct" -> scope "vmlinux", name "task_struct". */
static void split_scope(dl_ctx_t *cx, const char *s, const char **scope,
			const char **name)
{
	const char *q = strrchr(s, '`');

	if (q == NULL) {
		*scope = NULL;
		*name = s;
		return;
	}
	*scope = dl_strndup(cx->arena, s, (size_t)(q - s));
	*name = q + 1;
}

/* ---- declaration specifiers ---- */

static dl_pspec_t *spec_new(dl_ctx_t *cx, unsigned flags)
{
	dl_pspec_t *s = dl_alloc(cx->arena, sizeof(*s));

	s->ts.flags = flags;
	s->nbase = (flags & (TS_VOID | TS_CHAR | TS_INT | TS_FLOAT |
			     TS_DOUBLE | TS_STRING | TS_BOOL)) != 0;
	return s;
}

static dl_pspec_t *spec_storage(dl_ctx_t *cx, dl_storage_t sc)
{
	dl_pspec_t *s = spec_new(cx, 0);

	s->storage = sc;
	return s;
}

/* struct/union/enum tag or typedef name (scoped names are split). */
static dl_pspec_t *spec_named(dl_ctx_t *cx, unsigned flags, const char *name)
{
	dl_pspec_t *s = spec_new(cx, flags);

	if (name != NULL)
		split_scope(cx, name, &s->ts.scope, &s->ts.tname);
	s->nbase = 1;
	return s;
}

static dl_pspec_t *spec_body(dl_ctx_t *cx, unsigned flags, const char *name,
			     dl_node_t *members)
{
	dl_pspec_t *s = spec_named(cx, flags, name);

	s->ts.members = members;
	s->ts.has_body = true;
	return s;
}

/* Fold the specifier a into b (the list is built right to left). */
static dl_pspec_t *spec_merge(dl_ctx_t *cx, dl_loc_t loc, dl_pspec_t *a,
			      dl_pspec_t *b)
{
	if (a->storage != SC_NONE && b->storage != SC_NONE)
		dl_error(cx, loc, D_TYPE_ERR, "only one storage class allowed "
			 "in a declaration");
	if (a->nbase + b->nbase > 1 ||
	    ((a->ts.flags & TS_LONG) && (b->ts.flags & TS_LONGLONG)))
		dl_error(cx, loc, D_TYPE_ERR, "invalid type combination");
	if ((a->ts.flags & TS_LONG) && (b->ts.flags & TS_LONG))
		b->ts.flags = ((a->ts.flags | b->ts.flags) &
			       ~(unsigned)TS_LONG) | TS_LONGLONG;
	else
		b->ts.flags |= a->ts.flags;
	if (a->storage != SC_NONE)
		b->storage = a->storage;
	if (a->nbase) {
		b->ts.tname = a->ts.tname;
		b->ts.scope = a->ts.scope;
		b->ts.members = a->ts.members;
		b->ts.has_body = a->ts.has_body;
	}
	b->nbase += a->nbase;
	return b;
}

/* ---- declarators ---- */

static dl_pdcl_t *pdcl_new(dl_ctx_t *cx, const char *name, dl_loc_t loc)
{
	dl_pdcl_t *d = dl_alloc(cx->arena, sizeof(*d));

	d->name = name;
	d->loc = loc;
	d->tailp = &d->head;
	return d;
}

/* Append one derivation (outermost first). */
static dl_pdcl_t *pdcl_push(dl_ctx_t *cx, dl_pdcl_t *d, dl_dclkind_t kind,
			    dl_node_t *dim_or_params, unsigned quals)
{
	dl_dcl_t *s = dl_alloc(cx->arena, sizeof(*s));

	s->kind = kind;
	if (kind == DCL_FUNC)
		s->params = dim_or_params;
	else
		s->dim = dim_or_params;
	s->quals = quals;
	*d->tailp = s;
	d->tailp = &s->next;
	return d;
}

/* d's derivations, then those of the pointer chain p. */
static dl_pdcl_t *pdcl_cat(dl_pdcl_t *d, dl_pdcl_t *p)
{
	if (p->head != NULL) {
		*d->tailp = p->head;
		d->tailp = p->tailp;
	}
	return d;
}

static dl_pdcl_t *pdcl_list_add(dl_pdcl_t *list, dl_pdcl_t *d)
{
	dl_pdcl_t *p = list;

	while (p->next != NULL)
		p = p->next;
	p->next = d;
	return list;
}

static dl_tspec_t *mk_tspec(dl_ctx_t *cx, const dl_pspec_t *s,
			    const dl_pdcl_t *d)
{
	dl_tspec_t *t = dl_alloc(cx->arena, sizeof(*t));

	*t = s->ts;
	t->dcl = d != NULL ? d->head : NULL;
	return t;
}

static dl_node_t *mk_type(dl_ctx_t *cx, dl_loc_t loc, const dl_pspec_t *s,
			  const dl_pdcl_t *d)
{
	dl_node_t *n = mk(cx, ND_TYPE, d != NULL && d->name ? d->loc : loc);

	n->typ = mk_tspec(cx, s, d);
	n->name = d != NULL ? d->name : NULL;
	n->storage = s->storage;
	return n;
}

/* One ND_DECL per declarator; at the outer level (top) the lexer learns
   the typedef and variable names declared. */
static dl_node_t *mk_decls(dl_ctx_t *cx, const dl_pspec_t *s, dl_pdcl_t *d,
			   bool top)
{
	dl_node_t *list = NULL;

	for (; d != NULL; d = d->next) {
		dl_node_t *n = mk_named(cx, ND_DECL, d->loc, d->name);

		n->typ = mk_tspec(cx, s, d);
		n->storage = s->storage;
		n->rhs = d->width;
		list = dl_list_append(list, n);
		if (d->name == NULL || !top)
			continue;
		if (s->storage == SC_TYPEDEF)
			dl_lex_typedef(cx, d->name);
		else
			dl_lex_variable(cx, d->name);
	}
	return list;
}

/* `int;`, `struct foo { ... };`, `enum e;` */
static dl_node_t *mk_bare_decl(dl_ctx_t *cx, dl_loc_t loc, dl_pspec_t *s)
{
	unsigned tagged = TS_STRUCT | TS_UNION | TS_ENUM;
	dl_node_t *n;

	if ((s->ts.flags & tagged) && s->storage == SC_NONE) {
		n = mk(cx, ND_TYPEDECL, loc);
		n->typ = mk_tspec(cx, s, NULL);
		return n;
	}
	n = mk_decls(cx, s, pdcl_new(cx, NULL, loc), true);
	return n;
}

static dl_node_t *mk_inline(dl_ctx_t *cx, dl_loc_t loc, dl_pspec_t *s,
			    dl_pdcl_t *d, dl_node_t *e)
{
	dl_node_t *n = mk_named(cx, ND_INLINE, loc, d->name);

	n->typ = mk_tspec(cx, s, d);
	n->storage = s->storage;
	n->lhs = e;
	dl_lex_variable(cx, d->name);
	return n;
}

static dl_node_t *mk_xlator(dl_ctx_t *cx, dl_loc_t loc, dl_tspec_t *out,
			    dl_tspec_t *in, const char *name, dl_node_t *members)
{
	dl_node_t *n = mk_named(cx, ND_XLATOR, loc, name);

	n->typ = out;
	n->ityp = in;
	n->body = members;
	return n;
}

static dl_node_t *mk_xmember(dl_ctx_t *cx, dl_loc_t loc, const char *name,
			     dl_node_t *e)
{
	dl_node_t *n = mk_named(cx, ND_ASSIGN, loc, name);

	n->op = BOP_NONE;
	n->lhs = mk_named(cx, ND_IDENT, loc, name);
	n->rhs = e;
	return n;
}

static dl_node_t *mk_probeproto(dl_ctx_t *cx, dl_loc_t loc, const char *name,
				dl_node_t *args, int nlists, dl_node_t *xargs)
{
	dl_node_t *n = mk_named(cx, ND_PROBEPROTO, loc, name);

	n->args = args;
	n->op = nlists;
	n->body = xargs;
	return n;
}

static dl_node_t *mk_vararg(dl_ctx_t *cx, dl_loc_t loc)
{
	return mk_named(cx, ND_TYPE, loc, "...");
}
}

%union {
	dl_node_t *node;
	const char *str;
	int op;
	unsigned quals;
	dl_tspec_t *tspec;
	dl_pspec_t *spec;
	dl_pdcl_t *dcl;
	dl_plist_t list;
}

/* names and literals */
%token <str> IDENT "identifier" TNAME "type name" AGG "aggregation"
%token <str> PSPEC "probe description"
%token <node> INT "integer" STRING "string"

/* operators of more than one character; single characters are themselves */
%token T_PTR "->" T_INC "++" T_DEC "--" T_LSH "<<" T_RSH ">>"
%token T_LE "<=" T_GE ">=" T_EQ "==" T_NE "!="
%token T_LAND "&&" T_LOR "||" T_LXOR "^^" T_ELLIPSIS "..."
%token T_MUL_EQ "*=" T_DIV_EQ "/=" T_MOD_EQ "%=" T_ADD_EQ "+="
%token T_SUB_EQ "-=" T_LSH_EQ "<<=" T_RSH_EQ ">>=" T_AND_EQ "&="
%token T_XOR_EQ "^=" T_OR_EQ "|="
%token T_EPRED "end of predicate"

/* keywords (some are reserved and used nowhere in the grammar) */
%token K_AUTO K_BREAK K_CASE K_CHAR K_CONST K_CONTINUE K_COUNTER K_DEFAULT
%token K_DO K_DOUBLE K_ELSE K_ENUM K_EXTERN K_FLOAT K_FOR K_GOTO K_IF
%token K_IMPORT K_INLINE K_INT K_LONG K_OFFSETOF K_PROBE K_PROVIDER
%token K_REGISTER K_RESTRICT K_RETURN K_SELF K_SHORT K_SIGNED K_SIZEOF
%token K_STATIC K_STRING K_STRINGOF K_STRUCT K_SWITCH K_THIS K_XLATOR
%token K_TYPEDEF K_UNION K_UNSIGNED K_VOID K_VOLATILE K_WHILE K_XLATE
%token K_BOOL

/* the dangling else binds to the nearest if */
%precedence IF_NO_ELSE
%precedence K_ELSE

%type <list> translation_unit statement_list_impl struct_declaration_list
%type <node> external_declaration inline_definition
%type <node> translator_definition translator_member_list translator_member
%type <node> provider_definition provider_probe_list provider_probe
%type <node> probe_definition probe_specifiers probe_specifier
%type <node> statement_list statement statement_or_block
%type <node> declaration struct_declaration
%type <node> enumerator_list enumerator
%type <node> parameter_type_list parameter_list parameter_declaration
%type <node> array_dim function
%type <node> expression assignment_expression conditional_expression
%type <node> constant_expression logical_or_expression
%type <node> logical_xor_expression logical_and_expression
%type <node> inclusive_or_expression exclusive_or_expression and_expression
%type <node> equality_expression relational_expression shift_expression
%type <node> additive_expression multiplicative_expression cast_expression
%type <node> unary_expression postfix_expression primary_expression
%type <node> argument_expression_list
%type <str> member_name tag
%type <op> assignment_operator unary_operator struct_or_union
%type <quals> type_qualifier_list
%type <tspec> type_name
%type <spec> declaration_specifiers specifier_qualifier_list
%type <spec> storage_class_specifier type_specifier type_qualifier
%type <spec> struct_or_union_specifier enum_specifier
%type <dcl> declarator direct_declarator pointer abstract_declarator
%type <dcl> direct_abstract_declarator init_declarator_list
%type <dcl> struct_declarator_list struct_declarator

%start program

%%

program:
		%empty { dl_lex_result(cx, NULL); }
	|	translation_unit { dl_lex_result(cx, $1.head); }
	;

translation_unit:
		external_declaration { $$ = plist_add((dl_plist_t){ 0 }, $1); }
	|	translation_unit external_declaration
			{ $$ = plist_add($1, $2); }
	;

external_declaration:
		inline_definition
	|	translator_definition
	|	provider_definition
	|	probe_definition
	|	declaration
	;

/* ---- top level ---------------------------------------------------------- */

inline_definition:
		K_INLINE declaration_specifiers declarator '='
		    assignment_expression ';'
			{ $$ = mk_inline(cx, @1, $2, $3, $5); }
	;

translator_definition:
		K_XLATOR type_name '<' type_name IDENT '>'
		    '{' translator_member_list '}' ';'
			{ $$ = mk_xlator(cx, @1, $2, $4, $5, $8); }
	|	K_XLATOR type_name '<' type_name IDENT '>' '{' '}' ';'
			{ $$ = mk_xlator(cx, @1, $2, $4, $5, NULL); }
	;

translator_member_list:
		translator_member
	|	translator_member_list translator_member
			{ $$ = dl_list_append($1, $2); }
	;

translator_member:
		IDENT '=' assignment_expression ';'
			{ $$ = mk_xmember(cx, @1, $1, $3); }
	;

provider_definition:
		K_PROVIDER IDENT '{' provider_probe_list '}' ';'
			{ $$ = mk_named(cx, ND_PROVIDER, @1, $2);
			  $$->body = $4; }
	|	K_PROVIDER IDENT '{' '}' ';'
			{ $$ = mk_named(cx, ND_PROVIDER, @1, $2); }
	;

provider_probe_list:
		provider_probe
	|	provider_probe_list provider_probe
			{ $$ = dl_list_append($1, $2); }
	;

provider_probe:
		K_PROBE IDENT function ':' function ';'
			{ $$ = mk_probeproto(cx, @1, $2, $3, 2, $5); }
	|	K_PROBE IDENT function ';'
			{ $$ = mk_probeproto(cx, @1, $2, $3, 1, NULL); }
	;

probe_definition:
		probe_specifiers
			{
				if (cx->file != NULL)
					dl_error(cx, @1, D_SYNTAX, "expected "
					    "predicate and/or actions following "
					    "probe description");
				$$ = mk_clause(cx, $1, NULL, NULL);
			}
	|	probe_specifiers '{' statement_list '}'
			{ $$ = mk_clause(cx, $1, NULL, $3); }
	|	probe_specifiers '/' expression T_EPRED
			{
				dl_error(cx, @3, D_SYNTAX, "expected actions "
				    "{ } following probe description and "
				    "predicate");
			}
	|	probe_specifiers '/' expression T_EPRED
		    '{' statement_list '}'
			{ $$ = mk_clause(cx, $1, $3, $6); }
	;

probe_specifiers:
		probe_specifier
	|	probe_specifiers ',' probe_specifier
			{ $$ = dl_list_append($1, $3); }
	;

probe_specifier:
		PSPEC { $$ = mk_named(cx, ND_PROBEDESC, @1, $1); }
	|	INT { $$ = mk_probeid(cx, $1); }
	;

/* ---- statements --------------------------------------------------------- */

statement_list:
		statement_list_impl { $$ = $1.head; }
	|	statement_list_impl expression
			{ $$ = plist_add($1, mk_stmt(cx, $2)).head; }
	;

statement_list_impl:
		%empty { $$ = (dl_plist_t){ 0 }; }
	|	statement_list_impl statement { $$ = stmt_append($1, $2); }
	;

statement:
		';' { $$ = mk(cx, ND_EMPTY, @1); }
	|	expression ';' { $$ = mk_stmt(cx, $1); }
	|	K_IF '(' expression ')' statement_or_block %prec IF_NO_ELSE
			{ $$ = mk(cx, ND_IF, @1); $$->cond = $3;
			  $$->body = $5; }
	|	K_IF '(' expression ')' statement_or_block
		    K_ELSE statement_or_block
			{ $$ = mk(cx, ND_IF, @1); $$->cond = $3;
			  $$->body = $5; $$->els = $7; }
	;

statement_or_block:
		statement
	|	'{' statement_list '}'
			{ $$ = mk(cx, ND_BLOCK, @1); $$->body = $2; }
	;

/* ---- expressions -------------------------------------------------------- */

argument_expression_list:
		assignment_expression
	|	argument_expression_list ',' assignment_expression
			{ $$ = dl_list_append($1, $3); }
	;

member_name:
		IDENT
	|	TNAME
	;

primary_expression:
		IDENT { $$ = mk_named(cx, ND_IDENT, @1, $1); }
	|	AGG { $$ = mk_named(cx, ND_AGGREF, @1, $1); }
	|	INT
	|	STRING
	|	K_SELF T_PTR member_name { $$ = mk_named(cx, ND_SELF, @1, $3); }
	|	K_THIS T_PTR member_name { $$ = mk_named(cx, ND_THIS, @1, $3); }
	|	'(' expression ')' { $$ = $2; }
	;

postfix_expression:
		primary_expression
	|	postfix_expression '[' argument_expression_list ']'
			{ $$ = mk_index(cx, $1, $3); }
	|	postfix_expression '(' ')' { $$ = mk_call(cx, $1, NULL); }
	|	postfix_expression '(' argument_expression_list ')'
			{ $$ = mk_call(cx, $1, $3); }
	|	postfix_expression '.' member_name
			{ $$ = mk_named(cx, ND_MEMBER, @1, $3); $$->lhs = $1;
			  nest(cx, $$); }
	|	postfix_expression T_PTR member_name
			{ $$ = mk_named(cx, ND_PTRMEMBER, @1, $3);
			  $$->lhs = $1; nest(cx, $$); }
	|	postfix_expression T_INC
			{ $$ = mk_un(cx, ND_POSTINC, @1, 0, $1); }
	|	postfix_expression T_DEC
			{ $$ = mk_un(cx, ND_POSTDEC, @1, 0, $1); }
	|	K_OFFSETOF '(' type_name ',' member_name ')'
			{ $$ = mk_typed(cx, ND_OFFSETOF, @1, $3, NULL);
			  $$->name = $5; }
	|	K_XLATE '<' type_name '>' '(' expression ')'
			{ $$ = mk_typed(cx, ND_XLATE, @1, $3, $6); }
	;

unary_expression:
		postfix_expression
	|	T_INC unary_expression { $$ = mk_un(cx, ND_PREINC, @1, 0, $2); }
	|	T_DEC unary_expression { $$ = mk_un(cx, ND_PREDEC, @1, 0, $2); }
	|	unary_operator cast_expression
			{ $$ = mk_un(cx, ND_UNARY, @1, $1, $2); }
	|	K_SIZEOF unary_expression
			{ $$ = mk_un(cx, ND_SIZEOF_EXPR, @1, 0, $2); }
	|	K_SIZEOF '(' type_name ')'
			{ $$ = mk_typed(cx, ND_SIZEOF_TYPE, @1, $3, NULL); }
	|	K_STRINGOF unary_expression
			{ $$ = mk_un(cx, ND_STRINGOF, @1, 0, $2); }
	;

unary_operator:
		'&' { $$ = '&'; }
	|	'*' { $$ = '*'; }
	|	'+' { $$ = '+'; }
	|	'-' { $$ = '-'; }
	|	'~' { $$ = '~'; }
	|	'!' { $$ = '!'; }
	;

cast_expression:
		unary_expression
	|	'(' type_name ')' cast_expression
			{ $$ = mk_typed(cx, ND_CAST, @1, $2, $4); }
	;

multiplicative_expression:
		cast_expression
	|	multiplicative_expression '*' cast_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_MUL, $1, $3); }
	|	multiplicative_expression '/' cast_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_DIV, $1, $3); }
	|	multiplicative_expression '%' cast_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_MOD, $1, $3); }
	;

additive_expression:
		multiplicative_expression
	|	additive_expression '+' multiplicative_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_ADD, $1, $3); }
	|	additive_expression '-' multiplicative_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_SUB, $1, $3); }
	;

shift_expression:
		additive_expression
	|	shift_expression T_LSH additive_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_SHL, $1, $3); }
	|	shift_expression T_RSH additive_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_SHR, $1, $3); }
	;

relational_expression:
		shift_expression
	|	relational_expression '<' shift_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_LT, $1, $3); }
	|	relational_expression '>' shift_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_GT, $1, $3); }
	|	relational_expression T_LE shift_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_LE, $1, $3); }
	|	relational_expression T_GE shift_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_GE, $1, $3); }
	;

equality_expression:
		relational_expression
	|	equality_expression T_EQ relational_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_EQ, $1, $3); }
	|	equality_expression T_NE relational_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_NE, $1, $3); }
	;

and_expression:
		equality_expression
	|	and_expression '&' equality_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_AND, $1, $3); }
	;

exclusive_or_expression:
		and_expression
	|	exclusive_or_expression '^' and_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_XOR, $1, $3); }
	;

inclusive_or_expression:
		exclusive_or_expression
	|	inclusive_or_expression '|' exclusive_or_expression
			{ $$ = mk_bin(cx, ND_BINARY, BOP_OR, $1, $3); }
	;

logical_and_expression:
		inclusive_or_expression
	|	logical_and_expression T_LAND inclusive_or_expression
			{ $$ = mk_bin(cx, ND_LOGAND, 0, $1, $3); }
	;

logical_xor_expression:
		logical_and_expression
	|	logical_xor_expression T_LXOR logical_and_expression
			{ $$ = mk_bin(cx, ND_LOGXOR, 0, $1, $3); }
	;

logical_or_expression:
		logical_xor_expression
	|	logical_or_expression T_LOR logical_xor_expression
			{ $$ = mk_bin(cx, ND_LOGOR, 0, $1, $3); }
	;

constant_expression:
		conditional_expression
	;

conditional_expression:
		logical_or_expression
	|	logical_or_expression '?' expression ':' conditional_expression
			{ $$ = mk(cx, ND_TERNARY, @1); $$->cond = $1;
			  $$->lhs = $3; $$->rhs = $5; nest(cx, $$); }
	;

assignment_expression:
		conditional_expression
	|	unary_expression assignment_operator assignment_expression
			{ $$ = mk_bin(cx, ND_ASSIGN, $2, $1, $3); }
	;

assignment_operator:
		'=' { $$ = BOP_NONE; }
	|	T_MUL_EQ { $$ = BOP_MUL; }
	|	T_DIV_EQ { $$ = BOP_DIV; }
	|	T_MOD_EQ { $$ = BOP_MOD; }
	|	T_ADD_EQ { $$ = BOP_ADD; }
	|	T_SUB_EQ { $$ = BOP_SUB; }
	|	T_LSH_EQ { $$ = BOP_SHL; }
	|	T_RSH_EQ { $$ = BOP_SHR; }
	|	T_AND_EQ { $$ = BOP_AND; }
	|	T_XOR_EQ { $$ = BOP_XOR; }
	|	T_OR_EQ { $$ = BOP_OR; }
	;

expression:
		assignment_expression
	|	expression ',' assignment_expression
			{ $$ = mk_bin(cx, ND_COMMA, 0, $1, $3); }
	;

/* ---- declarations ------------------------------------------------------- */

declaration:
		declaration_specifiers ';' { $$ = mk_bare_decl(cx, @1, $1); }
	|	declaration_specifiers init_declarator_list ';'
			{ $$ = mk_decls(cx, $1, $2, true); }
	;

declaration_specifiers:
		storage_class_specifier
	|	storage_class_specifier declaration_specifiers
			{ $$ = spec_merge(cx, @1, $1, $2); }
	|	type_specifier
	|	type_specifier declaration_specifiers
			{ $$ = spec_merge(cx, @1, $1, $2); }
	|	type_qualifier
	|	type_qualifier declaration_specifiers
			{ $$ = spec_merge(cx, @1, $1, $2); }
	;

storage_class_specifier:
		K_AUTO { $$ = spec_storage(cx, SC_AUTO); }
	|	K_REGISTER { $$ = spec_storage(cx, SC_REGISTER); }
	|	K_STATIC { $$ = spec_storage(cx, SC_STATIC); }
	|	K_EXTERN { $$ = spec_storage(cx, SC_EXTERN); }
	|	K_TYPEDEF { $$ = spec_storage(cx, SC_TYPEDEF); }
	|	K_SELF { $$ = spec_storage(cx, SC_SELF); }
	|	K_THIS { $$ = spec_storage(cx, SC_THIS); }
	;

type_specifier:
		K_VOID { $$ = spec_new(cx, TS_VOID); }
	|	K_CHAR { $$ = spec_new(cx, TS_CHAR); }
	|	K_SHORT { $$ = spec_new(cx, TS_SHORT); }
	|	K_INT { $$ = spec_new(cx, TS_INT); }
	|	K_LONG { $$ = spec_new(cx, TS_LONG); }
	|	K_FLOAT { $$ = spec_new(cx, TS_FLOAT); }
	|	K_DOUBLE { $$ = spec_new(cx, TS_DOUBLE); }
	|	K_SIGNED { $$ = spec_new(cx, TS_SIGNED); }
	|	K_UNSIGNED { $$ = spec_new(cx, TS_UNSIGNED); }
	|	K_STRING { $$ = spec_new(cx, TS_STRING); }
	|	K_BOOL { $$ = spec_new(cx, TS_BOOL); }
	|	TNAME { $$ = spec_named(cx, TS_TYPEDEF, $1); }
	|	struct_or_union_specifier
	|	enum_specifier
	;

type_qualifier:
		K_CONST { $$ = spec_new(cx, TS_CONST); }
	|	K_RESTRICT { $$ = spec_new(cx, TS_RESTRICT); }
	|	K_VOLATILE { $$ = spec_new(cx, TS_VOLATILE); }
	;

tag:
		IDENT
	|	TNAME
	;

struct_or_union_specifier:
		struct_or_union '{' struct_declaration_list '}'
			{ $$ = spec_body(cx, $1, NULL, $3.head); }
	|	struct_or_union tag '{' struct_declaration_list '}'
			{ $$ = spec_body(cx, $1, $2, $4.head); }
	|	struct_or_union tag { $$ = spec_named(cx, $1, $2); }
	;

struct_or_union:
		K_STRUCT { $$ = TS_STRUCT; }
	|	K_UNION { $$ = TS_UNION; }
	;

struct_declaration_list:
		struct_declaration { $$ = plist_add((dl_plist_t){ 0 }, $1); }
	|	struct_declaration_list struct_declaration
			{ $$ = plist_add($1, $2); }
	;

init_declarator_list:
		declarator
	|	init_declarator_list ',' declarator
			{ $$ = pdcl_list_add($1, $3); }
	;

struct_declaration:
		specifier_qualifier_list struct_declarator_list ';'
			{ $$ = mk_decls(cx, $1, $2, false); }
	;

specifier_qualifier_list:
		type_specifier
	|	type_specifier specifier_qualifier_list
			{ $$ = spec_merge(cx, @1, $1, $2); }
	|	type_qualifier
	|	type_qualifier specifier_qualifier_list
			{ $$ = spec_merge(cx, @1, $1, $2); }
	;

struct_declarator_list:
		struct_declarator
	|	struct_declarator_list ',' struct_declarator
			{ $$ = pdcl_list_add($1, $3); }
	;

struct_declarator:
		declarator
	|	':' constant_expression
			{ $$ = pdcl_new(cx, NULL, @1); $$->width = $2; }
	|	declarator ':' constant_expression { $$ = $1; $$->width = $3; }
	;

enum_specifier:
		K_ENUM '{' enumerator_list '}'
			{ $$ = spec_body(cx, TS_ENUM, NULL, $3); }
	|	K_ENUM '{' enumerator_list ',' '}'
			{ $$ = spec_body(cx, TS_ENUM, NULL, $3); }
	|	K_ENUM tag '{' enumerator_list '}'
			{ $$ = spec_body(cx, TS_ENUM, $2, $4); }
	|	K_ENUM tag '{' enumerator_list ',' '}'
			{ $$ = spec_body(cx, TS_ENUM, $2, $4); }
	|	K_ENUM tag { $$ = spec_named(cx, TS_ENUM, $2); }
	;

enumerator_list:
		enumerator
	|	enumerator_list ',' enumerator { $$ = dl_list_append($1, $3); }
	;

enumerator:
		IDENT { $$ = mk_named(cx, ND_IDENT, @1, $1); }
	|	IDENT '=' constant_expression
			{ $$ = mk_named(cx, ND_IDENT, @1, $1); $$->init = $3; }
	;

declarator:
		direct_declarator
	|	pointer direct_declarator { $$ = pdcl_cat($2, $1); }
	;

direct_declarator:
		IDENT { $$ = pdcl_new(cx, $1, @1); }
	|	'(' declarator ')' { $$ = $2; }
	|	direct_declarator array_dim
			{ $$ = pdcl_push(cx, $1, DCL_ARRAY, $2, 0); }
	|	direct_declarator function
			{ $$ = pdcl_push(cx, $1, DCL_FUNC, $2, 0); }
	;

pointer:
		'*' { $$ = pdcl_push(cx, pdcl_new(cx, NULL, @1), DCL_PTR, NULL,
				     0); }
	|	'*' type_qualifier_list
			{ $$ = pdcl_push(cx, pdcl_new(cx, NULL, @1), DCL_PTR,
					 NULL, $2); }
	|	'*' pointer { $$ = pdcl_push(cx, $2, DCL_PTR, NULL, 0); }
	|	'*' type_qualifier_list pointer
			{ $$ = pdcl_push(cx, $3, DCL_PTR, NULL, $2); }
	;

type_qualifier_list:
		type_qualifier { $$ = $1->ts.flags; }
	|	type_qualifier_list type_qualifier
			{ $$ = $1 | $2->ts.flags; }
	;

parameter_type_list:
		parameter_list
	|	T_ELLIPSIS { $$ = mk_vararg(cx, @1); }
	|	parameter_list ',' T_ELLIPSIS
			{ $$ = dl_list_append($1, mk_vararg(cx, @3)); }
	;

parameter_list:
		parameter_declaration
	|	parameter_list ',' parameter_declaration
			{ $$ = dl_list_append($1, $3); }
	;

parameter_declaration:
		declaration_specifiers { $$ = mk_type(cx, @1, $1, NULL); }
	|	declaration_specifiers declarator
			{ $$ = mk_type(cx, @1, $1, $2); }
	|	declaration_specifiers abstract_declarator
			{ $$ = mk_type(cx, @1, $1, $2); }
	;

type_name:
		specifier_qualifier_list { $$ = mk_tspec(cx, $1, NULL); }
	|	specifier_qualifier_list abstract_declarator
			{ $$ = mk_tspec(cx, $1, $2); }
	;

abstract_declarator:
		pointer
	|	direct_abstract_declarator
	|	pointer direct_abstract_declarator { $$ = pdcl_cat($2, $1); }
	;

direct_abstract_declarator:
		'(' abstract_declarator ')' { $$ = $2; }
	|	direct_abstract_declarator array_dim
			{ $$ = pdcl_push(cx, $1, DCL_ARRAY, $2, 0); }
	|	array_dim
			{ $$ = pdcl_push(cx, pdcl_new(cx, NULL, @1), DCL_ARRAY,
					 $1, 0); }
	|	direct_abstract_declarator function
			{ $$ = pdcl_push(cx, $1, DCL_FUNC, $2, 0); }
	|	function
			{ $$ = pdcl_push(cx, pdcl_new(cx, NULL, @1), DCL_FUNC,
					 $1, 0); }
	;

/* [], [N] or [type, ...] (an associative array's key types) */
array_dim:
		'[' ']' { $$ = NULL; }
	|	'[' constant_expression ']' { $$ = $2; }
	|	'[' parameter_type_list ']' { $$ = $2; }
	;

function:
		'(' ')' { $$ = NULL; }
	|	'(' parameter_type_list ')' { $$ = $2; }
	;

%%
