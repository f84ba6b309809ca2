/*
 * test_dtypes.c - D's own types (dtypes.c) and translators (xlate.c):
 * layouts, enumerator values, type lookups, translated members' types,
 * and the errors with their tags and places.  No kernel types: the
 * translators here translate from D types and integers.
 */
#include <bpf/btf.h>
#include <string.h>

#include "tsm.h"

/* Declarations then clauses of src in one context (lazy: the D
   library's way); *rc 0 or -1. */
static dl_ctx_t *dt_prog(const char *src, bool lazy, int *rc)
{
	dl_ctx_t *cx = dl_ctx_create(&tsm_macros);
	dl_node_t *ast = NULL;

	*rc = dl_compile_parse(cx, src, NULL, &ast);
	cx->lazy_decls = lazy;
	for (dl_node_t *d = ast; *rc == 0 && d != NULL; d = d->next) {
		if (d->kind != ND_CLAUSE) {
			*rc = dl_compile_decl(cx, d);
			continue;
		}
		dl_clause_t *c = dl_alloc(cx->arena, sizeof(*c));
		c->node = d;
		cx->lazy_decls = false;
		*rc = dl_compile_clause(cx, c, 256);
	}
	return cx;
}

static const dl_type_t *lookup(dl_ctx_t *cx, const char *name)
{
	return dl_type_lookup(cx, (dl_loc_t){ 0 }, name);
}

Test(dtypes, layout)
{
	int rc;
	dl_ctx_t *cx = dt_prog(
		"struct p { char c; int i; long l; char s[5]; short h; };\n"
		"union u { char b[3]; int i; };\n"
		"struct n { struct n *next; union u u; struct p p[2]; };\n"
		"typedef struct p p_t; typedef unsigned char byte_t;\n",
		false, &rc);
	uint32_t off;

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	const dl_type_t *p = lookup(cx, "struct p");
	cr_assert_not_null(p);
	cr_expect_eq(p->size, 24);
	cr_expect_eq(dl_type_member(cx, (dl_loc_t){ 0 }, p, "l", &off)->size,
		     8);
	cr_expect_eq(off, 8);
	cr_expect_eq(dl_type_member(cx, (dl_loc_t){ 0 }, p, "h", &off)->size,
		     2);
	cr_expect_eq(off, 22);
	cr_expect_eq(lookup(cx, "union u")->size, 4);
	const dl_type_t *n = lookup(cx, "struct n");
	cr_expect_eq(n->size, 64);
	cr_expect_eq(dl_type_member(cx, (dl_loc_t){ 0 }, n, "next", &off)->base,
		     n);
	cr_expect(lookup(cx, "p_t") == p);
	cr_expect_str_eq(lookup(cx, "byte_t")->name, "byte_t");
	cr_expect_eq(lookup(cx, "byte_t")->size, 1);
	cr_expect_eq(lookup(cx, "p_t *")->base, p);
	cr_expect_null(dl_type_member(cx, (dl_loc_t){ 0 }, p, "zz", &off));
	dl_ctx_destroy(cx);
}

/* member m of st: the container's offset and size, the field's bit
   offset in it and width */
static void bf_expect(dl_ctx_t *cx, const dl_type_t *st, const char *m,
		      uint32_t off, unsigned size, unsigned bitoff,
		      unsigned bits)
{
	uint32_t o;
	const dl_type_t *t = dl_type_member(cx, (dl_loc_t){ 0 }, st, m, &o);

	cr_assert_not_null(t, "%s", m);
	cr_expect_eq(o, off, "%s: offset %u", m, o);
	cr_expect_eq(t->size, size, "%s: size %u", m, t->size);
	cr_expect_eq(t->bitoff, bitoff, "%s: bitoff %u", m, t->bitoff);
	cr_expect_eq(t->bits, bits, "%s: bits %u", m, t->bits);
}

/* gcc's x86_64 layout (test/triggers/bitfields.c checks the same live) */
Test(dtypes, bitfields)
{
	int rc;
	dl_ctx_t *cx = dt_prog(
		"struct s1 { int a:3; unsigned b:5; char c; int d:7;\n"
		"  unsigned long e:40; short f:9; };\n"
		"struct s2 { unsigned a:30; unsigned b:5; signed char c:4; };\n"
		"struct s3 { char c; long x:3; };\n"
		"union u5 { unsigned a:4; int b:12; char c; };\n", false, &rc);

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	const dl_type_t *s1 = lookup(cx, "struct s1");
	cr_expect_eq(s1->size, 16);
	bf_expect(cx, s1, "a", 0, 4, 0, 3);
	bf_expect(cx, s1, "b", 0, 4, 3, 5);
	bf_expect(cx, s1, "c", 1, 1, 0, 0);
	bf_expect(cx, s1, "d", 0, 4, 16, 7);
	bf_expect(cx, s1, "e", 0, 8, 23, 40);
	bf_expect(cx, s1, "f", 8, 2, 0, 9);
	uint32_t o;
	const dl_type_t *a = dl_type_member(cx, (dl_loc_t){ 0 }, s1, "a", &o);
	cr_expect(a->is_signed);
	cr_expect_str_eq(a->base->name, "int");
	cr_expect_not(dl_type_member(cx, (dl_loc_t){ 0 }, s1, "b",
				     &o)->is_signed);
	const dl_type_t *s2 = lookup(cx, "struct s2");
	cr_expect_eq(s2->size, 8);
	bf_expect(cx, s2, "b", 4, 4, 0, 5);	/* would cross: next unit */
	bf_expect(cx, s2, "c", 5, 1, 0, 4);
	const dl_type_t *s3 = lookup(cx, "struct s3");
	cr_expect_eq(s3->size, 8);		/* long's alignment */
	bf_expect(cx, s3, "x", 0, 8, 8, 3);
	const dl_type_t *u5 = lookup(cx, "union u5");
	cr_expect_eq(u5->size, 4);
	bf_expect(cx, u5, "b", 0, 4, 0, 12);
	dl_ctx_destroy(cx);
}

/* BTF's two encodings of bit-fields: the member's bitfield_size (the
   struct's kind_flag set), or an INT type of fewer bits at an offset. */
static void *bf_btf(void *arg)
{
	return arg;
}

Test(btf, bitfields)
{
	struct btf *b = btf__new_empty();
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int old = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int kf = btf__add_struct(b, "kf", 8);
	btf__add_field(b, "x", u32, 0, 0);
	btf__add_field(b, "a", u32, 35, 3);
	btf__add_field(b, "b", s32, 38, 10);
	int ok = btf__add_struct(b, "ok", 8);
	btf__add_field(b, "y", u32, 0, 0);
	btf__add_field(b, "c", old, 32, 0);
	cr_assert(u32 > 0 && s32 > 0 && old > 0 && kf > 0 && ok > 0);
	/* make `old` an int of 6 bits at offset 2 (libbpf cannot say so) */
	uint32_t sz;
	const void *raw = btf__raw_data(b, &sz);
	void *copy = malloc(sz);
	memcpy(copy, raw, sz);
	const struct btf_header *h = copy;
	uint32_t *types = (uint32_t *)((char *)copy + h->hdr_len +
				       h->type_off);
	uint32_t *enc = types + 2 * 4 + 3;	/* the third INT's word */
	cr_assert_eq(*enc, (uint32_t)BTF_INT_SIGNED << 24 | 32);
	*enc = (uint32_t)BTF_INT_SIGNED << 24 | 2 << 16 | 6;
	struct btf *b2 = btf__new(copy, sz);
	cr_assert_not_null(b2);

	dl_ctx_t *cx = dl_ctx_create(&tsm_macros);
	cx->vmlinux_btf = bf_btf;
	cx->vmlinux_btf_arg = b2;
	const dl_type_t *k = dl_btf_struct(cx, (dl_loc_t){ 0 }, "kf", false);
	bf_expect(cx, k, "x", 0, 4, 0, 0);
	bf_expect(cx, k, "a", 4, 4, 3, 3);
	bf_expect(cx, k, "b", 4, 4, 6, 10);
	uint32_t o;
	cr_expect(dl_type_member(cx, (dl_loc_t){ 0 }, k, "b", &o)->is_signed);
	const dl_type_t *t = dl_btf_struct(cx, (dl_loc_t){ 0 }, "ok", false);
	bf_expect(cx, t, "c", 4, 4, 2, 6);
	dl_ctx_destroy(cx);
	btf__free(b2);
	btf__free(b);
	free(copy);
}

Test(dtypes, enums_and_constants)
{
	int rc;
	dl_ctx_t *cx = dt_prog("enum e { A, B = 7, C, D = B * 2 + sizeof (int) };"
			       "\nBEGIN { trace(C + D); }", false, &rc);
	int64_t v;
	const dl_type_t *t;

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	cr_expect(dl_dtype_enumerator(cx, (dl_loc_t){ 0 }, "A", &v, &t));
	cr_expect_eq(v, 0);
	cr_expect(dl_dtype_enumerator(cx, (dl_loc_t){ 0 }, "C", &v, &t));
	cr_expect_eq(v, 8);
	cr_expect(dl_dtype_enumerator(cx, (dl_loc_t){ 0 }, "D", &v, &t));
	cr_expect_eq(v, 18);
	cr_expect_str_eq(t->name, "enum e");
	cr_expect_eq(t->kind, TY_ENUM);
	cr_expect_not(dl_dtype_enumerator(cx, (dl_loc_t){ 0 }, "E", &v, &t));
	dl_ctx_destroy(cx);
}

/* The library's declarations are not resolved until used: a type that
   names an unknown type is no error until then. */
Test(dtypes, lazy)
{
	int rc;
	dl_ctx_t *cx = dt_prog("struct bad { struct no_such_d_struct x; };\n"
			       "struct ok { int a; };\n"
			       "translator struct ok < struct bad *B > "
			       "{ a = 1; };\n", true, &rc);

	cr_expect_eq(rc, 0, "%s", cx->err.msg);
	cr_expect_eq(lookup(cx, "struct ok")->size, 4);
	dl_ctx_destroy(cx);
}

Test(xlate, members)
{
	int rc;
	dl_ctx_t *cx = dt_prog(
		"struct in { int v; char name[8]; };\n"
		"struct out { long twice; char n[8]; short s; };\n"
		"translator struct out < struct in *I > "
		"{ twice = I->v * 2; n = I->name; s = I->v; };\n"
		"translator struct out < int X > { twice = X + X; };\n"
		"inline struct out *o = xlate <struct out *> ((struct in *)arg0);\n"
		"BEGIN { trace(o->twice); trace(o->n); trace(o->s);\n"
		"trace(xlate <struct out> (arg1 + 1).twice); }", false, &rc);

	cr_assert_eq(rc, 0, "%s", cx->err.msg);
	dl_ctx_destroy(cx);
	/* and it compiles to BPF */
	cr_expect_gt(tsm_codegen(
		"BEGIN { trace(1); }", NULL), 0);
}

static void dt_error(const char *src, dl_tag_t tag, int line, int col,
		     const char *msg)
{
	int rc;
	dl_ctx_t *cx = dt_prog(src, false, &rc);

	cr_expect_eq(rc, -1, "%s: compiled", src);
	cr_expect_eq(cx->err.tag, tag, "%s: tag %s (%s)", src,
		     dl_tag_name(cx->err.tag), cx->err.msg);
	cr_expect_eq(cx->err.loc.line, line, "%s: line %d", src,
		     cx->err.loc.line);
	cr_expect_eq(cx->err.loc.col, col, "%s: col %d", src, cx->err.loc.col);
	if (msg != NULL)
		cr_expect_str_eq(cx->err.msg, msg, "%s", src);
	dl_ctx_destroy(cx);
}

Test(dtypes, errors)
{
	dt_error("struct s { int a; };\nstruct s { int b; };", D_DECL_TYPERED,
		 2, 1, "type redeclared: struct s");
	dt_error("struct s { int a; int a; };", D_DECL_IDRED, 1, 23,
		 "identifier redeclared: a");
	dt_error("struct s { void v; };", D_DECL_VOIDOBJ, 1, 17,
		 "cannot have void member: v");
	dt_error("struct s { int a[0]; };", D_DECL_ARRSUB, 1, 18, NULL);
	dt_error("struct s { int a:33; };", D_DECL_BFSIZE, 1, 16,
		 "bit-field too big for type: a");
	dt_error("struct s { string s:3; };", D_DECL_BFTYPE, 1, 19,
		 "invalid type for bit-field: s");
	dt_error("struct s { int a:-1; };", D_DECL_BFCONST, 1, 18,
		 "positive integral constant expression expected as "
		 "bit-field size");
	dt_error("struct s { int a:3; };\n"
		 "BEGIN { trace(offsetof(struct s, a)); }",
		 D_OFFSETOF_BITFIELD, 2, 15,
		 "cannot take offset of a bit-field: a");
	dt_error("struct s { int a:3; };\nstruct s *p;\n"
		 "BEGIN { trace(&p->a); }", D_ADDROF_BITFIELD, 3, 15,
		 "cannot take address of bit-field");
	dt_error("enum e { A = 1 << 40 };", D_DECL_ENOFLOW, 1, 10, NULL);
	dt_error("typedef int x_t;\ntypedef long x_t;", D_DECL_IDRED, 2, 1,
		 "identifier redeclared: x_t");
	dt_error("BEGIN { trace(sizeof (struct nosuch_d_struct_t *)); }",
		 D_TYPE_ERR, 1, 15, NULL);
}

Test(xlate, errors)
{
	dt_error("struct out { int a; };\n"
		 "translator struct out < int X > { a = X; };\n"
		 "translator struct out < int Y > { a = Y; };",
		 D_XLATE_REDECL, 3, 1, "translator from int to struct out "
		 "has already been declared");
	dt_error("translator int < int X > { a = X; };", D_XLATE_SOU, 1, 1,
		 "translator output type must be a struct or union");
	dt_error("struct out { int a; };\n"
		 "translator struct out < int X > { b = X; };", D_XLATE_MEMB,
		 2, 35, "translator member b is not a member of struct out");
	dt_error("struct out { int a; };\n"
		 "translator struct out < int X > { a = \"s\"; };",
		 D_XLATE_INCOMPAT, 2, 35, "translator member a definition uses "
		 "incompatible types: \"int\" = \"string\"");
	dt_error("struct out { int a; int b; };\n"
		 "translator struct out < int X > { a = X; };\n"
		 "BEGIN { trace(xlate <struct out *> (1)->b); }",
		 D_XLATE_NOCONV, 3, 15, "translator does not define conversion "
		 "for member: b");
	dt_error("struct out { int a; };\n"
		 "BEGIN { trace(xlate <struct out *> (1)->a); }",
		 D_XLATE_NONE, 2, 15, "cannot translate from \"int\" to "
		 "\"struct out\"");
}
