/*
 * ksyms.c - kernel addresses to names, from /proc/kallsyms.
 *
 * The table is read once, the first time the consumer prints a kernel
 * address (stack(), sym(), mod(), func(), caller as a key ...), never at
 * start-up: a one-liner that prints no kernel stack never pays for it.
 * Only text symbols are kept (types t, T, w, W): what a pc can be in.
 * Each line is "ADDRESS TYPE NAME" with "\t[MODULE]" after the symbols of
 * a loadable module; the core kernel's module is "vmlinux", DTrace's name
 * for it.  Addresses read as 0 when kptr_restrict hides them (not root):
 * such lines are dropped, and every address then prints as hex.
 *
 * A lookup is a binary search for the last symbol at or below the address
 * (of aliases at one address, the first kallsyms lists); kallsyms gives no
 * sizes, so the symbol is taken to run up to the next one.  Names live in one string buffer; entries hold offsets into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

typedef struct dt_ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
	uint32_t mod;		/* index in mods */
	uint32_t seq;		/* line number: aliases keep kallsyms' order */
} dt_ksym_t;

struct dt_ksyms {
	dt_ksym_t *v;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
	struct { uint32_t name; uint64_t base; } *mods;	/* interned, with
				   their lowest address; [0] vmlinux */
	size_t nmods, modcap;
	size_t lastmod;		/* the module found last */
};

static uint32_t add_name(dt_ksyms_t *ks, const char *s, size_t len)
{
	if (ks->nlen + len + 1 > ks->ncap) {
		size_t c = ks->ncap ? ks->ncap * 2 : 1 << 16;
		while (c < ks->nlen + len + 1)
			c *= 2;
		char *p = realloc(ks->names, c);
		if (p == NULL)
			abort();
		ks->names = p;
		ks->ncap = c;
	}
	uint32_t off = (uint32_t)ks->nlen;
	memcpy(ks->names + off, s, len);
	ks->names[off + len] = '\0';
	ks->nlen += len + 1;
	return off;
}

/* The module's index, interned (a few hundred at most; a module's lines
   come together, so the last one found is tried first). */
static uint32_t mod_index(dt_ksyms_t *ks, const char *m, size_t len)
{
	size_t l = ks->lastmod;

	if (l < ks->nmods &&
	    strncmp(ks->names + ks->mods[l].name, m, len) == 0 &&
	    ks->names[ks->mods[l].name + len] == '\0')
		return (uint32_t)l;
	for (size_t i = 0; i < ks->nmods; i++)
		if (strlen(ks->names + ks->mods[i].name) == len &&
		    memcmp(ks->names + ks->mods[i].name, m, len) == 0)
			return (uint32_t)(ks->lastmod = i);
	if (ks->nmods == ks->modcap) {
		ks->modcap = ks->modcap ? ks->modcap * 2 : 64;
		ks->mods = realloc(ks->mods, ks->modcap * sizeof(*ks->mods));
		if (ks->mods == NULL)
			abort();
	}
	uint32_t name = add_name(ks, m, len);	/* may move names */
	ks->mods[ks->nmods].name = name;
	ks->mods[ks->nmods].base = UINT64_MAX;
	ks->lastmod = ks->nmods;
	return (uint32_t)ks->nmods++;
}

/* One line of kallsyms; lines that are not text symbols are skipped. */
static void parse_line(dt_ksyms_t *ks, char *line)
{
	char *end, *name, *mod = NULL;
	uint64_t addr = strtoull(line, &end, 16);
	size_t nlen, mlen = 0;

	if (end == line || *end != ' ' || addr == 0)
		return;
	char type = end[1];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return;
	name = end + 3;
	nlen = strcspn(name, "\t\n");
	if (name[nlen] == '\t' && name[nlen + 1] == '[') {
		mod = name + nlen + 2;
		mlen = strcspn(mod, "]\n");
	}
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 1 << 14;
		ks->v = realloc(ks->v, ks->cap * sizeof(*ks->v));
		if (ks->v == NULL)
			abort();
	}
	dt_ksym_t *k = &ks->v[ks->n++];
	k->addr = addr;
	k->seq = (uint32_t)ks->n;
	k->mod = mod != NULL ? mod_index(ks, mod, mlen) : 0;
	if (addr < ks->mods[k->mod].base)
		ks->mods[k->mod].base = addr;
	k->name = add_name(ks, name, nlen);
}

static int ksym_cmp(const void *a, const void *b)
{
	const dt_ksym_t *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

dt_ksyms_t *dt_ksyms_read(FILE *fp)
{
	dt_ksyms_t *ks = calloc(1, sizeof(*ks));
	char *line = NULL;
	size_t cap = 0;

	if (ks == NULL)
		abort();
	mod_index(ks, "vmlinux", 7);
	if (fp != NULL)		/* fewer, larger reads of the kernel's text */
		setvbuf(fp, NULL, _IOFBF, 1 << 20);
	while (fp != NULL && getline(&line, &cap, fp) > 0)
		parse_line(ks, line);
	free(line);
	if (ks->n > 0)
		qsort(ks->v, ks->n, sizeof(*ks->v), ksym_cmp);
	return ks;
}

void dt_ksyms_free(dt_ksyms_t *ks)
{
	if (ks == NULL)
		return;
	free(ks->v);
	free(ks->names);
	free(ks->mods);
	free(ks);
}

bool dt_ksyms_lookup(const dt_ksyms_t *ks, uint64_t addr, dt_symres_t *r)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) {	/* the first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;
		if (ks->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	/* of aliases (__do_sys_getppid, __x64_sys_getppid, ...), the
	   first kallsyms lists */
	while (lo > 1 && ks->v[lo - 2].addr == ks->v[lo - 1].addr)
		lo--;
	const dt_ksym_t *k = &ks->v[lo - 1];
	r->mod = ks->names + ks->mods[k->mod].name;
	r->base = ks->mods[k->mod].base;
	r->name = ks->names + k->name;
	r->off = addr - k->addr;
	return true;
}

const dt_ksyms_t *dt_ksyms(dtrace_hdl_t *dtp)
{
	if (dtp->ksyms == NULL) {
		FILE *fp = fopen("/proc/kallsyms", "re");
		dtp->ksyms = dt_ksyms_read(fp);
		if (fp != NULL)
			fclose(fp);
	}
	return dtp->ksyms;
}
