/*
 * list.c - dtrace -l: the probes a description or a program matches, in
 * the layout of Oracle's Linux DTrace ("%5s %10s %17s %33s %s" under an
 * ID PROVIDER MODULE FUNCTION NAME heading).  Listing a description enumerates only the
 * providers and probes it can match, like everything else here.
 */
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

typedef struct list {
	FILE *out;
	bool *header;
} list_t;

static void list_header(list_t *l)
{
	if (!*l->header)
		fprintf(l->out, "%5s %10s %17s %33s %s\n", "ID", "PROVIDER",
			"MODULE", "FUNCTION", "NAME");
	*l->header = true;
}

static int list_one(dtrace_hdl_t *dtp, dt_probe_t *p, void *arg)
{
	list_t *l = arg;

	list_header(l);
	fprintf(l->out, "%5u %10s %17s %33s %s\n", p->id, p->prov, p->mod,
		p->func, p->name);
	return 0;
}

int dtrace_list(dtrace_hdl_t *dtp, const char *desc, dtrace_spec_t spec,
		bool verbose, FILE *out, bool *printed_header)
{
	list_t l = { out, printed_header };
	dt_pdesc_t pd = { "", "", "", "" };
	char *full = NULL;

	if (dt_features_probe(dtp) < 0)
		return -1;
	if (desc != NULL) {
		full = dt_spec_text(dtp, desc, spec);
		if (full == NULL)
			return -1;
		full[strcspn(full, " \t\n/{")] = '\0';
		if (dt_pdesc_parse(full, &pd) < 0) {
			dt_set_error(dtp, DTRACE_ERR_USAGE,
				     "invalid probe description \"%s\"", full);
			free(full);
			return -1;
		}
	}
	list_header(&l);
	int n = dt_probe_iter(dtp, &pd, list_one, &l);
	free(full);
	if (n == 0)
		return dt_set_error(dtp, DTRACE_ERR_MATCH,
				    "No probe matches description");
	return n < 0 ? -1 : 0;
}

static int cmp_id(const void *a, const void *b)
{
	const dt_probe_t *x = *(dt_probe_t *const *)a,
			 *y = *(dt_probe_t *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int dtrace_program_list(dtrace_hdl_t *dtp, dtrace_prog_t *pgp, bool verbose,
			FILE *out, bool *printed_header)
{
	list_t l = { out, printed_header };
	size_t n = 0;

	for (size_t i = 0; i < pgp->nprogs; i++)
		n += pgp->progs[i].nprobes;
	dt_probe_t **all = calloc(n + 1, sizeof(*all));
	n = 0;
	for (size_t i = 0; i < pgp->nprogs; i++)
		for (size_t j = 0; j < pgp->progs[i].nprobes; j++)
			all[n++] = pgp->progs[i].probes[j];
	qsort(all, n, sizeof(*all), cmp_id);
	list_header(&l);
	for (size_t i = 0; i < n; i++)
		list_one(dtp, all[i], &l);
	free(all);
	return 0;
}
