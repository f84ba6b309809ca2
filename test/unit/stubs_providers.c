/*
 * stubs_providers.c - weak stand-ins for the few library functions the
 * provider tests call that live in probe.c and handle.c.
 *
 * They let test_providers.c link against the provider files alone.  Each
 * is weak: when the real probe.o / handle.o are linked (as in the full
 * test binary), the real definitions win, object by object, and since the
 * stand-ins use the handle's fields the same way (dtp->probes indexed by
 * id with BEGIN/END/ERROR at 1..3, dtp->fds, dtp->errmsg), the tests pass
 * with either.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

#define WEAK __attribute__((weak))

WEAK int dt_set_error(dtrace_hdl_t *dtp, dtrace_errkind_t kind,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dtp->errmsg, sizeof(dtp->errmsg), fmt, ap);
	va_end(ap);
	dtp->errkind = kind;
	return -1;
}

WEAK void dt_keep_fd(dtrace_hdl_t *dtp, int fd)
{
	if (dtp->nfds == dtp->fdcap) {
		dtp->fdcap = dtp->fdcap ? dtp->fdcap * 2 : 64;
		dtp->fds = realloc(dtp->fds, dtp->fdcap * sizeof(int));
		if (dtp->fds == NULL)
			abort();
	}
	dtp->fds[dtp->nfds++] = fd;
}

WEAK bool dt_gmatch(const char *s, const char *pattern)
{
	return pattern == NULL || *pattern == '\0' ||
	       fnmatch(pattern, s, 0) == 0;
}

static uint32_t stub_reserved_id(const char *prov, const char *name)
{
	static const char *const names[] = { "BEGIN", "END", "ERROR" };

	for (uint32_t i = 0; strcmp(prov, "dtrace") == 0 && i < 3; i++)
		if (strcmp(name, names[i]) == 0)
			return i + 1;
	return 0;
}

static dt_probe_t *stub_find(dtrace_hdl_t *dtp, const char *prov,
			     const char *mod, const char *func,
			     const char *name)
{
	for (size_t i = 1; i < dtp->nprobes; i++) {
		dt_probe_t *p = dtp->probes[i];

		if (p != NULL && !strcmp(p->prov, prov) &&
		    !strcmp(p->mod, mod) && !strcmp(p->func, func) &&
		    !strcmp(p->name, name))
			return p;
	}
	return NULL;
}

WEAK dt_probe_t *dt_probe_insert(dtrace_hdl_t *dtp, const dt_provops_t *ops,
				 const char *mod, const char *func,
				 const char *name, void *data)
{
	dt_probe_t *prb = stub_find(dtp, ops->name, mod, func, name);
	uint32_t id;

	if (prb != NULL)
		return prb;
	id = stub_reserved_id(ops->name, name);
	if (id == 0)
		id = dtp->nprobes < 4 ? 4 : (uint32_t)dtp->nprobes;
	if (id >= dtp->probecap) {
		size_t cap = dtp->probecap ? dtp->probecap : 256;

		while (cap <= id)
			cap *= 2;
		dtp->probes = realloc(dtp->probes, cap * sizeof(*dtp->probes));
		memset(dtp->probes + dtp->probecap, 0,
		       (cap - dtp->probecap) * sizeof(*dtp->probes));
		dtp->probecap = cap;
	}
	prb = calloc(1, sizeof(*prb));
	*prb = (dt_probe_t){ .id = id, .prov = strdup(ops->name),
			     .mod = strdup(mod), .func = strdup(func),
			     .name = strdup(name), .ops = ops, .data = data,
			     .nargs = -1 };
	dtp->probes[id] = prb;
	if (dtp->nprobes <= id)
		dtp->nprobes = id + 1;
	return prb;
}

WEAK void dt_probe_table_destroy(dtrace_hdl_t *dtp)
{
	for (size_t i = 1; i < dtp->nprobes; i++) {
		dt_probe_t *p = dtp->probes[i];

		if (p == NULL)
			continue;
		free((char *)p->prov);
		free((char *)p->mod);
		free((char *)p->func);
		free((char *)p->name);
		free(p);
	}
	free(dtp->probes);
	dtp->probes = NULL;
	dtp->nprobes = dtp->probecap = 0;
}
