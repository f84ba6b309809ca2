/*
 * probe.c - probe descriptions, glob matching and the probe table.
 *
 * Descriptions: "provider:module:function:name", split at the colons from
 * the right the way DTrace's dtrace_xstr2desc() does, so fewer fields fill
 * from the right ("name", "function:name", "module:function:name"), empty
 * fields match anything and a fifth field is an error.  A backslash-escaped
 * colon ("\:") does not split; it stays in the field, where dt_gmatch reads
 * it as a literal colon.  ($ macros are expanded earlier, by the lexer.)
 *
 * Matching: dt_gmatch is DTrace's (libgen gmatch plus "empty pattern
 * matches anything"): * ? [abc] [a-z] [!x] and backslash escapes; an
 * unterminated [ matches nothing.  Iterative, with one backtrack point per
 * star, so it is linear for the patterns people write.
 *
 * The table (on the handle): dtp->probes[] indexed by id, [0] unused, and a
 * hash on "prov:mod:func:name" to find a probe again in O(1) when a
 * provider populates lazily, or when a description names one probe exactly.
 * Ids: BEGIN 1, END 2, ERROR 3 are reserved for the dtrace provider,
 * whatever the order of insertion; every other probe gets the next id from 4
 * up in order of insertion.  Probes live until dt_probe_table_destroy().
 *
 * Iteration: dt_probe_iter asks every provider in dt_providers whose name
 * matches the description's provider field to populate (a pattern like
 * "pid123" also asks the provider named "pid"), then calls back for each
 * matching probe in id order (a provider with a wants hook is also asked
 * when that says so: the usdt provider serves "python1234", whatever the
 * name before the pid).  The provider-independent part is
 * dt_probe_iter_provs, which takes the provider list as an argument.
 * Before that, a provider with a resolve hook may rewrite an alias in (a
 * copy of) the description: the pid provider turns the module "a.out" into
 * the name of the process's executable, so its probes carry the real name.
 * Providers that make probes per process (pid1234) insert them with
 * dt_probe_insert_as, naming the provider.
 */
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"
#include "provider.h"

#define ERR_NOMEM "Memory allocation failure"
#define FIRST_FREE_ID 4		/* 1..3: BEGIN, END, ERROR */

/* ---- descriptions ------------------------------------------------------- */

static int pdesc_field(char *dst, size_t dstsz, const char *src, size_t len)
{
	if (len >= dstsz)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int dt_pdesc_parse(const char *s, dt_pdesc_t *pd)
{
	size_t cuts[5], ncuts = 0, len = strlen(s);
	struct { char *buf; size_t size; } fields[4] = {
		{ pd->name, sizeof(pd->name) }, { pd->func, sizeof(pd->func) },
		{ pd->mod, sizeof(pd->mod) }, { pd->prov, sizeof(pd->prov) },
	};

	memset(pd, 0, sizeof(*pd));
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++;
		else if (s[i] == ':' && ncuts++ < 4)
			cuts[ncuts - 1] = i;
	}
	if (ncuts > 3)
		return -1;
	/* field k from the right runs from the cut before it to its end */
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k == 0 ? len : cuts[ncuts - k];
		size_t start = k == ncuts ? 0 : cuts[ncuts - k - 1] + 1;

		if (pdesc_field(fields[k].buf, fields[k].size, s + start,
				end - start) < 0)
			return -1;
	}
	return 0;
}

/* ---- glob matching ------------------------------------------------------ */

/* A bracket expression at p (just past the '['): 1 if c is in it, 0 if not,
   -1 if it is unterminated.  *pp is left past the ']'. */
static int gmatch_class(const char **pp, unsigned char c)
{
	const char *p = *pp;
	bool neg = false, hit = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (bool first = true; first || *p != ']'; first = false) {
		unsigned char lo, hi;

		if (*p == '\0')
			return -1;
		if (*p == '\\' && p[1] != '\0')
			p++;
		lo = hi = (unsigned char)*p++;
		if (*p == '-' && p[1] != ']' && p[1] != '\0') {
			p++;
			if (*p == '\\' && p[1] != '\0')
				p++;
			hi = (unsigned char)*p++;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	*pp = p + 1;
	return hit != neg;
}

/* One pattern element at *pp against c: 1 match, 0 no, -1 bad pattern. */
static int gmatch_one(const char **pp, unsigned char c)
{
	const char *p = *pp;

	switch (*p) {
	case '?':
		*pp = p + 1;
		return 1;
	case '[':
		*pp = p + 1;
		return gmatch_class(pp, c);
	case '\\':
		if (p[1] != '\0')
			p++;
		/* fall through */
	default:
		*pp = p + 1;
		return (unsigned char)*p == c;
	}
}

static bool gmatch(const char *s, const char *p)
{
	const char *star_p = NULL, *star_s = NULL;

	for (;;) {
		const char *np = p;
		int m;

		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*s == '\0')
			return *p == '\0';
		m = *p == '\0' ? 0 : gmatch_one(&np, (unsigned char)*s);
		if (m < 0)
			return false;
		if (m > 0) {
			p = np;
			s++;
			continue;
		}
		if (star_p == NULL)
			return false;
		p = star_p;
		s = ++star_s;
	}
}

bool dt_gmatch(const char *s, const char *pattern)
{
	return pattern == NULL || *pattern == '\0' || gmatch(s, pattern);
}

/* A field that names exactly one string (no glob, no escape, not empty). */
static bool is_literal(const char *pattern)
{
	return *pattern != '\0' && strpbrk(pattern, "*?[\\") == NULL;
}

bool dt_probe_match(const dt_probe_t *prb, const dt_pdesc_t *pd)
{
	return dt_gmatch(prb->prov, pd->prov) && dt_gmatch(prb->mod, pd->mod) &&
	       dt_gmatch(prb->func, pd->func) && dt_gmatch(prb->name, pd->name);
}

/* ---- the hash on "prov:mod:func:name" ----------------------------------- */

struct dt_probehash {
	dt_probe_t **slots;	/* open addressing, linear probing */
	size_t cap;		/* a power of two */
	size_t count;
};

static uint64_t probe_hash(const char *prov, const char *mod,
			   const char *func, const char *name)
{
	const char *parts[4] = { prov, mod, func, name };
	uint64_t h = 14695981039346656037u;	/* FNV-1a */

	for (int i = 0; i < 4; i++) {
		for (const char *p = parts[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211u;
		h = (h ^ ':') * 1099511628211u;
	}
	return h;
}

static bool probe_is(const dt_probe_t *prb, const char *prov,
		     const char *mod, const char *func, const char *name)
{
	return strcmp(prb->name, name) == 0 && strcmp(prb->func, func) == 0 &&
	       strcmp(prb->mod, mod) == 0 && strcmp(prb->prov, prov) == 0;
}

static dt_probe_t *hash_find(const struct dt_probehash *ph, const char *prov,
			     const char *mod, const char *func,
			     const char *name)
{
	size_t i;

	if (ph == NULL)
		return NULL;
	i = probe_hash(prov, mod, func, name) & (ph->cap - 1);
	for (; ph->slots[i] != NULL; i = (i + 1) & (ph->cap - 1)) {
		if (probe_is(ph->slots[i], prov, mod, func, name))
			return ph->slots[i];
	}
	return NULL;
}

static void hash_put(struct dt_probehash *ph, dt_probe_t *prb)
{
	size_t i = probe_hash(prb->prov, prb->mod, prb->func, prb->name) &
		   (ph->cap - 1);

	while (ph->slots[i] != NULL)
		i = (i + 1) & (ph->cap - 1);
	ph->slots[i] = prb;
	ph->count++;
}

/* Make room for one more probe (load factor at most 1/2). */
static int hash_reserve(dtrace_hdl_t *dtp)
{
	struct dt_probehash *ph = dtp->probehash, bigger;

	if (ph == NULL) {
		if ((ph = calloc(1, sizeof(*ph))) == NULL)
			return -1;
		dtp->probehash = ph;
	}
	if ((ph->count + 1) * 2 <= ph->cap)
		return 0;
	bigger.cap = ph->cap == 0 ? 1024 : ph->cap * 2;
	bigger.count = 0;
	if ((bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))) == NULL)
		return -1;
	for (size_t i = 0; i < ph->cap; i++) {
		if (ph->slots[i] != NULL)
			hash_put(&bigger, ph->slots[i]);
	}
	free(ph->slots);
	*ph = bigger;
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

/* BEGIN, END and ERROR of the dtrace provider have fixed ids. */
static uint32_t reserved_id(const char *prov, const char *name)
{
	static const char *const names[] = { "BEGIN", "END", "ERROR" };

	if (strcmp(prov, "dtrace") != 0)
		return 0;
	for (uint32_t i = 0; i < 3; i++) {
		if (strcmp(name, names[i]) == 0)
			return i + 1;
	}
	return 0;
}

static int table_reserve(dtrace_hdl_t *dtp, uint32_t id)
{
	size_t cap = dtp->probecap;
	dt_probe_t **p;

	if (id < cap)
		return 0;
	while (cap <= id)
		cap = cap == 0 ? 256 : cap * 2;
	if ((p = realloc(dtp->probes, cap * sizeof(*p))) == NULL)
		return -1;
	memset(p + dtp->probecap, 0, (cap - dtp->probecap) * sizeof(*p));
	dtp->probes = p;
	dtp->probecap = cap;
	return 0;
}

/* One allocation holds the probe and its four strings. */
static dt_probe_t *probe_new(const char *prov, const char *mod,
			     const char *func, const char *name)
{
	size_t l[4] = { strlen(prov) + 1, strlen(mod) + 1, strlen(func) + 1,
			strlen(name) + 1 };
	dt_probe_t *prb = calloc(1, sizeof(*prb) + l[0] + l[1] + l[2] + l[3]);
	char *p;

	if (prb == NULL)
		return NULL;
	p = (char *)(prb + 1);
	prb->prov = memcpy(p, prov, l[0]);
	prb->mod = memcpy(p += l[0], mod, l[1]);
	prb->func = memcpy(p += l[1], func, l[2]);
	prb->name = memcpy(p += l[2], name, l[3]);
	prb->nargs = -1;
	return prb;
}

dt_probe_t *dt_probe_insert(dtrace_hdl_t *dtp, const dt_provops_t *ops,
			    const char *mod, const char *func,
			    const char *name, void *data)
{
	return dt_probe_insert_as(dtp, ops, ops->name, mod, func, name, data);
}

dt_probe_t *dt_probe_insert_as(dtrace_hdl_t *dtp, const dt_provops_t *ops,
			       const char *prov, const char *mod,
			       const char *func, const char *name, void *data)
{
	dt_probe_t *prb = hash_find(dtp->probehash, prov, mod, func, name);
	uint32_t id;

	if (prb != NULL)
		return prb;
	id = reserved_id(prov, name);
	if (id == 0)
		id = dtp->nprobes < FIRST_FREE_ID ? FIRST_FREE_ID :
						    (uint32_t)dtp->nprobes;
	if (hash_reserve(dtp) < 0 || table_reserve(dtp, id) < 0 ||
	    (prb = probe_new(prov, mod, func, name)) == NULL) {
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, ERR_NOMEM);
		return NULL;
	}
	prb->id = id;
	prb->ops = ops;
	prb->data = data;
	dtp->probes[id] = prb;
	if (dtp->nprobes <= id)
		dtp->nprobes = id + 1;
	hash_put(dtp->probehash, prb);
	return prb;
}

dt_probe_t *dt_probe_by_id(dtrace_hdl_t *dtp, uint32_t id)
{
	return id < dtp->nprobes ? dtp->probes[id] : NULL;
}

void dt_probe_table_destroy(dtrace_hdl_t *dtp)
{
	for (size_t i = 0; i < dtp->nprobes; i++)
		free(dtp->probes[i]);
	free(dtp->probes);
	dtp->probes = NULL;
	dtp->nprobes = dtp->probecap = 0;
	if (dtp->probehash != NULL)
		free(dtp->probehash->slots);
	free(dtp->probehash);
	dtp->probehash = NULL;
}

/* ---- iteration ---------------------------------------------------------- */

/* Is the provider named pname wanted by the pattern?  "pid123" wants the
   provider "pid" too: such providers make their probes per process. */
static bool provider_wanted(const char *pname, const char *pattern)
{
	size_t n = strlen(pname);

	if (dt_gmatch(pname, pattern))
		return true;
	return strncmp(pattern, pname, n) == 0 && pattern[n] >= '0' &&
	       pattern[n] <= '9';
}

/* ... or by the provider's own test (usdt: "python1234"). */
static bool ops_wanted(const dt_provops_t *ops, const char *pattern)
{
	return provider_wanted(ops->name, pattern) ||
	       (ops->wants != NULL && ops->wants(pattern));
}

static int populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
		    const dt_provops_t *const *provs)
{
	for (; provs != NULL && *provs != NULL; provs++) {
		const dt_provops_t *ops = *provs;

		if (ops->populate == NULL || !ops_wanted(ops, pd->prov))
			continue;
		if (ops->populate(dtp, pd) < 0)
			return -1;
	}
	return 0;
}

/* Let the wanted providers rewrite their aliases in *pd (pid: "a.out"). */
static int resolve(dtrace_hdl_t *dtp, dt_pdesc_t *pd,
		   const dt_provops_t *const *provs)
{
	for (; provs != NULL && *provs != NULL; provs++) {
		const dt_provops_t *ops = *provs;

		if (ops->resolve != NULL && ops_wanted(ops, pd->prov) &&
		    ops->resolve(dtp, pd) < 0)
			return -1;
	}
	return 0;
}

int dt_probe_iter_provs(dtrace_hdl_t *dtp, const dt_pdesc_t *desc,
			const dt_provops_t *const *provs,
			int (*cb)(dtrace_hdl_t *, dt_probe_t *, void *),
			void *arg)
{
	dt_pdesc_t want = *desc;
	const dt_pdesc_t *pd = &want;
	int n = 0, r;

	if (resolve(dtp, &want, provs) < 0 || populate(dtp, pd, provs) < 0)
		return -1;
	if (is_literal(pd->prov) && is_literal(pd->mod) &&
	    is_literal(pd->func) && is_literal(pd->name)) {
		dt_probe_t *prb = hash_find(dtp->probehash, pd->prov, pd->mod,
					    pd->func, pd->name);

		if (prb == NULL)
			return 0;
		return cb != NULL && cb(dtp, prb, arg) < 0 ? -1 : 1;
	}
	for (size_t id = 1; id < dtp->nprobes; id++) {
		dt_probe_t *prb = dtp->probes[id];

		if (prb == NULL || !dt_probe_match(prb, pd))
			continue;
		n++;
		if (cb != NULL && (r = cb(dtp, prb, arg)) != 0) {
			if (r < 0)
				return -1;
			break;
		}
	}
	return n;
}

bool dt_pdesc_preemptible(const dt_pdesc_t *pd)
{
	for (const dt_provops_t *const *p = dt_providers; *p != NULL; p++)
		if ((*p)->preemptible && ops_wanted(*p, pd->prov))
			return true;
	return false;
}

int dt_probe_iter(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
		  int (*cb)(dtrace_hdl_t *, dt_probe_t *, void *), void *arg)
{
	return dt_probe_iter_provs(dtp, pd, dt_providers, cb, arg);
}
