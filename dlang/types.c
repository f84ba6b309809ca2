/*
 * types.c - D's C type system, the part the spine needs: the integer types,
 * string, void and void *, D's standard typedefs, and C's conversion rules
 * (integer promotion and the usual arithmetic conversions) on them.
 *
 * D follows the LP64 C model: char 1, short 2, int 4, long and long long 8,
 * pointers 8.  Struct, union, enum, array and kernel types (from BTF) come
 * with the language-core work; dl_type_by_name() is the one place that maps
 * a C type name to a type.  A bit-field member has a type of its own
 * (dl_type_bitfield()): its declared type's, plus its width and where it
 * lies in the container lowering reads and writes.
 */
#include <string.h>

#include "dlang.h"

static void base(dl_type_t *t, dl_typekind_t kind, const char *name,
		 unsigned size, bool is_signed)
{
	t->kind = kind;
	t->name = name;
	t->size = size;
	t->is_signed = is_signed;
}

/* D's standard typedefs: name, the base type they name. */
static const struct {
	const char *name;
	unsigned size;
	bool is_signed;
} std_typedefs[] = {
	{ "int8_t", 1, true },    { "int16_t", 2, true },
	{ "int32_t", 4, true },   { "int64_t", 8, true },
	{ "uint8_t", 1, false },  { "uint16_t", 2, false },
	{ "uint32_t", 4, false }, { "uint64_t", 8, false },
	{ "intptr_t", 8, true },  { "uintptr_t", 8, false },
	{ "size_t", 8, false },   { "ssize_t", 8, true },
	{ "off_t", 8, true },     { "pid_t", 4, true },
	{ "uid_t", 4, false },    { "gid_t", 4, false },
	{ "id_t", 4, true },      { "time_t", 8, true },
	{ "uchar_t", 1, false },  { "ushort_t", 2, false },
	{ "uint_t", 4, false },   { "ulong_t", 8, false },
	{ "u_longlong_t", 8, false }, { "longlong_t", 8, true },
	{ "boolean_t", 4, true }, { "processorid_t", 4, true },
	{ "psetid_t", 4, true },  { "zoneid_t", 4, true },
	{ "dev_t", 8, false },    { "major_t", 4, false },
	{ "minor_t", 4, false },  { "ino_t", 8, false },
	{ "mode_t", 4, false },   { "nlink_t", 4, false },
	{ "blkcnt_t", 8, true },  { "clock_t", 8, true },
};

void dl_types_init(dl_types_t *t)
{
	memset(t, 0, sizeof(*t));
	base(&t->t_void, TY_VOID, "void", 0, false);
	base(&t->t_char, TY_INT, "char", 1, true);
	base(&t->t_schar, TY_INT, "signed char", 1, true);
	base(&t->t_uchar, TY_INT, "unsigned char", 1, false);
	base(&t->t_short, TY_INT, "short", 2, true);
	base(&t->t_ushort, TY_INT, "unsigned short", 2, false);
	base(&t->t_int, TY_INT, "int", 4, true);
	base(&t->t_uint, TY_INT, "unsigned int", 4, false);
	base(&t->t_long, TY_INT, "long", 8, true);
	base(&t->t_ulong, TY_INT, "unsigned long", 8, false);
	base(&t->t_llong, TY_INT, "long long", 8, true);
	base(&t->t_ullong, TY_INT, "unsigned long long", 8, false);
	base(&t->t_bool, TY_INT, "_Bool", 1, false);
	base(&t->t_string, TY_STRING, "string", 256, false);
	base(&t->t_voidp, TY_PTR, "void *", 8, false);
	t->t_voidp.base = &t->t_void;
	/* caddr_t is char *, the one standard typedef that is a pointer */
	dl_type_t *caddr = &t->typedefs[t->ntypedefs++];
	base(caddr, TY_PTR, "caddr_t", 8, false);
	caddr->base = &t->t_char;
	for (size_t i = 0; i < sizeof(std_typedefs) / sizeof(std_typedefs[0]);
	     i++) {
		dl_type_t *d = &t->typedefs[t->ntypedefs++];
		base(d, TY_INT, std_typedefs[i].name, std_typedefs[i].size,
		     std_typedefs[i].is_signed);
	}
}

/* Rank of an integer type for the usual arithmetic conversions. */
static int rank(const dl_type_t *t)
{
	return t->size == 8 ? 4 : t->size == 4 ? 3 : t->size == 2 ? 2 : 1;
}

const dl_type_t *dl_type_promote(const dl_types_t *t, const dl_type_t *a)
{
	if (a->kind == TY_ENUM)
		return &t->t_int;
	if (a->kind == TY_INT && a->size < 4)
		return &t->t_int;
	return a;
}

const dl_type_t *dl_type_arith(const dl_types_t *t, const dl_type_t *a,
			       const dl_type_t *b)
{
	a = dl_type_promote(t, a);
	b = dl_type_promote(t, b);
	if (a->kind == TY_PTR)
		return a;
	if (b->kind == TY_PTR)
		return b;
	if (a->is_signed == b->is_signed)
		return rank(a) >= rank(b) ? a : b;
	const dl_type_t *u = a->is_signed ? b : a, *s = a->is_signed ? a : b;
	if (rank(u) >= rank(s))
		return u;
	/* the signed type can represent every value of the unsigned one */
	return s;
}

static const struct {
	const char *name;
	size_t off;
} base_names[] = {
	{ "void", offsetof(dl_types_t, t_void) },
	{ "char", offsetof(dl_types_t, t_char) },
	{ "signed char", offsetof(dl_types_t, t_schar) },
	{ "unsigned char", offsetof(dl_types_t, t_uchar) },
	{ "short", offsetof(dl_types_t, t_short) },
	{ "unsigned short", offsetof(dl_types_t, t_ushort) },
	{ "int", offsetof(dl_types_t, t_int) },
	{ "unsigned int", offsetof(dl_types_t, t_uint) },
	{ "long", offsetof(dl_types_t, t_long) },
	{ "unsigned long", offsetof(dl_types_t, t_ulong) },
	{ "long long", offsetof(dl_types_t, t_llong) },
	{ "unsigned long long", offsetof(dl_types_t, t_ullong) },
	{ "_Bool", offsetof(dl_types_t, t_bool) },
	{ "string", offsetof(dl_types_t, t_string) },
};

const dl_type_t *dl_type_by_name(const dl_types_t *t, const char *name)
{
	for (size_t i = 0; i < sizeof(base_names) / sizeof(base_names[0]); i++)
		if (strcmp(base_names[i].name, name) == 0)
			return (const dl_type_t *)((const char *)t +
						   base_names[i].off);
	for (size_t i = 0; i < t->ntypedefs; i++)
		if (strcmp(t->typedefs[i].name, name) == 0)
			return &t->typedefs[i];
	return NULL;
}

const dl_type_t *dl_type_bitfield(dl_arena_t *a, const dl_type_t *decl,
				  uint32_t bitpos, unsigned width,
				  uint32_t *off)
{
	unsigned s = decl->size, n = 0;
	uint32_t at;

	if (s != 0 && bitpos % (8 * s) + width <= 8 * s) {
		n = s;
		at = bitpos / (8 * s) * s;
	} else {
		at = bitpos / 8;
		for (unsigned k = 1; k <= 8 && n == 0; k *= 2)
			if (bitpos % 8 + width <= 8 * k)
				n = k;
		if (n == 0)
			return NULL;
	}
	dl_type_t *t = dl_alloc(a, sizeof(*t));
	*t = *decl;
	t->kind = TY_INT;
	t->size = n;
	t->base = decl;
	t->bits = (uint8_t)width;
	t->bitoff = (uint8_t)(bitpos - 8 * at);
	*off = at;
	return t;
}
