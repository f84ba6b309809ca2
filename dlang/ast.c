/*
 * ast.c - the syntax tree: node allocation, lists, names, and the text form.
 *
 * Nodes live in the compilation's arena (cx->arena), zeroed, and are never
 * freed one by one.  Lists are singly linked through ->next; the parser
 * builds them with dl_list_append().
 *
 * dl_ast_dump() prints the tree that `dtrace -x tree` shows and the golden
 * tests compare against, so its form is a contract of its own: one node per
 * line, the kind's name followed by its key attributes, children indented
 * by two spaces in a fixed slot order (cond, lhs, rhs, args, init, body,
 * els).  Where the role of a child is not obvious from that order a label
 * line ("pred:", "body:", "then:", "else:", "width:", "members:") precedes
 * the children it introduces; a clause lists its probe descriptions first.  Types print as C declarations ("int *[4]",
 * "self int x[string]").  Locations are not printed: the form must not
 * change when a script is reformatted.
 *
 * Everything here is deterministic and has no state: the node-kind and
 * operator names come from tables indexed by the enums of dlang.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dlang.h"

dl_node_t *dl_node_new(dl_ctx_t *cx, dl_nodekind_t kind, dl_loc_t loc)
{
	dl_node_t *n = dl_alloc(cx->arena, sizeof(*n));

	n->kind = kind;
	n->loc = loc;
	return n;
}

dl_node_t *dl_list_append(dl_node_t *a, dl_node_t *b)
{
	dl_node_t *p;

	if (a == NULL)
		return b;
	for (p = a; p->next != NULL; p = p->next)
		;
	p->next = b;
	return a;
}

/* ---- names -------------------------------------------------------------- */

/*
 * Per kind: its name, and how the dump shows each child slot: NULL prints
 * the children unlabeled, "-" hides the slot (printed on the node's own
 * line instead), anything else is a label line.
 */
enum { SL_COND, SL_LHS, SL_RHS, SL_ARGS, SL_INIT, SL_BODY, SL_ELS, NSLOTS };

typedef struct kind_info {
	const char *name;
	const char *label[NSLOTS];
	bool args_first;	/* print args before the other slots */
} kind_info_t;

static const kind_info_t kind_infos[ND_NKINDS] = {
	[ND_INT] = { "int", { 0 } },
	[ND_STR] = { "str", { 0 } },
	[ND_IDENT] = { "ident", { 0 } },
	[ND_SELF] = { "self", { 0 } },
	[ND_THIS] = { "this", { 0 } },
	[ND_AGGREF] = { "aggref", { 0 } },
	[ND_UNARY] = { "unary", { 0 } },
	[ND_PREINC] = { "preinc", { 0 } },
	[ND_PREDEC] = { "predec", { 0 } },
	[ND_POSTINC] = { "postinc", { 0 } },
	[ND_POSTDEC] = { "postdec", { 0 } },
	[ND_BINARY] = { "binary", { 0 } },
	[ND_LOGAND] = { "logand", { 0 } },
	[ND_LOGOR] = { "logor", { 0 } },
	[ND_LOGXOR] = { "logxor", { 0 } },
	[ND_ASSIGN] = { "assign", { 0 } },
	[ND_TERNARY] = { "ternary", { 0 } },
	[ND_CALL] = { "call", { 0 } },
	[ND_INDEX] = { "index", { 0 } },
	[ND_MEMBER] = { "member", { 0 } },
	[ND_PTRMEMBER] = { "ptrmember", { 0 } },
	[ND_CAST] = { "cast", { 0 } },
	[ND_SIZEOF_TYPE] = { "sizeof_type", { 0 } },
	[ND_SIZEOF_EXPR] = { "sizeof_expr", { 0 } },
	[ND_OFFSETOF] = { "offsetof", { 0 } },
	[ND_STRINGOF] = { "stringof", { 0 } },
	[ND_XLATE] = { "xlate", { 0 } },
	[ND_SYMADDR] = { "symaddr", { 0 } },
	[ND_COMMA] = { "comma", { 0 } },
	[ND_EXPR_STMT] = { "expr_stmt", { 0 } },
	[ND_AGG_STMT] = { "agg_stmt", { 0 } },
	[ND_IF] = { "if", { [SL_BODY] = "then", [SL_ELS] = "else" } },
	[ND_BLOCK] = { "block", { 0 } },
	[ND_EMPTY] = { "empty", { 0 } },
	[ND_CLAUSE] = { "clause", { [SL_COND] = "pred", [SL_BODY] = "body" },
			true },
	[ND_PROBEDESC] = { "probedesc", { 0 } },
	[ND_DECL] = { "decl", { [SL_RHS] = "width" } },
	[ND_INLINE] = { "inline", { 0 } },
	[ND_XLATOR] = { "xlator", { 0 } },
	[ND_PROVIDER] = { "provider", { 0 } },
	[ND_PROBEPROTO] = { "probeproto", { [SL_ARGS] = "-", [SL_BODY] = "-" } },
	[ND_TYPEDECL] = { "typedecl", { 0 } },
	[ND_TYPE] = { "type", { 0 } },
};

const char *dl_nodekind_name(dl_nodekind_t k)
{
	if ((unsigned)k >= ND_NKINDS || kind_infos[k].name == NULL)
		return "?";
	return kind_infos[k].name;
}

static const char *const binop_names[BOP_NOPS] = {
	[BOP_MUL] = "*", [BOP_DIV] = "/", [BOP_MOD] = "%",
	[BOP_ADD] = "+", [BOP_SUB] = "-",
	[BOP_SHL] = "<<", [BOP_SHR] = ">>",
	[BOP_LT] = "<", [BOP_GT] = ">", [BOP_LE] = "<=", [BOP_GE] = ">=",
	[BOP_EQ] = "==", [BOP_NE] = "!=",
	[BOP_AND] = "&", [BOP_XOR] = "^", [BOP_OR] = "|",
};

const char *dl_binop_name(dl_binop_t op)
{
	if (op == BOP_NONE)
		return "";
	if ((unsigned)op >= BOP_NOPS)
		return "?";
	return binop_names[op];
}

/* ---- a bounded string builder (the dump has no arena) ------------------- */

typedef struct sbuf {
	char s[1024];
	size_t len;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(b->s) - 1 - b->len)
		n = sizeof(b->s) - 1 - b->len;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_prepend(sbuf_t *b, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(b->s) - 1 - b->len)
		n = sizeof(b->s) - 1 - b->len;
	memmove(b->s + n, b->s, b->len + 1);
	memcpy(b->s, s, n);
	b->len += n;
}

static void sb_addf(sbuf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_addf(sbuf_t *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_add(b, tmp);
}

/* ---- types as C declarations -------------------------------------------- */

static const struct {
	unsigned flag;
	const char *word;
} spec_words[] = {
	{ TS_CONST, "const" }, { TS_VOLATILE, "volatile" },
	{ TS_RESTRICT, "restrict" }, { TS_SIGNED, "signed" },
	{ TS_UNSIGNED, "unsigned" }, { TS_SHORT, "short" },
	{ TS_LONG, "long" }, { TS_LONGLONG, "long long" },
	{ TS_CHAR, "char" }, { TS_INT, "int" }, { TS_FLOAT, "float" },
	{ TS_DOUBLE, "double" }, { TS_VOID, "void" },
	{ TS_STRING, "string" }, { TS_BOOL, "_Bool" },
	{ TS_STRUCT, "struct" }, { TS_UNION, "union" }, { TS_ENUM, "enum" },
};

static void sb_word(sbuf_t *b, const char *w)
{
	if (b->len > 0)
		sb_add(b, " ");
	sb_add(b, w);
}

static void spec_str(sbuf_t *b, const dl_tspec_t *ts)
{
	for (size_t i = 0; i < sizeof(spec_words) / sizeof(spec_words[0]); i++)
		if (ts->flags & spec_words[i].flag)
			sb_word(b, spec_words[i].word);
	if (ts->tname != NULL) {
		sb_word(b, ts->scope != NULL ? ts->scope : "");
		if (ts->scope != NULL)
			sb_add(b, "`");
		sb_add(b, ts->tname);
	}
	if (ts->has_body)
		sb_word(b, "{...}");
}

static void expr_str(sbuf_t *b, const dl_node_t *n);
static void type_str(sbuf_t *b, const dl_tspec_t *ts, const char *name);

/* A list of ND_TYPE (parameters or associative array keys), comma separated. */
static void types_str(sbuf_t *b, const dl_node_t *list)
{
	for (const dl_node_t *p = list; p != NULL; p = p->next) {
		if (p != list)
			sb_add(b, ", ");
		if (p->kind != ND_TYPE)
			expr_str(b, p);
		else if (p->typ == NULL)
			sb_add(b, p->name != NULL ? p->name : "...");
		else
			type_str(b, p->typ, p->name);
	}
}

static void dim_str(sbuf_t *b, const dl_dcl_t *d)
{
	sb_add(b, "[");
	if (d->dim != NULL && d->dim->kind == ND_TYPE)
		types_str(b, d->dim);
	else if (d->dim != NULL)
		expr_str(b, d->dim);
	sb_add(b, "]");
}

/* The declarator around name (may be ""), innermost derivation first. */
static void dcl_str(sbuf_t *b, const dl_dcl_t *d)
{
	for (; d != NULL; d = d->next) {
		if (d->kind == DCL_PTR) {
			if (d->quals & TS_VOLATILE)
				sb_prepend(b, "volatile ");
			if (d->quals & TS_CONST)
				sb_prepend(b, "const ");
			sb_prepend(b, "*");
			continue;
		}
		if (b->s[0] == '*') {
			sb_prepend(b, "(");
			sb_add(b, ")");
		}
		if (d->kind == DCL_ARRAY) {
			dim_str(b, d);
		} else {
			sb_add(b, "(");
			types_str(b, d->params);
			sb_add(b, ")");
		}
	}
}

static void type_str(sbuf_t *b, const dl_tspec_t *ts, const char *name)
{
	sbuf_t d = { .len = 0 }, s = { .len = 0 };

	if (ts == NULL) {
		sb_add(b, "?");
		return;
	}
	sb_add(&d, name != NULL ? name : "");
	dcl_str(&d, ts->dcl);
	spec_str(&s, ts);
	sb_add(b, s.s);
	if (d.len > 0) {
		if (d.s[0] != '[')
			sb_add(b, " ");
		sb_add(b, d.s);
	}
}

/* ---- expressions as text (array dimensions, bit-field widths) ----------- */

static void int_str(sbuf_t *b, const dl_node_t *n)
{
	if (n->is_unsigned)
		sb_addf(b, "%" PRIu64 "u", (uint64_t)n->ival);
	else
		sb_addf(b, "%" PRId64, n->ival);
	for (int i = 0; i < n->lsuffix; i++)
		sb_add(b, "l");
}

/*
 * Dimensions are nearly always literals or names; the few operators a
 * constant expression uses print fully parenthesized, anything else by its
 * kind name (the dump shows no more of it than that).
 */
static void expr_str(sbuf_t *b, const dl_node_t *n)
{
	switch (n->kind) {
	case ND_INT:
		int_str(b, n);
		break;
	case ND_IDENT:
		sb_add(b, n->name);
		break;
	case ND_UNARY:
		sb_addf(b, "%c", (char)n->op);
		expr_str(b, n->lhs);
		break;
	case ND_BINARY:
		sb_add(b, "(");
		expr_str(b, n->lhs);
		sb_addf(b, " %s ", dl_binop_name((dl_binop_t)n->op));
		expr_str(b, n->rhs);
		sb_add(b, ")");
		break;
	default:
		sb_addf(b, "<%s>", dl_nodekind_name(n->kind));
		break;
	}
}

/* ---- the dump ----------------------------------------------------------- */

static void str_str(sbuf_t *b, const char *s, size_t len)
{
	static const char esc_from[] = "\\\"\n\t\r\a\b\f\v";
	static const char esc_to[] = "\\\"ntrabfv";

	sb_add(b, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c != 0 ? strchr(esc_from, c) : NULL;

		if (e != NULL)
			sb_addf(b, "\\%c", esc_to[e - esc_from]);
		else if (c < 0x20 || c >= 0x7f)
			sb_addf(b, "\\%03o", c);
		else
			sb_addf(b, "%c", c);
	}
	sb_add(b, "\"");
}

static const char *const storage_words[] = {
	[SC_NONE] = NULL, [SC_EXTERN] = "extern", [SC_STATIC] = "static",
	[SC_REGISTER] = "register", [SC_AUTO] = "auto",
	[SC_TYPEDEF] = "typedef", [SC_SELF] = "self", [SC_THIS] = "this",
};

static void at_int(sbuf_t *b, const dl_node_t *n) { int_str(b, n); }
static void at_str(sbuf_t *b, const dl_node_t *n)
{
	str_str(b, n->sval, n->slen);
}
static void at_name(sbuf_t *b, const dl_node_t *n)
{
	sb_add(b, n->name != NULL ? n->name : "");
}
static void at_agg(sbuf_t *b, const dl_node_t *n)
{
	sb_add(b, "@");
	at_name(b, n);
}
static void at_unary(sbuf_t *b, const dl_node_t *n)
{
	sb_addf(b, "%c", (char)n->op);
}
static void at_binop(sbuf_t *b, const dl_node_t *n)
{
	sb_add(b, dl_binop_name((dl_binop_t)n->op));
}
static void at_assign(sbuf_t *b, const dl_node_t *n)
{
	at_binop(b, n);
	sb_add(b, "=");
}
static void at_type(sbuf_t *b, const dl_node_t *n)
{
	type_str(b, n->typ, NULL);
}
static void at_named_type(sbuf_t *b, const dl_node_t *n)
{
	if (n->typ == NULL)
		sb_add(b, n->name != NULL ? n->name : "...");
	else
		type_str(b, n->typ, n->name);
}
static void at_offsetof(sbuf_t *b, const dl_node_t *n)
{
	type_str(b, n->typ, NULL);
	sb_addf(b, ", %s", n->name);
}
static void at_decl(sbuf_t *b, const dl_node_t *n)
{
	if (storage_words[n->storage] != NULL)
		sb_addf(b, "%s ", storage_words[n->storage]);
	type_str(b, n->typ, n->name);
}
static void at_xlator(sbuf_t *b, const dl_node_t *n)
{
	type_str(b, n->typ, NULL);
	sb_add(b, " < ");
	type_str(b, n->ityp, n->name);
	sb_add(b, " >");
}
static void at_probeproto(sbuf_t *b, const dl_node_t *n)
{
	sb_addf(b, "%s(", n->name);
	types_str(b, n->args);
	sb_add(b, ")");
	if (n->op == 2) {
		sb_add(b, " : (");
		types_str(b, n->body);
		sb_add(b, ")");
	}
}

/* What follows the kind's name on a node's line. */
static void (*const attr_fns[ND_NKINDS])(sbuf_t *, const dl_node_t *) = {
	[ND_INT] = at_int, [ND_STR] = at_str, [ND_IDENT] = at_name,
	[ND_SELF] = at_name, [ND_THIS] = at_name, [ND_AGGREF] = at_agg,
	[ND_UNARY] = at_unary, [ND_BINARY] = at_binop,
	[ND_ASSIGN] = at_assign, [ND_CALL] = at_name,
	[ND_MEMBER] = at_name, [ND_PTRMEMBER] = at_name,
	[ND_CAST] = at_type, [ND_SIZEOF_TYPE] = at_type,
	[ND_OFFSETOF] = at_offsetof, [ND_XLATE] = at_type,
	[ND_PROBEDESC] = at_name, [ND_DECL] = at_decl,
	[ND_INLINE] = at_decl, [ND_XLATOR] = at_xlator,
	[ND_PROVIDER] = at_name, [ND_PROBEPROTO] = at_probeproto,
	[ND_TYPEDECL] = at_type, [ND_TYPE] = at_named_type,
};

static const size_t slot_offs[NSLOTS] = {
	[SL_COND] = offsetof(dl_node_t, cond),
	[SL_LHS] = offsetof(dl_node_t, lhs),
	[SL_RHS] = offsetof(dl_node_t, rhs),
	[SL_ARGS] = offsetof(dl_node_t, args),
	[SL_INIT] = offsetof(dl_node_t, init),
	[SL_BODY] = offsetof(dl_node_t, body),
	[SL_ELS] = offsetof(dl_node_t, els),
};

static void dump_list(FILE *out, const dl_node_t *n, int depth);

static void dump_labeled(FILE *out, const char *label, const dl_node_t *list,
			 int depth)
{
	if (label != NULL) {
		fprintf(out, "%*s%s:\n", depth * 2, "", label);
		depth++;
	}
	dump_list(out, list, depth);
}

static void dump_node(FILE *out, const dl_node_t *n, int depth)
{
	const kind_info_t *ki = &kind_infos[n->kind];
	sbuf_t line = { .len = 0 };

	sb_add(&line, dl_nodekind_name(n->kind));
	if (attr_fns[n->kind] != NULL) {
		sb_add(&line, " ");
		attr_fns[n->kind](&line, n);
	}
	fprintf(out, "%*s%s\n", depth * 2, "", line.s);
	for (int k = 0; k < NSLOTS; k++) {
		int i = !ki->args_first ? k : k == 0 ? SL_ARGS
					 : k <= SL_ARGS ? k - 1 : k;
		const dl_node_t *c = *(dl_node_t *const *)
			((const char *)n + slot_offs[i]);

		if (c == NULL || (ki->label[i] != NULL &&
				  strcmp(ki->label[i], "-") == 0))
			continue;
		dump_labeled(out, ki->label[i], c, depth + 1);
	}
	if (n->typ != NULL && n->typ->has_body && n->typ->members != NULL)
		dump_labeled(out, "members", n->typ->members, depth + 1);
}

static void dump_list(FILE *out, const dl_node_t *n, int depth)
{
	for (; n != NULL; n = n->next)
		dump_node(out, n, depth);
}

void dl_ast_dump(FILE *out, const dl_node_t *prog)
{
	dump_list(out, prog, 0);
}
