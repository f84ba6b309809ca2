/*
 * program.c - compiling a D program into BPF programs.
 *
 * dtrace_program_compile runs the compiler's passes (dlang/compile.c) and
 * does the one thing the compiler cannot: matching probe descriptions
 * against providers.  Then it groups the matched probes so that every probe
 * that runs the same clauses and has the same context layout (provider and
 * kind) shares ONE BPF program, attached to all of them:
 * `syscall:::entry` is one program, not 350.  A program attached to a
 * single probe knows its probe id (and names) as constants; one attached to
 * several gets the id from its attach cookie.
 *
 * Errors are formatted here the way dtrace(1) expects to print them after
 * "dtrace: invalid probe specifier X: " or "dtrace: failed to compile
 * script F: ": DTrace's "line N: message", with -xerrtags' [TAG], and then
 * our addition, the source line with a caret under the column.
 */
#include <stdlib.h>
#include <string.h>

#include "libdtrace.h"
#include "provider.h"

/* ---- errors ------------------------------------------------------------ */

static void caret_line(char *buf, size_t size, const dl_error_t *e)
{
	size_t len = strlen(e->srcline), n = 0;
	size_t col = e->srccol > 0 ? (size_t)e->srccol : 1;

	if (col > len + 1)	/* past what is shown */
		col = len + 1;
	n += snprintf(buf + n, size - n, "\n    %s\n    ", e->srcline);
	for (size_t i = 1; i < col && n + 2 < size; i++)
		buf[n++] = e->srcline[i - 1] == '\t' ? '\t' : ' ';
	snprintf(buf + n, size - n, "^");
}

static int compile_error(dtrace_hdl_t *dtp, dl_ctx_t *cx, const char *file)
{
	const dl_error_t *e = &cx->err;
	char tag[64] = "", where[320] = "", caret[600] = "";

	if (dt_opt(dtp, DT_OPT_errtags))
		snprintf(tag, sizeof(tag), "[%s] ", dl_tag_name(e->tag));
	if (e->loc.file != NULL && e->loc.line > 0 &&
	    (file == NULL || strcmp(file, e->loc.file) != 0))
		snprintf(where, sizeof(where), "\"%s\", line %d: ",
			 e->loc.file, e->loc.line);	/* a library file's */
	else if (file != NULL && e->loc.line > 0)
		snprintf(where, sizeof(where), "line %d: ", e->loc.line);
	if (e->srcline[0] != '\0')
		caret_line(caret, sizeof(caret), e);
	return dt_set_error(dtp, DTRACE_ERR_COMPILE, "%s%s%s%s", tag, where,
			    e->msg, caret);
}

int dt_compile_error(dtrace_hdl_t *dtp, dl_ctx_t *cx, const char *file)
{
	return compile_error(dtp, cx, file);
}

/* ---- probe specifiers other than -n ------------------------------------ */

/*
 * -P, -m, -f and -i name part of a description; turn the leading
 * description into the full four-field form and keep any program text
 * that follows it.  -i names a probe by id, which requires knowing every
 * probe: the one case where enumeration is not lazy.
 */
char *dt_spec_text(dtrace_hdl_t *dtp, const char *text, dtrace_spec_t spec)
{
	static const char *const fmt[] = {
		[DTRACE_SPEC_PROVIDER] = "%.*s:::%s",
		[DTRACE_SPEC_MODULE] = "%.*s::%s",
		[DTRACE_SPEC_FUNC] = "%.*s:%s",
	};
	size_t len = strcspn(text, " \t\n/{");
	char *out = NULL;
	int rc;

	if (spec == DTRACE_SPEC_NAME)
		return strdup(text);
	if (spec == DTRACE_SPEC_ID) {
		dt_pdesc_t all = { "", "", "", "" };
		dt_probe_t *p;
		if (dt_probe_iter(dtp, &all, NULL, NULL) < 0)
			return NULL;
		p = dt_probe_by_id(dtp, (uint32_t)strtoul(text, NULL, 0));
		if (p == NULL) {
			dt_set_error(dtp, DTRACE_ERR_MATCH, "probe id %.*s "
				     "does not match any probes", (int)len,
				     text);
			return NULL;
		}
		rc = asprintf(&out, "%s:%s:%s:%s%s", p->prov, p->mod, p->func,
			      p->name, text + len);
	} else {
		rc = asprintf(&out, fmt[spec], (int)len, text, text + len);
	}
	return rc < 0 ? NULL : out;
}

/* ---- matching ---------------------------------------------------------- */

typedef struct match {
	dtrace_prog_t *pgp;
	size_t cidx;		/* the clause's index in pgp->clauses */
	uint64_t **sets;	/* by probe id: bitset of clause indices */
	size_t cap;
	int count;		/* matches of the current description */
} match_t;

static int match_cb(dtrace_hdl_t *dtp, dt_probe_t *prb, void *arg)
{
	match_t *m = arg;
	size_t words = (m->pgp->nclauses + 63) / 64;

	/* ERROR clauses run where a fault happens, in every program
	   (lower.c): they are kept aside, not given a program of their own */
	if (prb->id == DT_PROBE_ERROR) {
		dl_clause_t *c = m->pgp->clauses[m->cidx];
		for (size_t i = 0; i < dtp->nerrclauses; i++)
			if (dtp->errclauses[i] == c)
				goto counted;
		dtp->errclauses = realloc(dtp->errclauses,
					  (dtp->nerrclauses + 1) *
					  sizeof(*dtp->errclauses));
		dtp->errclauses[dtp->nerrclauses++] = c;
		m->pgp->nprobes++;
counted:
		m->count++;
		return 0;
	}

	if (prb->id >= m->cap) {
		size_t ncap = prb->id * 2 + 16;
		m->sets = realloc(m->sets, ncap * sizeof(*m->sets));
		memset(m->sets + m->cap, 0, (ncap - m->cap) * sizeof(*m->sets));
		m->cap = ncap;
	}
	if (m->sets[prb->id] == NULL)
		m->sets[prb->id] = calloc(words, sizeof(uint64_t));
	dl_clause_t *c = m->pgp->clauses[m->cidx];	/* for args[] */
	/* (with its capacity: grown from nprobes, every append copied
	   them all, and 2000 pid probes took 30 MB) */
	dl_vec_grow(m->pgp->cx->arena, (void **)&c->probes, &c->probecap,
		    c->nprobes + 1, sizeof(*c->probes));
	c->probes[c->nprobes++] = prb;
	uint64_t *set = m->sets[prb->id];
	set[m->cidx / 64] |= 1ull << (m->cidx % 64);
	m->count++;
	return 0;
}

static int match_clause(dtrace_hdl_t *dtp, match_t *m, size_t cidx)
{
	dl_clause_t *c = m->pgp->clauses[cidx];

	m->cidx = cidx;
	for (size_t i = 0; i < c->ndescs; i++) {
		dt_pdesc_t pd;
		if (dt_pdesc_parse(c->descs[i], &pd) < 0)
			return dt_set_error(dtp, DTRACE_ERR_COMPILE,
					    "invalid probe description \"%s\"",
					    c->descs[i]);
		/* by the description, not its matches: a uprobe program
		   that appears while tracing (-Z, a new process) cannot make
		   the loaded ones guard themselves */
		if (!dtp->preempts && dt_pdesc_preemptible(&pd) &&
		    dt_features_preempt(dtp))
			dtp->nests = dtp->preempts = true;
		m->count = 0;
		if (dt_probe_iter(dtp, &pd, match_cb, m) < 0)
			return -1;
		if (m->count == 0 && !dt_opt(dtp, DT_OPT_zdefs))
			return dt_set_error(dtp, DTRACE_ERR_MATCH,
				"%sprobe description %s does not match any "
				"probes", dt_opt(dtp, DT_OPT_errtags) ?
				"[D_PDESC_ZERO] " : "", c->descs[i]);
	}
	return 0;
}

/* ---- grouping probes into programs ------------------------------------- */

static bool same_set(const uint64_t *a, const uint64_t *b, size_t words)
{
	return memcmp(a, b, words * sizeof(uint64_t)) == 0;
}

static dt_bpfprog_t *find_prog(dtrace_prog_t *pgp, dt_probe_t *prb,
			       const uint64_t *set, uint64_t **sets)
{
	size_t words = (pgp->nclauses + 63) / 64;
	int kind = prb->ops->kind(prb);

	for (size_t i = 0; i < pgp->nprogs; i++) {
		dt_bpfprog_t *bp = &pgp->progs[i];
		if (bp->ops == prb->ops && bp->kind == kind &&
		    same_set(sets[bp->probes[0]->id], set, words))
			return bp;
	}
	dl_vec_grow(pgp->cx->arena, (void **)&pgp->progs, &pgp->progcap,
		    pgp->nprogs + 1, sizeof(*pgp->progs));
	dt_bpfprog_t *bp = &pgp->progs[pgp->nprogs++];
	memset(bp, 0, sizeof(*bp));
	bp->ops = prb->ops;
	bp->kind = kind;
	bp->fd = -1;
	bp->progmap_fd = -1;
	for (size_t c = 0; c < pgp->nclauses; c++)
		if (set[c / 64] & (1ull << (c % 64))) {
			dl_vec_grow(pgp->cx->arena, (void **)&bp->clauses,
				    &bp->clausecap, bp->nclauses + 1,
				    sizeof(dl_clause_t *));
			bp->clauses[bp->nclauses++] = pgp->clauses[c];
		}
	return bp;
}

static void group_probes(dtrace_hdl_t *dtp, dtrace_prog_t *pgp, match_t *m)
{
	for (size_t id = 0; id < m->cap; id++) {
		if (m->sets[id] == NULL)
			continue;
		dt_probe_t *prb = dt_probe_by_id(dtp, (uint32_t)id);
		dt_bpfprog_t *bp = find_prog(pgp, prb, m->sets[id], m->sets);
		dl_vec_grow(pgp->cx->arena, (void **)&bp->probes,
			    &bp->probecap, bp->nprobes + 1, sizeof(prb));
		bp->probes[bp->nprobes++] = prb;
		pgp->nprobes++;
		if (!prb->ops->never_nested)
			dtp->nests = true;
	}
}

/* ---- lowering hooks: the provider supplies argN, errno, probe id ------ */

static ir_ref_t pvar_hook(void *arg, ir_func_t *fn, ir_blk_t **blk,
			  ir_ref_t ctx, ir_blk_t *exit, dl_pvar_t what, int n)
{
	dt_bpfprog_t *bp = arg;
	dt_lowerenv_t env = { .fn = fn, .blk = *blk, .ctx = ctx,
			      .probe_id = bp->nprobes == 1 &&
					  !bp->ops->grows ?
					  bp->probes[0]->id : 0,
			      .exit = exit };
	ir_ref_t r = bp->ops->lower(&env, bp->probes[0], (dt_pvar_t)what, n);

	*blk = env.blk;
	return r;
}

void dt_probe_info(const dt_probe_t *prb, dl_probeinfo_t *pi)
{
	memset(pi, 0, sizeof(*pi));
	snprintf(pi->prov, sizeof(pi->prov), "%s", prb->prov);
	snprintf(pi->mod, sizeof(pi->mod), "%s", prb->mod);
	snprintf(pi->func, sizeof(pi->func), "%s", prb->func);
	snprintf(pi->name, sizeof(pi->name), "%s", prb->name);
}

/* Lower and emit program i of pgp. */
static int compile_prog(dtrace_hdl_t *dtp, dtrace_prog_t *pgp, size_t i,
			const char *file)
{
	dt_bpfprog_t *bp = &pgp->progs[i];
	dl_probeinfo_t pi;
	dl_lowerhooks_t hooks = {
		.pvar = pvar_hook, .arg = bp,
		.walltime_off = dtp->walltime_off,
		.errclauses = dtp->errclauses,
		/* BEGIN and END run where dtrace does */
		.only_cpu = bp->ops == &dt_prov_dtrace ? 0 :
			    dt_opt(dtp, DT_OPT_cpu) + 1,
		.nerrclauses = dtp->nerrclauses,
		/* BEGIN, END and ERROR are read as they fire */
		.wakeup_at = bp->ops == &dt_prov_dtrace ? 0 :
			dt_ringbuf_want(dtp) / 4,
		/* END's room is kept for it (run.c) */
		.fill = bp->ops != &dt_prov_dtrace &&
			dt_opt(dtp, DT_OPT_bufpolicy) == DT_BUFPOLICY_FILL,
		/* some probe of the script may fire in another's program */
		.guard = dtp->nests,
		.preempt = dtp->preempts,
		.quiet = dt_opt(dtp, DT_OPT_quiet) != 0,
	};

	if (bp->nprobes == 1 && !bp->ops->grows) {
		hooks.probe_id = bp->probes[0]->id;
		dt_probe_info(bp->probes[0], &pi);
		hooks.probe = &pi;
	}
	snprintf(bp->name, sizeof(bp->name), "dt_%s_%zu", bp->ops->name, i);
	if (dl_compile_program(pgp->cx, bp->clauses, bp->nclauses, &hooks,
			       &dtp->strtab, bp->name,
			       dt_opt(dtp, DT_OPT_irchk) != 0,
			       /* printing the IR costs as much as compiling
				  it: only for -x ir, -S */
			       dt_opt(dtp, DT_OPT_ir) != 0 ? &bp->irtext : NULL,
			       &bp->code) < 0)
		return compile_error(dtp, pgp->cx, file);
	return 0;
}

static int compile_progs(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
			 const char *file)
{
	pgp->guarded = dtp->nests;
	pgp->preempt_guarded = dtp->preempts;
	for (size_t i = 0; i < pgp->nprogs; i++) {
		free(pgp->progs[i].irtext);
		pgp->progs[i].irtext = NULL;
		if (compile_prog(dtp, pgp, i, file) < 0)
			return -1;
	}
	return 0;
}

int dt_prog_guard(dtrace_hdl_t *dtp, dtrace_prog_t *pgp)
{
	if (pgp->guarded == dtp->nests && pgp->preempt_guarded == dtp->preempts)
		return 0;
	return compile_progs(dtp, pgp, NULL);
}

/* Are the maps a program refers to there?  (The loaded programs decided
   which were made: scratch space, say, only if one of them uses it.) */
static const char *missing_map(dtrace_hdl_t *dtp, const dt_bpfprog_t *bp)
{
	for (size_t r = 0; r < bp->code.nrelocs; r++) {
		uint32_t idx = bp->code.relocs[r].mapidx;

		if (idx == DL_MAP_PROG || idx >= DL_MAP_AGG0)
			continue;	/* its own; every agg's and array's */
		if (dtp->mapfds[idx] < 0)
			return "it needs a map no program loaded at start uses";
	}
	return NULL;
}

dt_bpfprog_t *dt_prog_grow(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
			   dt_probe_t *prb, dl_clause_t **clauses, size_t n)
{
	size_t strlen0 = dtp->strtab.len, i = pgp->nprogs;
	dt_bpfprog_t *bp;
	const char *why;

	/* a provider whose probes appear while tracing makes its prepare
	   and attach_prog work for a program of one probe */
	if (!prb->ops->grows &&
	    (prb->ops->prepare != NULL || prb->ops->attach_prog != NULL)) {
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "a %s probe cannot get a "
			     "program while tracing", prb->ops->name);
		return NULL;
	}
	dl_vec_grow(pgp->cx->arena, (void **)&pgp->progs, &pgp->progcap,
		    pgp->nprogs + 1, sizeof(*pgp->progs));
	bp = &pgp->progs[i];
	memset(bp, 0, sizeof(*bp));
	bp->ops = prb->ops;
	bp->kind = prb->ops->kind(prb);
	bp->fd = bp->progmap_fd = -1;
	bp->clauses = dl_alloc(pgp->cx->arena, n * sizeof(*clauses));
	memcpy(bp->clauses, clauses, n * sizeof(*clauses));
	bp->nclauses = bp->clausecap = n;
	bp->probes = dl_alloc(pgp->cx->arena, sizeof(prb));
	bp->probes[0] = prb;
	bp->probecap = 1;
	bp->nprobes = 1;	/* its code reads the first probe's layout */
	if (compile_prog(dtp, pgp, i, NULL) < 0)
		goto fail;
	if ((why = missing_map(dtp, bp)) != NULL) {
		dt_set_error(dtp, DTRACE_ERR_SYSTEM, "%s", why);
		goto fail;
	}
	/* strings the loaded table lacks (its clauses matched nothing at
	   start, -Z): the program gets a table of its own, the grown one,
	   in which every earlier string has kept its offset */
	if (dtp->strtab.len != strlen0) {
		if ((bp->strtab_fd = dt_strtab_map(dtp)) < 0)
			goto fail;
		bp->own_strtab = true;
	}
	if (dt_run_load_prog(dtp, bp) < 0)
		goto fail;
	bp->nprobes = 0;	/* the caller attaches it and adds it */
	pgp->nprogs++;
	return bp;
fail:
	dtp->strtab.len = strlen0;
	free(bp->irtext);
	return NULL;
}

/* ---- the driver --------------------------------------------------------- */

/* args[n]'s type: what the providers of every probe of the clause say,
   if they agree. */
static int argtype_cb(void *arg, const dl_clause_t *c, int n, char *buf,
		      size_t size)
{
	dtrace_hdl_t *dtp = arg;
	char types[DT_MAX_ARGS][DT_TYPE_NAME_MAX];

	if (n < 0 || n >= DT_MAX_ARGS || c->nprobes == 0)
		return -1;
	for (size_t i = 0; i < c->nprobes; i++) {
		dt_probe_t *p = c->probes[i];
		int k = p->ops->argtypes == NULL ? -1 :
			p->ops->argtypes(dtp, p, types, DT_MAX_ARGS);
		if (k <= n)
			return -1;
		if (i == 0)
			snprintf(buf, size, "%s", types[n]);
		else if (strcmp(buf, types[n]) != 0)
			return -1;
	}
	return 0;
}

static void *vmlinux_btf_hook(void *arg)
{
	return dt_vmlinux_btf(arg);
}

static int pragma_option(void *arg, const char *name, const char *value,
			 char *msg, size_t msgsz)
{
	dtrace_hdl_t *dtp = arg;

	if (dtrace_setopt(dtp, name, value) == 0)
		return 0;
	snprintf(msg, msgsz, "%s", dtrace_errmsg(dtp));
	return -1;
}

/* Collect the clauses and check the declarations of variables; refuse
   what the spine cannot run yet. */
static int collect_clauses(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
			   const char *file)
{
	dl_ctx_t *cx = pgp->cx;

	for (dl_node_t *n = pgp->ast; n != NULL; n = n->next) {
		if (n->kind == ND_DECL || n->kind == ND_INLINE ||
		    n->kind == ND_TYPEDECL || n->kind == ND_XLATOR) {
			if (dl_compile_decl(cx, n) < 0)
				return compile_error(dtp, cx, file);
			continue;
		}
		if (n->kind != ND_CLAUSE) {
			dl_error_t *e = &cx->err;
			e->tag = D_UNSUPPORTED;
			e->loc = n->loc;
			snprintf(e->msg, sizeof(e->msg), "%s is not supported "
				 "yet", n->kind == ND_PROVIDER ?
				 "a provider definition outside -h/-G" :
				 "a top-level declaration");
			return compile_error(dtp, cx, file);
		}
		dl_clause_t *c = dl_alloc(cx->arena, sizeof(*c));
		c->node = n;
		c->id = (uint32_t)dtp->nclauses;
		for (dl_node_t *d = n->args; d != NULL; d = d->next)
			c->ndescs++;
		c->descs = dl_alloc(cx->arena, c->ndescs * sizeof(char *));
		size_t i = 0;
		for (dl_node_t *d = n->args; d != NULL; d = d->next)
			c->descs[i++] = d->name;
		if (dtp->nclauses == dtp->clausecap) {
			dtp->clausecap = dtp->clausecap ? dtp->clausecap * 2 : 16;
			dtp->clauses = realloc(dtp->clauses, dtp->clausecap *
					       sizeof(*dtp->clauses));
		}
		dtp->clauses[dtp->nclauses++] = c;
		dl_vec_grow(cx->arena, (void **)&pgp->clauses,
			    &pgp->clausecap, pgp->nclauses + 1, sizeof(c));
		pgp->clauses[pgp->nclauses++] = c;
	}
	return 0;
}

/* DTrace refuses macro arguments a script never references. */
static int check_macros_used(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
			     const char *file)
{
	const dl_macros_t *m = &dtp->macros;

	if (dt_opt(dtp, DT_OPT_argref))		/* -x argref: they may be */
		return 0;
	for (int i = 1; i < m->argc; i++) {
		if (pgp->cx->macro_used != NULL && pgp->cx->macro_used[i])
			continue;
		return dt_set_error(dtp, DTRACE_ERR_COMPILE,
				    "%sextraneous argument '%s' ($%d) is not "
				    "referenced", dt_opt(dtp, DT_OPT_errtags) ?
				    "[D_MACRO_UNUSED] " : "", m->argv[i], i);
	}
	return 0;
}

/* A string in a record is copied by one helper call, whose size the
   verifier bounds (and which must fit the output buffer): 1 MiB. */
#define DT_STRSIZE_MAX (1 << 20)

static int compile(dtrace_hdl_t *dtp, dtrace_prog_t *pgp, const char *text,
		   const char *file)
{
	match_t m = { .pgp = pgp };
	int rc = -1;

	if (dl_compile_parse(pgp->cx, text, file, &pgp->ast) < 0)
		return compile_error(dtp, pgp->cx, file);
	if (dt_opt(dtp, DT_OPT_strsize) > DT_STRSIZE_MAX)	/* after pragmas */
		return dt_set_error(dtp, DTRACE_ERR_COMPILE, "%sstrsize of %lld "
				    "bytes is too large (limit is %d)",
				    dt_opt(dtp, DT_OPT_errtags) ?
				    "[D_LIMIT] " : "",
				    (long long)dt_opt(dtp, DT_OPT_strsize),
				    DT_STRSIZE_MAX);
	if (check_macros_used(dtp, pgp, file) < 0)
		return -1;
	if (collect_clauses(dtp, pgp, file) < 0)
		return -1;
	/* after the parse: #pragma D option may have set them */
	pgp->cx->stackframes = (unsigned)dt_opt(dtp, DT_OPT_stackframes);
	pgp->cx->ustackframes = (unsigned)dt_opt(dtp, DT_OPT_ustackframes);
	pgp->cx->jstackframes = (unsigned)dt_opt(dtp, DT_OPT_jstackframes);
	if (dt_opt(dtp, DT_OPT_scratchsize) > DL_SCRATCHSIZE_MAX)
		return dt_set_error(dtp, DTRACE_ERR_COMPILE, "%sscratchsize "
				    "of %lld bytes is too large (limit is %d)",
				    dt_opt(dtp, DT_OPT_errtags) ? "[D_LIMIT] " :
				    "", (long long)dt_opt(dtp,
							  DT_OPT_scratchsize),
				    DL_SCRATCHSIZE_MAX);
	pgp->cx->scratchsize = (unsigned)dt_opt(dtp, DT_OPT_scratchsize);
	for (size_t i = 0; i < pgp->nclauses; i++) {
		dl_clause_t *c = pgp->clauses[i];
		if (match_clause(dtp, &m, i) < 0)
			goto out;
		if (dl_compile_clause(pgp->cx, c,
				      (unsigned)dt_opt(dtp, DT_OPT_strsize)) < 0) {
			compile_error(dtp, pgp->cx, file);
			goto out;
		}
	}
	group_probes(dtp, pgp, &m);
	rc = compile_progs(dtp, pgp, file);
	for (size_t i = 0; rc == 0 && i < pgp->cx->nwarns; i++)
		fprintf(stderr, "dtrace: %s\n", pgp->cx->warns[i]);
out:
	for (size_t i = 0; i < m.cap; i++)
		free(m.sets[i]);
	free(m.sets);
	return rc;
}

dtrace_prog_t *dtrace_program_compile(dtrace_hdl_t *dtp, const char *text,
				      const char *file, dtrace_spec_t spec)
{
	if (dt_features_probe(dtp) < 0)
		return NULL;
	char *src = dt_spec_text(dtp, text, spec);
	if (src != NULL && dt_opt(dtp, DT_OPT_cpp)) {
		char *pp = dt_cpp(dtp, src, file);
		free(src);
		src = pp;
	}
	if (src == NULL)
		return NULL;
	dtrace_prog_t *pgp = calloc(1, sizeof(*pgp));

	pgp->cx = dl_ctx_create(&dtp->macros);
	pgp->cx->set_option = pragma_option;
	pgp->cx->set_option_arg = dtp;
	pgp->cx->argtype = argtype_cb;
	pgp->cx->argtype_arg = dtp;
	pgp->cx->globals = &dtp->globals;
	pgp->cx->selfvars = &dtp->selfvars;
	pgp->cx->aggs = &dtp->aggs;
	pgp->cx->assocs = &dtp->assocs;
	pgp->cx->strsize = (unsigned)dt_opt(dtp, DT_OPT_strsize);
	pgp->cx->ksym = dt_ksym_hook;
	pgp->cx->vmlinux_btf = vmlinux_btf_hook;
	pgp->cx->vmlinux_btf_arg = dtp;
	pgp->cx->destructive_opt = &dtp->opts[DT_OPT_destructive].i;
	if (dt_dlib_load(dtp, pgp->cx, src) < 0 ||
	    compile(dtp, pgp, src, file) < 0) {
		free(src);
		dl_ctx_destroy(pgp->cx);
		free(pgp);
		return NULL;
	}
	free(src);
	*dtp->progtail = pgp;
	dtp->progtail = &pgp->next;
	return pgp;
}

int dtrace_program_nprobes(dtrace_prog_t *pgp)
{
	return pgp->nprobes;
}

void dtrace_program_dump(dtrace_hdl_t *dtp, dtrace_prog_t *pgp, FILE *out,
			 const char *what)
{
	if (strcmp(what, "tree") == 0) {
		dl_ast_dump(out, pgp->ast);
		return;
	}
	for (size_t i = 0; i < pgp->nprogs; i++) {
		dt_bpfprog_t *bp = &pgp->progs[i];
		fprintf(out, "\n/* program %s: %zu clause%s on %zu probe%s */\n",
			bp->name, bp->nclauses, bp->nclauses == 1 ? "" : "s",
			bp->nprobes, bp->nprobes == 1 ? "" : "s");
		if ((strcmp(what, "ir") == 0 || strcmp(what, "bpf") == 0) &&
		    bp->irtext != NULL)	/* kept with -x ir */
			fputs(bp->irtext, out);
		if (strcmp(what, "bpf") == 0) {
			static const char *const base[DL_NMAPS] = {
				"output", "strtab", "probes", "drops", "vtime",
				"globals", "self", "selfstr", "scratch", "zero",
				"agggen", "specq", "strtok", "bufleft",
				"chill", "prog" };
			size_t n = DL_NMAPS + dtp->aggs.n;
			const char **maps = calloc(n, sizeof(*maps));
			for (size_t k = 0; maps != NULL && k < n; k++)
				maps[k] = k < DL_NMAPS ? base[k] : dl_sprintf(
					pgp->cx->arena, "@%s",
					dtp->aggs.aggs[k - DL_NMAPS]->name);
			fprintf(out, "\n");
			bpf_disasm(out, bp->code.insns, bp->code.ninsns, maps,
				   maps != NULL ? n : 0);
			free(maps);
		}
	}
}
