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
	v->off = tab->size;
	tab->size += (size + 7) & ~7u;
	tab->n++;
	return v;
}
