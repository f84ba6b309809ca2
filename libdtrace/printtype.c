/*
 * printtype.c - print()'s typed dump of kernel memory, as Oracle Linux
 * DTrace lays it out.
 *
 * print(p) records the pointer and the bytes it points to; the consumer
 * prints them from the pointee's type: the address and " = *" on a line,
 * then the value, one line per member or element, indented by a fixed 44
 * columns plus one per nesting level:
 *
 *   0xffff8881... = *
 *                                               (struct k_sigaction) {
 *                                                .sa = (struct sigaction) {
 *                                                 .sa_flags = (long unsigned int)268435456,
 *                                                },
 *                                               }
 *
 * Every value is "(type)value"; members are ".name = " before it (an
 * unnamed member, an anonymous struct or union, has none), all but the
 * outermost end in ','.  Members that are zero (a struct or union whose
 * bytes are all zero included) and array elements that are zero are left
 * out; arrays themselves are always shown.  Chars print as 'c', enums as
 * their enumerator, pointers in hex.
 *
 * -x printsize cuts the dump: a member that starts at or beyond it is
 * not printed, "..." stands for it and everything after.  Closing lines
 * are written lazily (just before the next line at the same or a lower
 * depth), and "..." is written before the pending ones, which is where
 * DTrace puts it when the cut falls after a nested struct.
 *
 * Struct and union types come from the kernel's BTF (the pointee's BTF
 * id, kept by the compiler); a pointer to a plain D integer or pointer
 * prints from the D type.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "libdtrace.h"

#define PR_INDENT 44		/* columns before the outermost value */
#define PR_MAXDEPTH 32		/* nesting we print; deeper is "..." */

typedef struct pr {
	FILE *out;
	const struct btf *btf;
	const uint8_t *data;
	size_t n;		/* bytes of data */
	size_t limit;		/* members at or after this are cut */
	bool cut;		/* "..." written: print nothing more */
	int npend;		/* closing lines not written yet */
	struct { int depth; char ch; bool comma; } pend[PR_MAXDEPTH + 1];
} pr_t;

static void indent(pr_t *p, int depth)
{
	fprintf(p->out, "%*s", PR_INDENT + depth, "");
}

/* Write the pending closing lines deeper than or at depth. */
static void flush(pr_t *p, int depth)
{
	while (p->npend > 0 && p->pend[p->npend - 1].depth >= depth) {
		p->npend--;
		indent(p, p->pend[p->npend].depth);
		fprintf(p->out, "%c%s\n", p->pend[p->npend].ch,
			p->pend[p->npend].comma ? "," : "");
	}
}

static void push_close(pr_t *p, int depth, char ch, bool comma)
{
	p->pend[p->npend].depth = depth;
	p->pend[p->npend].ch = ch;
	p->pend[p->npend].comma = comma;
	p->npend++;
}

/* The type with typedefs and qualifiers seen through. */
static const struct btf_type *resolve(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	for (int i = 0; t != NULL && i < PR_MAXDEPTH; i++) {
		if (!btf_is_typedef(t) && !btf_is_mod(t) &&
		    !btf_is_type_tag(t))
			return t;
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* The C name of type id, as DTrace shows it in "(type)". */
static void type_name(const struct btf *btf, uint32_t id, char *buf,
		      size_t len, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	size_t l;

	if (id == 0 || t == NULL) {
		snprintf(buf, len, "void");
		return;
	}
	if (name == NULL)
		name = "";
	if (depth > PR_MAXDEPTH) {
		snprintf(buf, len, "?");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: case BTF_KIND_FWD: {
		const char *kw = btf_is_union(t) ||
			(btf_is_fwd(t) && btf_kflag(t)) ? "union" :
			btf_is_any_enum(t) ? "enum" : "struct";
		snprintf(buf, len, "%s%s%s", kw, *name ? " " : "", name);
		return;
	}
	case BTF_KIND_PTR:
		type_name(btf, t->type, buf, len, depth + 1);
		l = strlen(buf);
		snprintf(buf + l, len - l, " *");
		return;
	case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
		snprintf(buf, len, "%s ", btf_is_const(t) ? "const" :
			 btf_is_volatile(t) ? "volatile" : "restrict");
		l = strlen(buf);
		type_name(btf, t->type, buf + l, len - l, depth + 1);
		return;
	case BTF_KIND_TYPE_TAG:
		type_name(btf, t->type, buf, len, depth + 1);
		return;
	case BTF_KIND_ARRAY:
		type_name(btf, btf_array(t)->type, buf, len, depth + 1);
		l = strlen(buf);
		snprintf(buf + l, len - l, " [%u]", btf_array(t)->nelems);
		return;
	case BTF_KIND_FUNC_PROTO:
		snprintf(buf, len, "function");
		return;
	default:
		snprintf(buf, len, "%s", name);
	}
}

static bool all_zero(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			return false;
	return true;
}

static uint64_t load(const uint8_t *d, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, d, size < 8 ? size : 8);	/* little-endian host */
	return v;
}

static int64_t sext(uint64_t v, unsigned bits)
{
	if (bits == 0 || bits >= 64)
		return (int64_t)v;
	uint64_t m = 1ULL << (bits - 1);
	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

static void print_char(FILE *out, int c)
{
	switch (c) {
	case '\n': fputs("'\\n'", out); return;
	case '\t': fputs("'\\t'", out); return;
	case '\\': fputs("'\\\\'", out); return;
	case '\'': fputs("'\\''", out); return;
	}
	if (isprint(c))
		fprintf(out, "'%c'", c);
	else
		fprintf(out, "'\\%03o'", (unsigned)c & 0xff);
}

/* A scalar (t resolved) of size bytes at d; bitfields already shifted
   into v by the caller when bits != 0. */
static void print_scalar(pr_t *p, const struct btf_type *t, uint64_t v,
			 unsigned bits)
{
	const struct btf *btf = p->btf;

	if (btf_is_int(t)) {
		uint8_t enc = btf_int_encoding(t);
		if (bits == 0)
			bits = t->size * 8;
		if (enc & BTF_INT_CHAR || (t->size == 1 && strcmp(
		    btf__name_by_offset(btf, t->name_off), "char") == 0))
			print_char(p->out, (int)(int8_t)v);
		else if (enc & BTF_INT_SIGNED)
			fprintf(p->out, "%" PRId64, sext(v, bits));
		else
			fprintf(p->out, "%" PRIu64, bits < 64 ?
				v & (((uint64_t)1 << bits) - 1) : v);
	} else if (btf_is_enum(t) || btf_is_enum64(t)) {
		int64_t sv = sext(v, t->size * 8);
		for (int i = 0; i < btf_vlen(t); i++) {
			int64_t ev = btf_is_enum(t) ? btf_enum(t)[i].val :
				(int64_t)btf_enum64_value(btf_enum64(t) + i);
			uint32_t noff = btf_is_enum(t) ?
				btf_enum(t)[i].name_off :
				btf_enum64(t)[i].name_off;
			if (ev == sv || (uint64_t)ev == v) {
				fputs(btf__name_by_offset(btf, noff), p->out);
				return;
			}
		}
		fprintf(p->out, "%" PRId64, sv);
	} else if (btf_is_ptr(t)) {
		fprintf(p->out, "0x%" PRIx64, v);
	} else if (btf_kind(t) == BTF_KIND_FLOAT && t->size == 4) {
		float f;
		uint32_t u = (uint32_t)v;
		memcpy(&f, &u, 4);
		fprintf(p->out, "%g", (double)f);
	} else if (btf_kind(t) == BTF_KIND_FLOAT && t->size == 8) {
		double f;
		memcpy(&f, &v, 8);
		fprintf(p->out, "%g", f);
	} else {
		fprintf(p->out, "0x%" PRIx64, v);
	}
}

static void print_value(pr_t *p, uint32_t id, size_t off, unsigned bitoff,
			unsigned bits, int depth, const char *name,
			bool comma);

static void cut(pr_t *p, int depth)
{
	indent(p, depth);
	fputs("...\n", p->out);
	p->cut = true;
}

static void print_members(pr_t *p, const struct btf_type *t, size_t off,
			  int depth)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t) && !p->cut; i++, m++) {
		uint32_t mid = m->type;
		const struct btf_type *mt = resolve(p->btf, &mid);
		size_t boff = btf_member_bit_offset(t, (uint32_t)i);
		unsigned bits = btf_member_bitfield_size(t, (uint32_t)i);
		size_t moff = off + boff / 8;
		const char *name = btf__name_by_offset(p->btf, m->name_off);

		if (mt == NULL)
			continue;
		if (moff >= p->limit) {
			cut(p, depth);
			return;
		}
		if (bits == 0 && !btf_is_array(mt)) {
			size_t sz = btf_is_ptr(mt) ? 8 : mt->size;
			if (moff + sz > p->n || all_zero(p->data + moff, sz))
				continue;
		}
		print_value(p, m->type, moff, (unsigned)(boff % 8), bits,
			    depth, name, true);
	}
}

static void print_value(pr_t *p, uint32_t id, size_t off, unsigned bitoff,
			unsigned bits, int depth, const char *name, bool comma)
{
	uint32_t rid = id;
	const struct btf_type *t = resolve(p->btf, &rid);
	char tn[256];

	flush(p, depth);
	if (t == NULL || depth > PR_MAXDEPTH) {
		cut(p, depth);
		return;
	}
	type_name(p->btf, id, tn, sizeof(tn), 0);
	indent(p, depth);
	if (name != NULL && *name)
		fprintf(p->out, ".%s = ", name);
	fprintf(p->out, "(%s)", tn);
	if (btf_is_struct(t) || btf_is_union(t)) {
		fputs(" {\n", p->out);
		push_close(p, depth, '}', comma);
		print_members(p, t, off, depth + 1);
		return;
	}
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		uint32_t eid = a->type;
		const struct btf_type *et = resolve(p->btf, &eid);
		size_t esz = et == NULL ? 0 : btf_is_ptr(et) ? 8 : et->size;

		fputs(" [\n", p->out);
		push_close(p, depth, ']', comma);
		for (uint32_t i = 0; i < a->nelems && esz > 0 && !p->cut;
		     i++) {
			size_t eoff = off + i * esz;
			if (eoff + esz > p->n || all_zero(p->data + eoff, esz))
				continue;
			print_value(p, a->type, eoff, 0, 0, depth + 1, NULL,
				    true);
		}
		if (!p->cut)	/* an array's "]" is not held back */
			flush(p, depth);
		return;
	}
	uint64_t v;
	if (bits != 0) {
		size_t nb = (bitoff + bits + 7) / 8;
		v = load(p->data + off, off + nb <= p->n ? nb : 0) >> bitoff;
	} else {
		size_t sz = btf_is_ptr(t) ? 8 : t->size;
		v = off + sz <= p->n ? load(p->data + off, sz) : 0;
	}
	print_scalar(p, t, v, bits);
	fprintf(p->out, "%s\n", comma ? "," : "");
}

int dt_print_btf(FILE *out, const struct btf *btf, uint32_t id,
		 uint64_t addr, const void *data, size_t n, size_t printsize)
{
	pr_t p = { .out = out, .btf = btf, .data = data, .n = n,
		   .limit = printsize < n ? printsize : n };

	fprintf(out, "0x%" PRIx64 " = *\n", addr);
	print_value(&p, id, 0, 0, 0, 0, NULL, false);
	flush(&p, 0);
	return ferror(out) ? -1 : 0;
}

/*
 * D's own types: structs, unions and enums a script declares, arrays, and
 * the integers and pointers of D, in the same layout.  A member whose
 * type is the kernel's (a BTF id) is printed from BTF.
 */
static const char *d_name(const dl_type_t *t)
{
	if (strcmp(t->name, "struct <anon>") == 0)
		return "struct";
	if (strcmp(t->name, "union <anon>") == 0)
		return "union";
	return t->name;
}

static size_t d_size(const dl_type_t *t)
{
	return t->kind == TY_PTR ? 8 : t->size;
}

static void print_dscalar(pr_t *p, const dl_type_t *t, uint64_t v)
{
	if (t->kind == TY_PTR) {
		fprintf(p->out, "0x%" PRIx64, v);
	} else if (t->kind == TY_ENUM) {
		int64_t sv = sext(v, t->size * 8);
		for (size_t i = 0; i < t->nenums; i++)
			if (t->enums[i].val == sv) {
				fputs(t->enums[i].name, p->out);
				return;
			}
		fprintf(p->out, "%" PRId64, sv);
	} else if (t->size == 1 && strcmp(t->name, "char") == 0) {
		print_char(p->out, (int)(int8_t)v);
	} else if (t->is_signed) {
		fprintf(p->out, "%" PRId64, sext(v, t->size * 8));
	} else {
		fprintf(p->out, "%" PRIu64, v);
	}
}

static void print_dvalue(pr_t *p, const dl_type_t *t, size_t off, int depth,
			 const char *name, bool comma)
{
	if (dl_type_is_sou(t) && t->btf_id > 0 && p->btf != NULL) {
		print_value(p, (uint32_t)t->btf_id, off, 0, 0, depth, name,
			    comma);
		return;
	}
	flush(p, depth);
	if (depth > PR_MAXDEPTH) {
		cut(p, depth);
		return;
	}
	indent(p, depth);
	if (name != NULL && *name)
		fprintf(p->out, ".%s = ", name);
	fprintf(p->out, "(%s)", d_name(t));
	if (dl_type_is_sou(t) && t->sou != NULL) {
		fputs(" {\n", p->out);
		push_close(p, depth, '}', comma);
		for (size_t i = 0; i < t->sou->n && !p->cut; i++) {
			const dl_member_t *m = &t->sou->m[i];
			size_t moff = off + m->off, sz = d_size(m->type);
			if (moff >= p->limit) {
				cut(p, depth + 1);
				return;
			}
			if (m->type->kind != TY_ARRAY &&
			    (moff + sz > p->n || all_zero(p->data + moff, sz)))
				continue;
			print_dvalue(p, m->type, moff, depth + 1, m->name,
				     true);
		}
		return;
	}
	if (t->kind == TY_ARRAY && t->base != NULL) {
		size_t esz = d_size(t->base);
		fputs(" [\n", p->out);
		push_close(p, depth, ']', comma);
		for (unsigned i = 0; i < t->nelems && esz > 0 && !p->cut;
		     i++) {
			size_t eoff = off + i * esz;
			if (eoff + esz > p->n || all_zero(p->data + eoff, esz))
				continue;
			print_dvalue(p, t->base, eoff, depth + 1, NULL, true);
		}
		if (!p->cut)
			flush(p, depth);
		return;
	}
	if (t->kind == TY_STRING) {
		size_t len = off < p->n ? strnlen((const char *)p->data + off,
						  p->n - off) : 0;
		fprintf(p->out, "\"%.*s\"%s\n", (int)len,
			(const char *)p->data + off, comma ? "," : "");
		return;
	}
	size_t sz = d_size(t);
	print_dscalar(p, t, off + sz <= p->n ? load(p->data + off, sz) : 0);
	fprintf(p->out, "%s\n", comma ? "," : "");
}

/* print()'s value of type t in data[0..n), after "0xADDR = *" when it was
   given by a pointer. */
static int print_typed(dtrace_hdl_t *dtp, FILE *out, const dl_type_t *t,
		       const uint64_t *addr, const void *data, size_t n)
{
	size_t printsize = (size_t)dt_opt(dtp, DT_OPT_printsize);
	pr_t p = { .out = out, .data = data, .n = n,
		   .limit = printsize < n ? printsize : n };

	if (t->btf_id > 0 || dl_type_is_sou(t) || t->kind == TY_ARRAY)
		p.btf = dt_vmlinux_btf(dtp);
	if (t->btf_id > 0 && p.btf == NULL)
		return dt_print_memdump(out, data, n);
	if (addr != NULL)
		fprintf(out, "0x%" PRIx64 " = *\n", *addr);
	if (t->btf_id > 0)
		print_value(&p, (uint32_t)t->btf_id, 0, 0, 0, 0, NULL, false);
	else
		print_dvalue(&p, t, 0, 0, NULL, false);
	flush(&p, 0);
	return ferror(out) ? -1 : 0;
}

int dt_print_typed(dtrace_hdl_t *dtp, FILE *out, const dl_type_t *t,
		   uint64_t addr, const void *data, size_t n)
{
	return print_typed(dtp, out, t, &addr, data, n);
}

int dt_print_value(dtrace_hdl_t *dtp, FILE *out, const dl_type_t *t,
		   const void *data, size_t n)
{
	return print_typed(dtp, out, t, NULL, data, n);
}
