/*
 * list.c - dtrace -l: the probes a description or a program matches, in
 * the layout of Oracle's Linux DTrace ("%5s %10s %17s %33s %s" under an
 * ID PROVIDER MODULE FUNCTION NAME heading).  Listing a description enumerates only the
 * providers and probes it can match, like everything else here.
 *
 * With -v each probe line is followed by its stability report, as DTrace
 * prints it: the probe description's attributes, the arguments' attributes
 * (each as identifier names / data semantics / dependency class) and the
 * arguments' D types, "None" when the provider gives none.  A listed probe
 * is named in full, so its description attributes are those of the
 * provider, lowered to the module's, function's and name's for each of
 * them that is not empty (dtrace:::BEGIN has no module or function, which
 * then say nothing), as in DTrace.
 */
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"

typedef struct list {
	FILE *out;
	bool *header;
	bool verbose;		/* -v: the stability report too */
} list_t;

/* Names of the stability levels and dependency classes, by value. */
static const char *const list_stab_names[] = {
	[DT_STAB_INTERNAL] = "Internal", [DT_STAB_PRIVATE] = "Private",
	[DT_STAB_OBSOLETE] = "Obsolete", [DT_STAB_EXTERNAL] = "External",
	[DT_STAB_UNSTABLE] = "Unstable", [DT_STAB_EVOLVING] = "Evolving",
	[DT_STAB_STABLE] = "Stable", [DT_STAB_STANDARD] = "Standard",
};

static const char *const list_class_names[] = {
	[DT_CLASS_UNKNOWN] = "Unknown", [DT_CLASS_CPU] = "CPU",
	[DT_CLASS_PLATFORM] = "Platform", [DT_CLASS_GROUP] = "Group",
	[DT_CLASS_ISA] = "ISA", [DT_CLASS_COMMON] = "Common",
};

/* For a provider that declares none. */
static const dt_attr_t list_private = {
	DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN
};
static const dt_provattr_t list_default_attr = {
	list_private, list_private, list_private, list_private, list_private
};

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static dt_attr_t attr_min(dt_attr_t a, dt_attr_t b)
{
	dt_attr_t m = { MIN(a.name, b.name), MIN(a.data, b.data),
			MIN(a.class, b.class) };

	return m;
}

static void list_attr(FILE *out, const char *title, dt_attr_t a)
{
	fprintf(out, "\n\t%s\n", title);
	fprintf(out, "\t\tIdentifier Names: %s\n", list_stab_names[a.name]);
	fprintf(out, "\t\tData Semantics:   %s\n", list_stab_names[a.data]);
	fprintf(out, "\t\tDependency Class: %s\n", list_class_names[a.class]);
}

/* The -v report of one probe.  Returns 0 or -1 (error set). */
static int list_verbose(dtrace_hdl_t *dtp, const dt_probe_t *p, FILE *out)
{
	const dt_provattr_t *pa = p->ops->attr ? p->ops->attr :
			       &list_default_attr;
	char types[DT_MAX_ARGS][DT_TYPE_NAME_MAX];
	dt_attr_t desc = pa->prov;
	int n = 0;

	if (p->mod[0] != '\0')
		desc = attr_min(desc, pa->mod);
	if (p->func[0] != '\0')
		desc = attr_min(desc, pa->func);
	if (p->name[0] != '\0')
		desc = attr_min(desc, pa->name);
	if (p->ops->argtypes != NULL &&
	    (n = p->ops->argtypes(dtp, p, types, DT_MAX_ARGS)) < 0)
		return -1;
	list_attr(out, "Probe Description Attributes", desc);
	list_attr(out, "Argument Attributes", pa->args);
	fprintf(out, "\n\tArgument Types\n");
	for (int i = 0; i < n; i++) {
		/* a translated argument "xlate<psinfo_t *>(struct task_struct
		   *)" is shown as what scripts see, psinfo_t * */
		const char *t = types[i], *gt = strstr(t, ">(");
		int len = strncmp(t, "xlate<", 6) == 0 && gt != NULL ?
			  (int)(gt - t - 6) : (int)strlen(t);

		if (len != (int)strlen(t))
			t += 6;
		fprintf(out, "\t\targs[%d]: %.*s\n", i, len, t);
	}
	if (n == 0)
		fprintf(out, "\t\tNone\n");
	fprintf(out, "\n");
	return 0;
}

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
	return l->verbose ? list_verbose(dtp, p, l->out) : 0;
}

/* A description with $ macros ("pid$target::f:entry") expanded the way a
   program's are, by the D lexer: full is replaced by a malloc'd copy.
   0, or -1 with the error set. */
static int list_expand(dtrace_hdl_t *dtp, char **full)
{
	dl_ctx_t *cx;
	dl_node_t *ast = NULL;
	char *text = NULL;
	int rc = 0;

	if (strchr(*full, '$') == NULL)
		return 0;
	cx = dl_ctx_create(&dtp->macros);
	if (asprintf(&text, "%s {}", *full) < 0 || cx == NULL)
		rc = dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				  "Memory allocation failure");
	else if (dl_compile_parse(cx, text, NULL, &ast) < 0)
		rc = dt_set_error(dtp, DTRACE_ERR_COMPILE, "%s", cx->err.msg);
	else if (ast != NULL && ast->kind == ND_CLAUSE && ast->args != NULL) {
		free(*full);
		*full = strdup(ast->args->name);
	}
	free(text);
	if (cx != NULL)
		dl_ctx_destroy(cx);
	return rc;
}

int dtrace_list(dtrace_hdl_t *dtp, const char *desc, dtrace_spec_t spec,
		bool verbose, FILE *out, bool *printed_header)
{
	list_t l = { out, printed_header, verbose };
	dt_pdesc_t pd = { "", "", "", "" };
	char *full = NULL;

	if (dt_features_probe(dtp) < 0)
		return -1;
	if (desc != NULL) {
		full = dt_spec_text(dtp, desc, spec);
		if (full == NULL)
			return -1;
		full[strcspn(full, " \t\n/{")] = '\0';
		if (list_expand(dtp, &full) < 0 || full == NULL) {
			free(full);
			return -1;
		}
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
	list_t l = { out, printed_header, verbose };
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < pgp->nprogs; i++)
		n += pgp->progs[i].nprobes;
	dt_probe_t **all = calloc(n + 1, sizeof(*all));
	n = 0;
	for (size_t i = 0; i < pgp->nprogs; i++)
		for (size_t j = 0; j < pgp->progs[i].nprobes; j++)
			all[n++] = pgp->progs[i].probes[j];
	qsort(all, n, sizeof(*all), cmp_id);
	list_header(&l);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = list_one(dtp, all[i], &l);
	free(all);
	return rc;
}
