/*
 * btf.c - kernel types from the running kernel's BTF, lazily.
 *
 * /sys/kernel/btf/vmlinux is parsed only the first time a compilation asks
 * for a kernel type (one parse per compilation, released with the context),
 * so scripts that name no kernel type never pay for it.  The spine needs
 * struct member offsets (ppid reads curthread->real_parent->tgid), and
 * D's kernel types come from here one at a time, as a script names them:
 * a struct or union becomes a dl_type_t of kind TY_STRUCT/TY_UNION that
 * keeps its BTF id (members are looked up in BTF when used), integers
 * become D integer types of their size and signedness, pointers pointer
 * types, arrays array types, enums integers of their size (signed when
 * BTF's kind_flag says so); typedefs, const and volatile are
 * seen through.
 *
 * Modules' types.  A name scoped by a module, "struct loop`loop_device"
 * or "loop`some_t" (fbt spells a module's own types so), is looked up in
 * /sys/kernel/btf/<module>, split BTF on top of vmlinux's, loaded the
 * first time (at most BTF_MAXMODS modules per compilation).  A split
 * BTF's ids below vmlinux's count are vmlinux's types, which keep their
 * ids; a module's own struct keeps, as btf_id, -(its module's index << 24
 * | its id): negative, so that what reads btf_id as vmlinux's (print())
 * does not take it for one.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "dlang.h"

#define BTF_MAXDEPTH 32	/* typedef and qualifier chains */
#define BTF_MAXMODS 64	/* modules' BTF per compilation */
#define BTF_MODSHIFT 24	/* a module's index in a btf_id (above) */

struct dl_btfmods {
	size_t n;
	struct {
		const char *name;
		struct btf *btf;	/* split on cx->btf */
	} m[BTF_MAXMODS];
};

static struct btf *vmlinux(dl_ctx_t *cx, dl_loc_t loc)
{
	if (cx->btf == NULL) {
		cx->btf = cx->vmlinux_btf != NULL ?
			  cx->vmlinux_btf(cx->vmlinux_btf_arg) :
			  btf__load_vmlinux_btf();
		if (cx->btf == NULL)	/* libbpf's ESRCH: it found none */
			dl_error(cx, loc, D_UNSUPPORTED,
				 "kernel type information (BTF) is not "
				 "available: %s", errno == ESRCH ?
				 "/sys/kernel/btf/vmlinux is missing" :
				 strerror(errno));
	}
	return cx->btf;
}

uint32_t dl_btf_member_off(dl_ctx_t *cx, dl_loc_t loc, const char *sname,
			   const char *member)
{
	struct btf *btf = vmlinux(cx, loc);
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m = btf_members(t);
		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *name = btf__name_by_offset(btf, m->name_off);
			if (name != NULL && strcmp(name, member) == 0)
				return btf_member_bit_offset(t, i) / 8;
		}
	}
	dl_error(cx, loc, D_UNSUPPORTED,
		 "this kernel's BTF has no member %s in struct %s", member,
		 sname);
}

void dl_btf_release(dl_ctx_t *cx)
{
	for (size_t i = 0; cx->btfmods != NULL && i < cx->btfmods->n; i++)
		btf__free(cx->btfmods->m[i].btf);
	cx->btfmods = NULL;	/* in the arena */
	if (cx->vmlinux_btf == NULL)	/* its own */
		btf__free(cx->btf);
	cx->btf = NULL;
}

/* Module mod's BTF, loaded once: its index (1...), or a user error. */
static int module(dl_ctx_t *cx, dl_loc_t loc, const char *mod)
{
	struct btf *base = vmlinux(cx, loc), *btf;
	struct dl_btfmods *ms = cx->btfmods;

	if (ms == NULL)
		ms = cx->btfmods = dl_alloc(cx->arena, sizeof(*ms));
	for (size_t i = 0; i < ms->n; i++)
		if (strcmp(ms->m[i].name, mod) == 0)
			return (int)i + 1;
	if (ms->n == BTF_MAXMODS)
		dl_error(cx, loc, D_UNSUPPORTED, "too many kernel modules' "
			 "types (limit is %d)", BTF_MAXMODS);
	btf = btf__load_module_btf(mod, base);
	if (btf == NULL || libbpf_get_error(btf) != 0)
		dl_error(cx, loc, D_UNSUPPORTED, "kernel module %s has no type "
			 "information (BTF): /sys/kernel/btf/%s: %s", mod, mod,
			 strerror(errno));
	ms->m[ms->n].name = dl_strdup(cx->arena, mod);
	ms->m[ms->n].btf = btf;
	return (int)++ms->n;
}

/* A btf_id from type raw of module m's BTF (0: vmlinux's). */
static int32_t enc(dl_ctx_t *cx, int m, uint32_t raw)
{
	if (m == 0 || raw < btf__type_cnt(cx->btf))
		return (int32_t)raw;
	return -(int32_t)((uint32_t)m << BTF_MODSHIFT | raw);
}

/* The BTF a btf_id is in, its id there in *raw and its module in *m. */
static struct btf *dec(dl_ctx_t *cx, dl_loc_t loc, int32_t id, int *m,
		       uint32_t *raw)
{
	struct btf *btf = vmlinux(cx, loc);

	*m = 0;
	*raw = (uint32_t)id;
	if (id >= 0)
		return btf;
	*m = (int)((uint32_t)-id >> BTF_MODSHIFT);
	*raw = (uint32_t)-id & ((1u << BTF_MODSHIFT) - 1);
	return cx->btfmods->m[*m - 1].btf;
}

/* "mod`name": module mod's BTF (its index in *m) and name; else
   vmlinux's. */
static struct btf *scoped(dl_ctx_t *cx, dl_loc_t loc, const char **name,
			  int *m)
{
	const char *q = strrchr(*name, '`');
	char *mod;

	*m = 0;
	if (q == NULL)
		return vmlinux(cx, loc);
	mod = dl_strndup(cx->arena, *name, (size_t)(q - *name));
	*name = q + 1;
	if (*mod == '\0' || strcmp(mod, "vmlinux") == 0)
		return vmlinux(cx, loc);
	*m = module(cx, loc, mod);
	return cx->btfmods->m[*m - 1].btf;
}

static dl_type_t *new_type(dl_ctx_t *cx, dl_typekind_t kind, const char *name,
			   unsigned size)
{
	dl_type_t *t = dl_alloc(cx->arena, sizeof(*t));

	t->kind = kind;
	t->name = name;
	t->size = size;
	return t;
}

const dl_type_t *dl_type_ptr(dl_ctx_t *cx, const dl_type_t *base)
{
	for (size_t i = 0; i < cx->nptrs; i++)
		if (cx->ptrs[i]->base == base)
			return cx->ptrs[i];
	dl_type_t *t = new_type(cx, TY_PTR, dl_sprintf(cx->arena, "%s *",
						       base->name), 8);
	t->base = base;
	dl_vec_grow(cx->arena, (void **)&cx->ptrs, &cx->ptrcap, cx->nptrs + 1,
		    sizeof(*cx->ptrs));
	cx->ptrs[cx->nptrs++] = t;
	return t;
}

/* The D integer type of a BTF int of size bytes. */
static const dl_type_t *int_type(dl_ctx_t *cx, unsigned size, bool is_signed)
{
	const dl_types_t *T = &cx->types;

	switch (size) {
	case 1:
		return is_signed ? &T->t_char : &T->t_uchar;
	case 2:
		return is_signed ? &T->t_short : &T->t_ushort;
	case 4:
		return is_signed ? &T->t_int : &T->t_uint;
	default:
		return is_signed ? &T->t_long : &T->t_ulong;
	}
}

static const dl_type_t *btf_to_d(dl_ctx_t *cx, dl_loc_t loc, int32_t id,
				 int depth)
{
	int m;
	uint32_t raw;
	struct btf *btf = dec(cx, loc, id, &m, &raw);
	const struct btf_type *bt = btf__type_by_id(btf, raw);

	if (id == 0 || bt == NULL)
		return &cx->types.t_void;
	if (depth > BTF_MAXDEPTH)
		dl_error(cx, loc, D_UNSUPPORTED, "kernel type %d is nested "
			 "too deeply", id);
	switch (btf_kind(bt)) {
	case BTF_KIND_INT: {
		uint32_t enc = btf_int_encoding(bt);
		if (btf_int_bits(bt) == 8 && bt->size == 1 &&
		    !(enc & BTF_INT_SIGNED) && strcmp(btf__name_by_offset(btf,
						      bt->name_off), "_Bool") == 0)
			return &cx->types.t_bool;
		return int_type(cx, bt->size, (enc & BTF_INT_SIGNED) ||
				(enc & BTF_INT_CHAR));
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		/* kind_flag: the enum has negative values (as C's underlying
		   type, unsigned otherwise) */
		return int_type(cx, bt->size, btf_kflag(bt));
	case BTF_KIND_PTR:
		return dl_type_ptr(cx, btf_to_d(cx, loc, enc(cx, m, bt->type),
						depth + 1));
	case BTF_KIND_TYPEDEF: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return btf_to_d(cx, loc, enc(cx, m, bt->type), depth + 1);
	case BTF_KIND_ARRAY: {
		const struct btf_array *ar = btf_array(bt);
		const dl_type_t *el = btf_to_d(cx, loc, enc(cx, m, ar->type),
					       depth + 1);
		dl_type_t *t = new_type(cx, TY_ARRAY, dl_sprintf(cx->arena,
					"%s [%u]", el->name, ar->nelems),
					el->size * ar->nelems);
		t->base = el;
		t->nelems = ar->nelems;
		return t;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		bool u = btf_kind(bt) == BTF_KIND_UNION;
		const char *tag = btf__name_by_offset(btf, bt->name_off);
		dl_type_t *t = new_type(cx, u ? TY_UNION : TY_STRUCT,
					dl_sprintf(cx->arena, "%s %s",
						   u ? "union" : "struct",
						   tag && *tag ? tag : "<anon>"),
					bt->size);
		t->btf_id = id;
		return t;
	}
	default:	/* functions, floats: opaque */
		return &cx->types.t_void;
	}
}

const dl_type_t *dl_btf_type(dl_ctx_t *cx, dl_loc_t loc, int32_t id)
{
	return btf_to_d(cx, loc, id, 0);
}

const dl_type_t *dl_btf_struct(dl_ctx_t *cx, dl_loc_t loc, const char *tag,
			       bool is_union)
{
	const char *name = tag;
	int m;
	struct btf *btf = scoped(cx, loc, &name, &m);
	int id = btf__find_by_name_kind(btf, name, is_union ? BTF_KIND_UNION :
							       BTF_KIND_STRUCT);

	if (id <= 0)
		dl_error(cx, loc, D_TYPE_ERR, "operator cast: no such type: "
			 "%s %s", is_union ? "union" : "struct", tag);
	return dl_btf_type(cx, loc, enc(cx, m, (uint32_t)id));
}

/* Find name among the members of BTF struct/union id, looking into
   anonymous members; *bit accumulates its bit offset, *width is its
   bit-field width (0: not a bit-field).  Both of BTF's encodings of a
   bit-field: with the struct's kind_flag, the member has the width and
   the bit offset; without it, the member's type is an INT whose bits
   and offset say where in it the field is. */
static int32_t find_member(struct btf *btf, int32_t id, const char *name,
			   uint32_t *bit, unsigned *width, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t) && depth < BTF_MAXDEPTH; i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t at = btf_member_bit_offset(t, (uint32_t)i);
		if (mn != NULL && *mn != '\0') {
			if (strcmp(mn, name) != 0)
				continue;
			const struct btf_type *mt = btf__type_by_id(btf,
								    m->type);
			*bit += at;
			*width = btf_member_bitfield_size(t, (uint32_t)i);
			if (*width == 0 && mt != NULL && btf_is_int(mt) &&
			    (btf_int_offset(mt) != 0 ||
			     btf_int_bits(mt) != 8 * mt->size)) {
				*bit += btf_int_offset(mt);
				*width = btf_int_bits(mt);
			}
			return (int32_t)m->type;
		}
		/* an anonymous struct or union: look inside */
		int32_t in = (int32_t)m->type;
		const struct btf_type *it = btf__type_by_id(btf, (uint32_t)in);
		while (it != NULL && (btf_is_mod(it) || btf_is_typedef(it)))
			it = btf__type_by_id(btf, (uint32_t)(in = (int32_t)
							      it->type));
		if (it == NULL || !btf_is_composite(it))
			continue;
		uint32_t sub = *bit + at;
		int32_t r = find_member(btf, in, name, &sub, width, depth + 1);
		if (r != 0) {
			*bit = sub;
			return r;
		}
	}
	return 0;
}

const dl_type_t *dl_btf_member(dl_ctx_t *cx, dl_loc_t loc,
			       const dl_type_t *st, const char *name,
			       uint32_t *off)
{
	int m;
	uint32_t raw, bit = 0;
	unsigned width = 0;
	struct btf *btf = dec(cx, loc, st->btf_id, &m, &raw);
	int32_t id = find_member(btf, (int32_t)raw, name, &bit, &width, 0);

	*off = bit / 8;
	if (id == 0)
		return NULL;
	const dl_type_t *mt = dl_btf_type(cx, loc, enc(cx, m, (uint32_t)id));
	if (width == 0)
		return mt;
	if (!dl_type_is_int(mt) || (mt = dl_type_bitfield(cx->arena, mt, bit,
						width, off)) == NULL)
		dl_error(cx, loc, D_UNSUPPORTED, "bit-field member %s of %s: "
			 "%u bits at bit %u do not fit one 8-byte read", name,
			 st->name, width, bit);
	return mt;
}

const dl_type_t *dl_type_lookup(dl_ctx_t *cx, dl_loc_t loc, const char *name)
{
	size_t n = strlen(name);
	const dl_type_t *t = dl_type_by_name(&cx->types, name);

	if (t != NULL)
		return t;
	if (n > 2 && strcmp(name + n - 2, " *") == 0) {
		char *base = dl_strdup(cx->arena, name);
		base[n - 2] = '\0';
		t = dl_type_lookup(cx, loc, base);
		return t ? dl_type_ptr(cx, t) : NULL;
	}
	if (strncmp(name, "const ", 6) == 0)
		return dl_type_lookup(cx, loc, name + 6);
	if ((t = dl_dtype_lookup(cx, loc, name)) != NULL)
		return t;	/* declared in D (dtypes.c) */
	if (strncmp(name, "volatile ", 9) == 0)
		return dl_type_lookup(cx, loc, name + 9);
	if (strncmp(name, "struct ", 7) == 0)
		return dl_btf_struct(cx, loc, name + 7, false);
	if (strncmp(name, "union ", 6) == 0)
		return dl_btf_struct(cx, loc, name + 6, true);
	/* a kernel typedef (umode_t, loff_t, ...; "mod`name": a module's) */
	int m;
	struct btf *btf = scoped(cx, loc, &name, &m);
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	return id > 0 ? dl_btf_type(cx, loc, enc(cx, m, (uint32_t)id)) : NULL;
}

const dl_type_t *dl_btf_var(dl_ctx_t *cx, dl_loc_t loc, const char *name,
			    bool *percpu)
{
	struct btf *btf = vmlinux(cx, loc);
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);

	*percpu = false;
	if (id <= 0)
		return NULL;
	/* which section holds it: the per-CPU one has offsets */
	for (uint32_t i = 1; i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		if (!btf_is_datasec(t))
			continue;
		const struct btf_var_secinfo *v = btf_var_secinfos(t);
		for (int j = 0; j < btf_vlen(t); j++, v++)
			if (v->type == (uint32_t)id)
				*percpu = strcmp(btf__name_by_offset(btf,
						 t->name_off),
						 ".data..percpu") == 0;
	}
	return dl_btf_type(cx, loc, (int32_t)btf__type_by_id(btf,
							     (uint32_t)id)->type);
}

bool dl_btf_is_percpu(dl_ctx_t *cx, const char *name)
{
	bool percpu = false;

	if (cx->btf == NULL)	/* quietly: no BTF, no per-CPU variables */
		cx->btf = cx->vmlinux_btf != NULL ?
			  cx->vmlinux_btf(cx->vmlinux_btf_arg) :
			  btf__load_vmlinux_btf();
	if (cx->btf != NULL)
		dl_btf_var(cx, (dl_loc_t){ 0 }, name, &percpu);
	return percpu;
}
