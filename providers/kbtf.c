/*
 * kbtf.c - the kernel's BTF as the providers need it: the prototypes of
 * raw tracepoints (rawtp) and of kernel functions (fbt), and their
 * parameter types spelled as D type names (for typed args[] and -lv).
 *
 * vmlinux's BTF is the handle's (dt_vmlinux_btf: loaded once for the
 * compiler, the providers and print(), the first time one asks: a script
 * that needs none never pays the ~20 ms it costs), indexed here the first
 * time a provider asks; the index is freed by dtrace_close.  libbpf finds a type by name with a linear scan
 * of its ~150,000 types; listing every raw tracepoint would make that
 * quadratic, so the names asked for here (functions, btf_trace_<event>
 * typedefs) are indexed once, sorted, and found by bsearch.
 *
 * Modules.  A module's BTF (/sys/kernel/btf/<module>) is split BTF on top
 * of vmlinux's: its ids go on after vmlinux's, and its types refer to
 * vmlinux's by their ids.  dt_kbtf_mod loads it (once per handle, kept in
 * a list on vmlinux's dt_kbtf_t) into a dt_kbtf_t of its own, whose index
 * holds the module's functions; everything below works on either.  A type
 * the module itself defines is spelled with the module's scope, "struct
 * loop`loop_device", so that the compiler looks it up in that module's
 * BTF (dlang/btf.c); vmlinux's types keep their plain names.
 *
 * Type names.  A parameter's type is spelled the way dl_type_lookup reads
 * it back: typedefs by their name (u64, pid_t, loff_t: the compiler looks
 * them up in BTF), integers by D's names for their size and signedness
 * ("long unsigned int" is D's "unsigned long"), "struct x" and "union x",
 * pointers with " *" appended, "const " kept in front of what it
 * qualifies (a const pointer is just the pointer).  What D cannot name
 * (an anonymous struct, a function pointer, an enum) is spelled for -lv
 * ("void (*)()", "enum x") and read by the compiler as its 64 bits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "provider.h"

#define TRACE_PREFIX "btf_trace_"

typedef struct kbtf_ent {
	const char *name;	/* FUNC name, or event after "btf_trace_" */
	uint32_t id;		/* its FUNC_PROTO */
	uint32_t self;		/* the FUNC or typedef itself */
} kbtf_ent_t;

struct dt_kbtf {
	struct btf *btf;	/* NULL: the kernel has none (err says why) */
	int err;
	kbtf_ent_t *funcs, *traces;
	size_t nfuncs, ntraces;
	const char *mod;	/* a module's: its name, else NULL */
	uint32_t first;		/* a module's: its first own id */
	dt_kbtf_t *next;	/* vmlinux's: the modules loaded, a list */
};

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const kbtf_ent_t *)a)->name,
		      ((const kbtf_ent_t *)b)->name);
}

/* The FUNC_PROTO behind id (a FUNC, or a typedef of a pointer to one),
   0 if it is not that. */
static uint32_t proto_of(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int depth = 0; t != NULL && depth < 4; depth++) {
		if (btf_is_func_proto(t))
			return id;
		if (!btf_is_func(t) && !btf_is_typedef(t) && !btf_is_ptr(t))
			return 0;
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return 0;
}

static int kbtf_index(dt_kbtf_t *kb)
{
	uint32_t n = btf__type_cnt(kb->btf);
	size_t plen = strlen(TRACE_PREFIX);

	kb->funcs = calloc(n - kb->first + 1, sizeof(kbtf_ent_t));
	kb->traces = calloc(n - kb->first + 1, sizeof(kbtf_ent_t));
	if (kb->funcs == NULL || kb->traces == NULL)
		return -1;
	for (uint32_t id = kb->first; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(kb->btf, id);
		const char *name = btf__name_by_offset(kb->btf, t->name_off);
		uint32_t proto;

		if (name == NULL || (!btf_is_func(t) && !btf_is_typedef(t)))
			continue;
		if ((proto = proto_of(kb->btf, id)) == 0)
			continue;
		if (btf_is_func(t))
			kb->funcs[kb->nfuncs++] = (kbtf_ent_t){ name, proto,
								id };
		else if (strncmp(name, TRACE_PREFIX, plen) == 0)
			kb->traces[kb->ntraces++] =
				(kbtf_ent_t){ name + plen, proto, id };
	}
	qsort(kb->funcs, kb->nfuncs, sizeof(kbtf_ent_t), ent_cmp);
	qsort(kb->traces, kb->ntraces, sizeof(kbtf_ent_t), ent_cmp);
	return 0;
}

dt_kbtf_t *dt_kbtf(dtrace_hdl_t *dtp)
{
	dt_kbtf_t *kb = dtp->kbtf;

	if (kb != NULL)
		return kb->btf != NULL ? kb : NULL;
	if ((kb = calloc(1, sizeof(*kb))) == NULL)
		return NULL;
	dtp->kbtf = kb;
	kb->first = 1;
	if ((kb->btf = dt_vmlinux_btf(dtp)) == NULL) {
		kb->err = errno;
		return NULL;
	}
	if (kbtf_index(kb) < 0) {
		kb->btf = NULL;
		kb->err = ENOMEM;
		return NULL;
	}
	return kb;
}

const char *dt_kbtf_why(dtrace_hdl_t *dtp)
{
	dt_kbtf_t *kb = dtp->kbtf;

	if (kb != NULL && kb->err == ESRCH)
		return "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
	return strerror(kb != NULL && kb->err != 0 ? kb->err : ENOENT);
}

dt_kbtf_t *dt_kbtf_mod(dtrace_hdl_t *dtp, const char *mod)
{
	dt_kbtf_t *vm = dt_kbtf(dtp), *kb;
	struct btf *btf;

	if (vm == NULL)
		return NULL;
	for (kb = vm->next; kb != NULL; kb = kb->next)
		if (strcmp(kb->mod, mod) == 0)
			return kb->btf != NULL ? kb : NULL;
	if ((kb = calloc(1, sizeof(*kb))) == NULL ||
	    (kb->mod = strdup(mod)) == NULL) {
		free(kb);
		return NULL;
	}
	kb->next = vm->next;
	vm->next = kb;
	btf = btf__load_module_btf(mod, vm->btf);
	if (btf == NULL || libbpf_get_error(btf) != 0)
		return NULL;	/* remembered as none */
	kb->btf = btf;
	kb->first = btf__type_cnt(vm->btf);
	if (kbtf_index(kb) < 0) {
		btf__free(kb->btf);
		kb->btf = NULL;
		return NULL;
	}
	return kb;
}

static void kbtf_free_one(dt_kbtf_t *kb)
{
	free(kb->funcs);
	free(kb->traces);
	free(kb);
}

void dt_kbtf_free(dtrace_hdl_t *dtp)
{
	dt_kbtf_t *kb = dtp->kbtf, *m, *next;

	if (kb == NULL)
		return;
	for (m = kb->next; m != NULL; m = next) {
		next = m->next;
		btf__free(m->btf);	/* a module's own (vmlinux's is the
					   handle's) */
		free((char *)m->mod);
		kbtf_free_one(m);
	}
	kbtf_free_one(kb);
	dtp->kbtf = NULL;
}

static const kbtf_ent_t *kbtf_find(const kbtf_ent_t *v, size_t n,
				   const char *name)
{
	kbtf_ent_t key = { name, 0, 0 };

	return n == 0 ? NULL : bsearch(&key, v, n, sizeof(*v), ent_cmp);
}

/* Static functions of different files may share a name: if their
   prototypes differ, which one a probe sees is unknown, so none. */
uint32_t dt_kbtf_func(const dt_kbtf_t *kb, const char *func, uint32_t *id)
{
	const kbtf_ent_t *e = kbtf_find(kb->funcs, kb->nfuncs, func);
	const kbtf_ent_t *lo = e, *hi = e, *end = kb->funcs + kb->nfuncs;

	while (lo != NULL && lo > kb->funcs && strcmp(lo[-1].name, func) == 0)
		lo--;
	while (hi != NULL && hi + 1 < end && strcmp(hi[1].name, func) == 0)
		hi++;
	for (; lo != NULL && lo <= hi; lo++)
		if (lo->id != e->id) {
			e = NULL;
			break;
		}
	if (id != NULL)
		*id = e != NULL ? e->self : 0;
	return e != NULL ? e->id : 0;
}

uint32_t dt_kbtf_rawtp(const dt_kbtf_t *kb, const char *event)
{
	const kbtf_ent_t *e = kbtf_find(kb->traces, kb->ntraces, event);

	return e != NULL ? e->id : 0;
}

/* Through typedefs and qualifiers. */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int depth = 0; t != NULL && depth < 16 && (btf_is_mod(t) ||
	     btf_is_typedef(t) || btf_is_type_tag(t)); depth++)
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* A word-sized or smaller scalar or pointer (void: ret only). */
static bool is_word(const struct btf *btf, uint32_t id, bool ret)
{
	const struct btf_type *t = id == 0 ? NULL : skip_mods(btf, id);

	if (t == NULL)
		return ret && id == 0;
	return btf_is_ptr(t) || btf_is_enum(t) || btf_is_enum64(t) ||
	       (btf_is_int(t) && t->size <= 8);
}

bool dt_kbtf_words(const dt_kbtf_t *kb, uint32_t proto, int max)
{
	const struct btf_type *t = btf__type_by_id(kb->btf, proto);
	const struct btf_param *p = btf_params(t);
	int n = btf_vlen(t);

	if (n > max || !is_word(kb->btf, t->type, true))
		return false;
	for (int i = 0; i < n; i++)
		if (!is_word(kb->btf, p[i].type, false))
			return false;	/* also a variadic "..." (type 0) */
	return true;
}

bool dt_kbtf_void(const dt_kbtf_t *kb, uint32_t proto)
{
	return btf__type_by_id(kb->btf, proto)->type == 0;
}

int dt_kbtf_nparams(const dt_kbtf_t *kb, uint32_t proto)
{
	return btf_vlen(btf__type_by_id(kb->btf, proto));
}

/* ---- type names ----------------------------------------------------------- */

static const char *int_name(const struct btf_type *t, const char *name)
{
	static const char *const names[2][4] = {
		{ "unsigned char", "unsigned short", "unsigned int",
		  "unsigned long" },
		{ "char", "short", "int", "long" },
	};
	uint32_t enc = btf_int_encoding(t);
	int sz = t->size == 1 ? 0 : t->size == 2 ? 1 : t->size == 4 ? 2 : 3;

	if (strcmp(name, "_Bool") == 0 || strcmp(name, "char") == 0)
		return name;
	return names[(enc & BTF_INT_SIGNED) != 0][sz];
}

static void type_name(const dt_kbtf_t *kb, uint32_t id, char *buf,
		      size_t size, int depth)
{
	const struct btf *btf = kb->btf;
	const struct btf_type *t = btf__type_by_id(btf, id);
	/* a type of the module's own: its scope (see the essay) */
	const char *scope = kb->mod != NULL && id >= kb->first ? kb->mod :
			    NULL;
	const char *name = t == NULL ? NULL :
			   btf__name_by_offset(btf, t->name_off);
	bool named = name != NULL && *name != '\0';
	size_t n;

	if (id == 0 || t == NULL || depth > 16) {
		snprintf(buf, size, "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		snprintf(buf, size, "%s", int_name(t, name));
		break;
	case BTF_KIND_TYPEDEF:
		snprintf(buf, size, "%s%s%s", scope ? scope : "",
			 scope ? "`" : "", name);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		if (named)
			snprintf(buf, size, "%s %s%s%s", btf_is_union(t) ?
				 "union" : "struct", scope ? scope : "",
				 scope ? "`" : "", name);
		else
			snprintf(buf, size, "void");
		break;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		snprintf(buf, size, named ? "enum %s" : "int", name);
		break;
	case BTF_KIND_PTR:
		if (btf_is_func_proto(btf__type_by_id(btf, t->type))) {
			snprintf(buf, size, "void (*)()");
			break;
		}
		type_name(kb, t->type, buf, size, depth + 1);
		n = strlen(buf);
		snprintf(buf + n, size - n, " *");
		break;
	case BTF_KIND_CONST:
		if (btf_is_ptr(btf__type_by_id(btf, t->type))) {
			type_name(kb, t->type, buf, size, depth + 1);
			break;
		}
		snprintf(buf, size, "const ");
		type_name(kb, t->type, buf + 6, size - 6, depth + 1);
		break;
	case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		type_name(kb, t->type, buf, size, depth + 1);
		break;
	default:
		snprintf(buf, size, "void");
		break;
	}
}

int dt_kbtf_params(const dt_kbtf_t *kb, uint32_t proto, int skip,
		   char types[][DT_TYPE_NAME_MAX], int max)
{
	const struct btf_type *t = btf__type_by_id(kb->btf, proto);
	const struct btf_param *p = btf_params(t);
	int n = 0;

	for (int i = skip; i < btf_vlen(t) && n < max; i++, n++)
		type_name(kb, p[i].type, types[n], DT_TYPE_NAME_MAX, 0);
	return n;
}

void dt_kbtf_return(const dt_kbtf_t *kb, uint32_t proto, char *buf,
		    size_t size)
{
	type_name(kb, btf__type_by_id(kb->btf, proto)->type, buf, size, 0);
}
