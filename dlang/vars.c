/*
 * vars.c - the tables of D variables: globals and clause-locals.
 *
 * A table maps a name to a type (kept by name, so a table may outlive the
 * context whose types it was built with) and, for globals, to a byte
 * offset in the value of DL_MAP_GLOBALS.  The tables only grow: a variable
 * keeps its offset for as long as the table lives, so code compiled
 * against a shorter table stays right when later programs add variables.
 * An integer global is 8 bytes, 8-aligned, holding the value in the
 * canonical form lowering gives its type (sign- or zero-extended to 64
 * bits); a string global is -x strsize bytes, NUL-terminated.
 *
 * Associative arrays (dl_assoc_t) are kept in a table of their own, by
 * name and by whether they are self-> arrays.
 *
 * The globals table is the library handle's (one per dtrace run, shared
 * by every program); the this-> table is one compilation's, and its
 * indexes name stack slots (lower.c).  Storage comes from tab->arena.
 */
#include <string.h>

#include "dlang.h"

dl_dvar_t *dl_dvar_find(dl_vars_t *tab, const char *name)
{
	for (size_t i = 0; i < tab->n; i++)
		if (strcmp(tab->vars[i].name, name) == 0)
			return &tab->vars[i];
	return NULL;
}

dl_dvar_t *dl_dvar_add(dl_vars_t *tab, const char *name, const dl_type_t *t,
		       uint32_t size)
{
	dl_vec_grow(tab->arena, (void **)&tab->vars, &tab->cap, tab->n + 1,
		    sizeof(*tab->vars));
	dl_dvar_t *v = &tab->vars[tab->n];
	v->name = dl_strdup(tab->arena, name);
	v->tname = t->name;
	v->size = size;
	v->blob = t->kind == TY_STRING || dl_type_is_sou(t);
	v->off = tab->size;
	tab->size += (size + 7) & ~7u;
	tab->n++;
	return v;
}

dl_assoc_t *dl_assoc_find(dl_assocs_t *tab, const char *name, bool self)
{
	for (size_t i = 0; i < tab->n; i++)
		if (tab->v[i]->self == self && strcmp(tab->v[i]->name, name) == 0)
			return tab->v[i];
	return NULL;
}

dl_assoc_t *dl_assoc_add(dl_assocs_t *tab, const char *name, bool self)
{
	dl_assoc_t *a = dl_alloc(tab->arena, sizeof(*a));

	dl_vec_grow(tab->arena, (void **)&tab->v, &tab->cap, tab->n + 1,
		    sizeof(*tab->v));
	a->name = dl_strdup(tab->arena, name);
	a->id = (uint32_t)tab->n;
	a->self = self;
	tab->v[tab->n++] = a;
	return a;
}
