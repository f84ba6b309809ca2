/*
 * usdt.c - the usdt provider: the SDT probes compiled into programs and
 * libraries (SystemTap's .note.stapsdt format, what sys/sdt.h and our own
 * dtrace -h emit), as <provider><PID>:<module>:<function>:<name>.
 *
 * Names.  A description's provider field is a provider name followed by a
 * process id ("python1234", from python$target); wants() claims any such
 * literal field except pid<N>, which is the pid provider's.  An empty
 * field (as in dtrace -l -p PID) is matched against the probes of the
 * process $target only, if there is one: every USDT probe of a process is
 * listed by `dtrace -l -p PID`, as in DTrace.  (That does not run a -c
 * command on to its entry point: it sees the probes of the executable
 * only.)
 *
 * Every process.  A pattern ("python*") or a name without a pid that no
 * other provider has ("python") means the probes of every process, those
 * started later included: their probes are named by the note's provider
 * alone ("python:python3.11:...:function-entry"), made per file from
 * dt_usdt_files() (uelf.c: the files with SDT notes that running processes
 * map, and a module named exactly, looked for in $PATH and the library
 * directories; files first mapped while tracing are found then, uexec.c,
 * through dt_usdt_populate_obj), and their uprobes have no pid
 * (perf_event_open with pid -1 and CPU 0: the BPF program runs wherever
 * the uprobe is hit), so the kernel plants them in every process that
 * maps the file, now or later, and raises each one's semaphores.  A site
 * is a file (device and inode) and offset; attach() called again for a
 * probe attaches only its sites new since.  Only a description that names a pid
 * filters by pid (in the kernel, as below).  The probes of a process are
 * read from the notes of the files the process maps (uelf.c, as for the pid
 * provider, and with -c the command is first run to its entry point so
 * that its libraries are mapped): the module is the file's basename, the
 * function the symbol holding the probe's address ("" if none), the name
 * the note's with every "__" shown as "-" (function__entry is
 * function-entry), as in DTrace.  Notes with the same four names (a probe
 * inlined twice in one function) are one probe with several sites.
 *
 * Sites.  Each site is a uprobe at the note's file offset, a perf event of
 * the uprobe PMU for the process with a BPF link whose cookie is the probe
 * id.  A note with a semaphore (is-enabled probes: the program tests it
 * before computing the arguments) gets its file offset as the uprobe's
 * reference counter offset: the kernel raises the counter in the process
 * while the uprobe is there and lowers it when it goes, so the semaphore
 * is never written by us and never left raised by a killed dtrace.
 *
 * Arguments.  The note's argument string has one "N@OPERAND" per argument,
 * up to 12: N is the size in bytes, negative when signed; the operand is
 * in AT&T syntax: a register (%rax, %eax, %ax, %al, %ah, %r8d, ...), an
 * immediate ($42, $-1, $0x10) or a memory operand (disp(%base),
 * disp(%base,%index,scale), (,%index,scale)), read with
 * bpf_probe_read_user (0 if that faults).  The value is then cut to N
 * bytes and sign- or zero-extended.  Symbolic displacements (sym(%rip))
 * and segment prefixes are not supported: such a probe is listed, but
 * enabling it is refused with its argument named.
 *
 * Programs.  The arguments are computed by generated code that depends on
 * the argument string, so probes share a program when their strings are
 * equal: a probe's kind is the id of the first usdt probe with its string.
 * A probe whose sites have different strings is refused when enabled.
 *
 * Probe data: a usdt_data_t in the handle's arena.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <asm/ptrace.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include <gelf.h>

#include "provider.h"
#include "usdt.h"

#define USDT_MAX_ARGS 12
#define USDT_NOREG (-1)

typedef struct usdt_site {
	const char *path;	/* the file the uprobe is set in */
	uint64_t dev, ino;	/* that file */
	uint64_t off;		/* file offset of the probe */
	uint64_t sem_off;	/* file offset of its semaphore, 0: none */
	int *progs;		/* the programs attached to it (fds) */
	size_t nprogs, progcap;
} usdt_site_t;

typedef struct usdt_data {
	const char *args;	/* the note's argument string */
	int pid;		/* -1: every process */
	int kind;		/* id of the first probe with these args
				   (and argument map) */
	int nargs;
	dt_usdt_arg_t argv[USDT_MAX_ARGS];
	/* From the provider definition the file records (-G), if any:
	   argN is native argument map[N] (translated order), args[N] has
	   type types[N] */
	int ntypes;		/* -1: no definition */
	int map[USDT_MAX_ARGS];
	const char *types[USDT_MAX_ARGS];
	char bad[128];		/* why the arguments are not supported */
	bool mixed;		/* sites with different argument strings */
	usdt_site_t *sites;
	size_t nsites, sitecap;
} usdt_data_t;

static const dt_provattr_t usdt_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.args = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
};

/* ---- argument strings ---------------------------------------------------- */

#define R(name) offsetof(struct pt_regs, name)

static const struct {
	const char *names[4];	/* 64, 32, 16, 8-bit names */
	int off;
	const char *high;	/* the high-byte name (%ah), or NULL */
} usdt_regs[] = {
	{ { "rax", "eax", "ax", "al" }, R(rax), "ah" },
	{ { "rbx", "ebx", "bx", "bl" }, R(rbx), "bh" },
	{ { "rcx", "ecx", "cx", "cl" }, R(rcx), "ch" },
	{ { "rdx", "edx", "dx", "dl" }, R(rdx), "dh" },
	{ { "rsi", "esi", "si", "sil" }, R(rsi), NULL },
	{ { "rdi", "edi", "di", "dil" }, R(rdi), NULL },
	{ { "rbp", "ebp", "bp", "bpl" }, R(rbp), NULL },
	{ { "rsp", "esp", "sp", "spl" }, R(rsp), NULL },
	{ { "r8", "r8d", "r8w", "r8b" }, R(r8), NULL },
	{ { "r9", "r9d", "r9w", "r9b" }, R(r9), NULL },
	{ { "r10", "r10d", "r10w", "r10b" }, R(r10), NULL },
	{ { "r11", "r11d", "r11w", "r11b" }, R(r11), NULL },
	{ { "r12", "r12d", "r12w", "r12b" }, R(r12), NULL },
	{ { "r13", "r13d", "r13w", "r13b" }, R(r13), NULL },
	{ { "r14", "r14d", "r14w", "r14b" }, R(r14), NULL },
	{ { "r15", "r15d", "r15w", "r15b" }, R(r15), NULL },
};

/* "%name" at *pp: its pt_regs offset (and 8 in *shift for %ah..%dh), *pp
   past it; -1 if it is not a general register. */
static int parse_reg(const char **pp, int *shift)
{
	const char *p = *pp;
	size_t len;

	if (*p != '%')
		return -1;
	p++;
	len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
	for (size_t i = 0; i < sizeof(usdt_regs) / sizeof(usdt_regs[0]);
	     i++) {
		for (int w = 0; w < 5; w++) {
			const char *n = w < 4 ? usdt_regs[i].names[w] :
				       usdt_regs[i].high;

			if (n == NULL || strlen(n) != len ||
			    strncmp(n, p, len) != 0)
				continue;
			*shift = w == 4 ? 8 : 0;
			*pp = p + len;
			return usdt_regs[i].off;
		}
	}
	return -1;
}

/* A decimal or 0x number, optionally negative, at *pp. */
static int parse_num(const char **pp, int64_t *v)
{
	const char *p = *pp;
	char *end;
	bool neg = *p == '-';

	if (neg)
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*v = (int64_t)strtoull(p, &end, 0);
	if (errno != 0)
		return -1;
	if (neg)
		*v = -*v;
	*pp = end;
	return 0;
}

/* disp(%base,%index,scale) and its shorter forms, at *pp. */
static int parse_mem(const char **pp, dt_usdt_arg_t *a)
{
	const char *p = *pp;
	int shift = 0;

	a->kind = DT_UA_MEM;
	a->base = a->index = USDT_NOREG;
	a->scale = 1;
	if (*p != '(' && parse_num(&p, &a->val) < 0)
		return -1;
	if (*p++ != '(')
		return -1;
	if (*p != ',' && (a->base = parse_reg(&p, &shift)) < 0)
		return -1;
	if (shift != 0)
		return -1;
	if (*p == ',') {
		int64_t scale;

		p++;
		if ((a->index = parse_reg(&p, &shift)) < 0 || shift != 0)
			return -1;
		if (*p == ',') {
			p++;
			if (parse_num(&p, &scale) < 0 ||
			    (scale != 1 && scale != 2 && scale != 4 &&
			     scale != 8))
				return -1;
			a->scale = (int)scale;
		}
	}
	if (*p++ != ')')
		return -1;
	*pp = p;
	return 0;
}

/* One "N@OPERAND" at *pp; *pp is left past it. */
static int parse_arg(const char **pp, dt_usdt_arg_t *a)
{
	const char *p = *pp;
	int64_t size;

	memset(a, 0, sizeof(*a));
	if (parse_num(&p, &size) < 0 || *p++ != '@')
		return -1;
	a->is_signed = size < 0;
	a->size = (int)(size < 0 ? -size : size);
	if (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
		return -1;
	if (*p == '%') {
		a->kind = DT_UA_REG;
		if ((a->base = parse_reg(&p, &a->shift)) < 0)
			return -1;
	} else if (*p == '$') {
		p++;
		a->kind = DT_UA_IMM;
		if (parse_num(&p, &a->val) < 0)
			return -1;
	} else if (parse_mem(&p, a) < 0) {
		return -1;
	}
	if (*p != '\0' && *p != ' ')
		return -1;
	*pp = p;
	return 0;
}

int dt_usdt_parse_args(const char *s, dt_usdt_arg_t *argv, int max,
		       char *bad, size_t badsz)
{
	int n = 0;

	while (*s != '\0') {
		const char *start;

		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		start = s;
		if (n == max) {
			snprintf(bad, badsz, "more than %d arguments", max);
			return -1;
		}
		if (parse_arg(&s, &argv[n]) < 0) {
			snprintf(bad, badsz, "argument %d's location \"%.*s\" "
				 "is not supported", n, (int)strcspn(start, " "),
				 start);
			return -1;
		}
		n++;
	}
	return n;
}

/* ---- names --------------------------------------------------------------- */

/* Split "python1234" into "python" and 1234; -1 unless it is a literal
   name followed by a pid (and not the pid provider's). */
int dt_usdt_split(const char *prov, char *name, size_t namesz)
{
	size_t len = strlen(prov), d = len;
	long pid;

	while (d > 0 && isdigit((unsigned char)prov[d - 1]))
		d--;
	if (d == 0 || d == len || len - d > 9 || d >= namesz ||
	    strpbrk(prov, "*?[\\") != NULL || prov[d] == '0')
		return -1;
	if (d == 3 && strncmp(prov, "pid", 3) == 0)
		return -1;
	pid = strtol(prov + d, NULL, 10);
	memcpy(name, prov, d);
	name[d] = '\0';
	return (int)pid;
}

/* A provider field for the probes of every process: a pattern
   ("python*"), or a name without a pid that no other provider has
   ("python"). */
bool dt_usdt_every(const char *prov)
{
	char name[64];

	if (*prov == '\0' || dt_usdt_split(prov, name, sizeof(name)) > 0)
		return false;
	if (strpbrk(prov, "*?[\\") != NULL)
		return true;
	for (const dt_provops_t *const *p = dt_providers; *p != NULL; p++)
		if (strcmp((*p)->name, prov) == 0)
			return false;
	return dt_pid_of(prov) < 0;
}

/* A provider name with a pid, the probes of every process, or the empty
   field ($target's). */
static bool usdt_wants(const char *prov)
{
	char name[64];

	return dt_usdt_split(prov, name, sizeof(name)) > 0 ||
	       *prov == '\0' || dt_usdt_every(prov);
}

/* The probe name of a note: "__" shown as "-". */
void dt_usdt_probename(const char *note, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = note; *p != '\0' && n + 1 < size; p++) {
		out[n++] = p[0] == '_' && p[1] == '_' ? '-' : *p;
		if (p[0] == '_' && p[1] == '_')
			p++;
	}
	out[n] = '\0';
}

/* ---- provider definitions (typed args[]) --------------------------------- */

/* One probe's definition as dtrace -G records it (usdt/usdt.h). */
typedef struct pdef {
	const char *prov, *probe;
	int nnative, ntypes;
	const char *native[USDT_MAX_ARGS];
	const char *types[USDT_MAX_ARGS];	/* args[]: "int",
						   "xlate<T>(N)" */
	int map[USDT_MAX_ARGS];
} pdef_t;

typedef struct pdefs {
	pdef_t *v;
	size_t n, cap;
} pdefs_t;

/* The next NUL-terminated string of desc[*off..len), or NULL. */
static const char *def_str(const char *desc, size_t len, size_t *off)
{
	const char *s = desc + *off;
	const char *nul = *off < len ? memchr(s, '\0', len - *off) : NULL;

	if (nul == NULL)
		return NULL;
	*off = (size_t)(nul - desc) + 1;
	return s;
}

static int def_num(const char *desc, size_t len, size_t *off)
{
	const char *s = def_str(desc, len, off);
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	return *end != '\0' || v > USDT_MAX_ARGS ? -1 : (int)v;
}

static bool def_is_int(const dl_types_t *types, const char *name)
{
	const dl_type_t *t = dl_type_by_name(types, name);

	return t != NULL && t->kind == TY_INT;
}

/* args[]'s type for translated type xt of native type nt: xt itself if
   they are the same or both integers (the value converts), else
   "xlate<xt>(nt)": a translator converts it (xlate.c), as in DTrace. */
static const char *def_xtype(dtrace_hdl_t *dtp, const dl_types_t *types,
			     const char *xt, const char *nt)
{
	if (strcmp(xt, nt) == 0 ||
	    (def_is_int(types, xt) && def_is_int(types, nt)))
		return xt;
	return dl_sprintf(dtp->arena, "xlate<%s>(%s)", xt, nt);
}

/* Parse one note's descriptor into def (strings in dtp's arena): 0, or -1
   if it is malformed (then ignored). */
static int def_parse(dtrace_hdl_t *dtp, const dl_types_t *types,
		     const char *desc, size_t len, pdef_t *def)
{
	size_t off = 0;
	const char *t;

	memset(def, 0, sizeof(*def));
	if ((def->prov = def_str(desc, len, &off)) == NULL ||
	    (def->probe = def_str(desc, len, &off)) == NULL ||
	    (def->nnative = def_num(desc, len, &off)) < 0)
		return -1;
	for (int i = 0; i < def->nnative; i++)
		if ((def->native[i] = def_str(desc, len, &off)) == NULL)
			return -1;
	if ((def->ntypes = def_num(desc, len, &off)) < 0)
		return -1;
	for (int i = 0; i < def->ntypes; i++) {
		if ((t = def_str(desc, len, &off)) == NULL ||
		    (def->map[i] = def_num(desc, len, &off)) < 0 ||
		    def->map[i] >= def->nnative)
			return -1;
		def->types[i] = def_xtype(dtp, types, t,
					  def->native[def->map[i]]);
	}
	if (def->ntypes == 0) {		/* no translation: the native ones */
		def->ntypes = def->nnative;
		for (int i = 0; i < def->nnative; i++) {
			def->types[i] = def->native[i];
			def->map[i] = i;
		}
	}
	def->prov = dl_strdup(dtp->arena, def->prov);
	def->probe = dl_strdup(dtp->arena, def->probe);
	for (int i = 0; i < def->ntypes; i++)
		def->types[i] = dl_strdup(dtp->arena, def->types[i]);
	return 0;
}

/* The definitions the file records, in its note sections (any name:
   linkers may merge them), from the open ELF of its symbols. */
static void defs_read(dtrace_hdl_t *dtp, Elf *e, pdefs_t *defs)
{
	Elf_Scn *scn = NULL;
	dl_types_t types;

	dl_types_init(&types);
	while (e != NULL && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_NOTE ||
		    (sh.sh_flags & SHF_ALLOC) ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
			pdef_t def;

			if (nh.n_type != USDT_NT_PROBEDEF ||
			    nh.n_namesz != sizeof(USDT_DEFS_OWNER) ||
			    memcmp((char *)data->d_buf + noff, USDT_DEFS_OWNER,
				   sizeof(USDT_DEFS_OWNER)) != 0 ||
			    def_parse(dtp, &types, (char *)data->d_buf + doff,
				      nh.n_descsz, &def) < 0)
				continue;
			dl_vec_grow(dtp->arena, (void **)&defs->v, &defs->cap,
				    defs->n + 1, sizeof(*defs->v));
			defs->v[defs->n++] = def;
		}
	}
}

/* The definition of a note's probe, if the file has one that agrees with
   the note on the number of arguments. */
static const pdef_t *def_find(const pdefs_t *defs,
				  const dt_unote_t *n, int nargs)
{
	for (size_t i = 0; i < defs->n; i++)
		if (strcmp(defs->v[i].prov, n->prov) == 0 &&
		    strcmp(defs->v[i].probe, n->name) == 0)
			return defs->v[i].nnative == nargs ? &defs->v[i] :
			       NULL;
	return NULL;
}

static bool same_map(const usdt_data_t *a, const usdt_data_t *b)
{
	int na = a->ntypes < 0 ? -1 : a->ntypes, nb = b->ntypes < 0 ? -1 :
						      b->ntypes;

	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (a->map[i] != b->map[i])
			return false;
	return true;
}

static int usdt_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			 char types[][DT_TYPE_NAME_MAX], int max)
{
	const usdt_data_t *d = prb->data;
	int n = 0;

	(void)dtp;
	for (; n < d->ntypes && n < max; n++)
		snprintf(types[n], DT_TYPE_NAME_MAX, "%s", d->types[n]);
	return n;
}

/* ---- populate ------------------------------------------------------------ */

typedef struct usdt_want {
	const dt_pdesc_t *pd;
	char name[64];		/* the provider, without the pid */
	int pid;
} usdt_want_t;

/* The kind of a new probe: the first usdt probe with the same argument
   string shares its program. */
static int usdt_kind_for(dtrace_hdl_t *dtp, const dt_probe_t *self,
			 const char *args)
{
	for (size_t id = 1; id < dtp->nprobes; id++) {
		const dt_probe_t *p = dtp->probes[id];

		if (p != NULL && p != self && p->ops == &dt_prov_usdt &&
		    strcmp(((const usdt_data_t *)p->data)->args, args) == 0 &&
		    same_map(p->data, self->data))
			return ((const usdt_data_t *)p->data)->kind;
	}
	return (int)self->id;
}

static int site_add(dtrace_hdl_t *dtp, usdt_data_t *d, const dt_uobj_t *o,
		    const dt_unote_t *n)
{
	for (size_t i = 0; i < d->nsites; i++)
		if (d->sites[i].off == n->off && d->sites[i].dev == o->dev &&
		    d->sites[i].ino == o->ino)
			return 0;
	dl_vec_grow(dtp->arena, (void **)&d->sites, &d->sitecap,
		    d->nsites + 1, sizeof(*d->sites));
	d->sites[d->nsites++] = (usdt_site_t){
		.path = dl_strdup(dtp->arena, o->attach), .dev = o->dev,
		.ino = o->ino, .off = n->off, .sem_off = n->sem_off };
	if (strcmp(d->args, n->args) != 0)
		d->mixed = true;
	return 0;
}

static int usdt_insert(dtrace_hdl_t *dtp, const usdt_want_t *w,
		       const dt_uobj_t *o, const dt_unote_t *n,
		       const pdefs_t *defs, const char *prov,
		       const char *func, const char *name)
{
	usdt_data_t *d = dl_alloc(dtp->arena, sizeof(*d));
	const pdef_t *def;
	dt_probe_t *prb;

	d->args = dl_strdup(dtp->arena, n->args);
	d->pid = w->pid;
	d->nargs = dt_usdt_parse_args(n->args, d->argv, USDT_MAX_ARGS, d->bad,
				      sizeof(d->bad));
	d->ntypes = -1;
	if (d->nargs >= 0 && (def = def_find(defs, n, d->nargs)) != NULL) {
		d->ntypes = def->ntypes;
		memcpy(d->map, def->map, sizeof(d->map));
		memcpy(d->types, def->types, sizeof(d->types));
	}
	prb = dt_probe_insert_as(dtp, &dt_prov_usdt, prov, o->name,
				 func, name, d);
	if (prb == NULL)
		return -1;
	if (prb->data == d) {
		d->kind = usdt_kind_for(dtp, prb, d->args);
		prb->nargs = d->nargs < 0 ? -1 : d->ntypes >= 0 ? d->ntypes :
			     d->nargs;
	}
	return site_add(dtp, prb->data, o, n);
}

static int usdt_obj(dtrace_hdl_t *dtp, const usdt_want_t *w,
		    const dt_uobj_t *o)
{
	const dt_pdesc_t *pd = w->pd;
	pdefs_t defs = { .v = NULL };
	dt_usyms_t syms;
	int n = 0, r = 0;

	if (dt_usyms_read(dtp, o->path, &syms) < 0)
		return -1;
	if (syms.nnotes > 0)
		defs_read(dtp, syms.elf, &defs);
	for (size_t i = 0; r >= 0 && i < syms.nnotes; i++) {
		const dt_unote_t *note = &syms.notes[i];
		const dt_usym_t *f = dt_usyms_at(&syms, note->pc);
		const char *func = f != NULL ? f->name : "";
		char name[128];

		char prov[96];

		dt_usdt_probename(note->name, name, sizeof(name));
		if (w->pid > 0)
			snprintf(prov, sizeof(prov), "%s%d", note->prov,
				 w->pid);
		else
			snprintf(prov, sizeof(prov), "%s", note->prov);
		if (!dt_gmatch(prov, pd->prov) || !dt_gmatch(func, pd->func) ||
		    !dt_gmatch(name, pd->name))
			continue;
		r = usdt_insert(dtp, w, o, note, &defs, prov, func, name);
		n++;
	}
	dt_usyms_free(&syms);
	return r < 0 ? -1 : n;
}

/* The probes of the objects whose names match the module (objs freed):
   how many, or -1. */
static int usdt_objs(dtrace_hdl_t *dtp, const usdt_want_t *w,
		     dt_uobj_t *objs, int nobj)
{
	int n = 0, r = 0;

	for (int i = 0; r >= 0 && i < nobj; i++)
		if (dt_gmatch(objs[i].name, w->pd->mod))
			n += r = usdt_obj(dtp, w, &objs[i]);
	dt_uproc_objs_free(objs, (size_t)nobj);
	return r < 0 ? -1 : n;
}

/* The probes of every process: per file, named without a pid. */
static int usdt_populate_every(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	usdt_want_t w = { .pd = pd, .pid = -1 };
	dt_uobj_t *objs;
	int nobj;

	if ((nobj = dt_usdt_files(dtp, pd->mod, &objs)) < 0)
		return -1;
	return usdt_objs(dtp, &w, objs, nobj);
}

int dt_usdt_populate_obj(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
			 const dt_uobj_t *o)
{
	usdt_want_t w = { .pd = pd, .pid = -1 };

	if (!dt_usdt_every(pd->prov) || !dt_gmatch(o->name, pd->mod))
		return 0;
	return usdt_obj(dtp, &w, o);
}

static int usdt_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	usdt_want_t w = { .pd = pd };
	dt_uobj_t *objs;
	int nobj;
	bool named = (w.pid = dt_usdt_split(pd->prov, w.name,
					     sizeof(w.name))) > 0;

	if (dt_usdt_every(pd->prov))
		return usdt_populate_every(dtp, pd);
	if (!named && dtp->macros.target > 0 &&
	    dtp->macros.target <= INT32_MAX)
		w.pid = (int)dtp->macros.target;	/* empty: $target's */
	if (w.pid <= 0)
		return 0;
	if ((named && dt_uproc_ready(dtp, w.pid) < 0) ||
	    (nobj = dt_uproc_objs(dtp, w.pid, &objs)) < 0)
		return -1;
	return usdt_objs(dtp, &w, objs, nobj);
}

/* ---- code generation ----------------------------------------------------- */

static int usdt_kind(const dt_probe_t *prb)
{
	return ((const usdt_data_t *)prb->data)->kind;
}

static ir_ref_t reg_load(dt_lowerenv_t *env, int off)
{
	return ir_load(env->fn, env->blk, 8, env->ctx, off);
}

/* Cut v to the argument's size, extended as its sign says. */
static ir_ref_t arg_extend(dt_lowerenv_t *env, const dt_usdt_arg_t *a,
			   ir_ref_t v)
{
	static const int ops[2][9] = {
		{ [1] = IR_ZEXT8, [2] = IR_ZEXT16, [4] = IR_ZEXT32 },
		{ [1] = IR_SEXT8, [2] = IR_SEXT16, [4] = IR_SEXT32 },
	};

	if (a->size == 8)
		return v;
	return ir_emit(env->fn, env->blk, ops[a->is_signed][a->size],
		       ir_tmp(env->fn), v, IR_NONE)->to;
}

/* An immediate cut to the argument's size, extended as its sign says. */
static int64_t imm_extend(const dt_usdt_arg_t *a)
{
	int bits = 8 * a->size;
	uint64_t v = (uint64_t)a->val;

	if (bits >= 64)
		return a->val;
	v &= (UINT64_C(1) << bits) - 1;
	if (a->is_signed && (v >> (bits - 1)) != 0)
		v |= ~((UINT64_C(1) << bits) - 1);
	return (int64_t)v;
}

static ir_ref_t arg_mem(dt_lowerenv_t *env, const dt_usdt_arg_t *a)
{
	ir_func_t *fn = env->fn;
	int32_t slot = ir_frame_alloc(fn, 8);
	ir_ref_t addr = ir_con(fn, a->val), args[3];

	if (a->base != USDT_NOREG)
		addr = ir_bin(fn, env->blk, IR_ADD, addr, reg_load(env, a->base));
	if (a->index != USDT_NOREG)
		addr = ir_bin(fn, env->blk, IR_ADD, addr,
			      ir_bin(fn, env->blk, IR_MUL,
				     reg_load(env, a->index),
				     ir_con(fn, a->scale)));
	args[0] = ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot));
	args[1] = ir_con(fn, a->size);
	args[2] = addr;
	ir_store(fn, env->blk, 8, ir_reg(IR_FP), slot, ir_con(fn, 0));
	ir_call(fn, env->blk, BPF_FUNC_probe_read_user, 3, args);
	return ir_load(fn, env->blk, a->size, ir_reg(IR_FP), slot);
}

static ir_ref_t usdt_arg(dt_lowerenv_t *env, const dt_probe_t *prb, int n)
{
	const usdt_data_t *d = prb->data;
	const dt_usdt_arg_t *a;
	ir_ref_t v;

	if (d->ntypes >= 0)		/* in the definition's order */
		n = n >= 0 && n < d->ntypes ? d->map[n] : -1;
	if (n < 0 || n >= d->nargs)
		return IR_NONE;
	a = &d->argv[n];
	switch (a->kind) {
	case DT_UA_IMM:		/* gcc writes 4@$-294967296 for 4000000000U */
		return ir_con(env->fn, imm_extend(a));
	case DT_UA_REG:
		v = reg_load(env, a->base);
		if (a->shift != 0)
			v = ir_bin(env->fn, env->blk, IR_SHR, v,
				   ir_con(env->fn, a->shift));
		break;
	default:
		v = arg_mem(env, a);
		break;
	}
	return arg_extend(env, a, v);
}

static ir_ref_t usdt_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			   dt_pvar_t what, int n)
{
	if (what == DT_PV_PROBEID)
		return dt_cookie_probeid(env);
	if (what == DT_PV_ARG)
		return usdt_arg(env, prb, n);
	return IR_NONE;
}

/* ---- attach -------------------------------------------------------------- */

static int usdt_fail(dtrace_hdl_t *dtp, const dt_probe_t *prb,
		     const char *what)
{
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: %s", prb->prov, prb->mod, prb->func,
			    prb->name, what);
}

static int usdt_attach_site(dtrace_hdl_t *dtp, dt_probe_t *prb,
			    usdt_site_t *s, int prog_fd)
{
	const usdt_data_t *d = prb->data;
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .perf_event.bpf_cookie = prb->id);
	struct perf_event_attr attr = {
		.type = (uint32_t)dtp->feat.uprobe_type,
		.uprobe_path = (uintptr_t)s->path,
		.probe_offset = s->off,
	};
	char why[160];
	int fd, link;

	if (s->sem_off != 0)
		attr.config = s->sem_off << dtp->feat.uprobe_refshift;
	/* every process: no pid, and a CPU (any: the program runs
	   wherever the uprobe is hit) */
	if ((fd = dt_perf_event_open(&attr, d->pid, d->pid > 0 ? -1 : 0)) < 0) {
		snprintf(why, sizeof(why), "perf_event_open: %s",
			 strerror(errno));
		return usdt_fail(dtp, prb, why);
	}
	dt_keep_fd(dtp, fd);
	if ((link = bpf_link_create(prog_fd, fd, BPF_PERF_EVENT, &opts)) < 0) {
		snprintf(why, sizeof(why), "bpf_link_create: %s",
			 strerror(errno));
		return usdt_fail(dtp, prb, why);
	}
	dt_keep_fd(dtp, link);
	dl_vec_grow(dtp->arena, (void **)&s->progs, &s->progcap, s->nprogs + 1,
		    sizeof(*s->progs));
	s->progs[s->nprogs++] = prog_fd;
	return 0;
}

static bool site_has(const usdt_site_t *s, int prog_fd)
{
	for (size_t i = 0; i < s->nprogs; i++)
		if (s->progs[i] == prog_fd)
			return true;
	return false;
}

/* Every site not yet attached to prog_fd: called again for a probe whose
   file was found while tracing, it attaches only the new sites. */
static int usdt_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	usdt_data_t *d = prb->data;

	if (d->nargs < 0)
		return usdt_fail(dtp, prb, d->bad);
	if (d->mixed)
		return usdt_fail(dtp, prb, "its sites have different argument "
				 "locations (not supported yet)");
	if (dtp->feat.uprobe_type < 0)
		return usdt_fail(dtp, prb, "the kernel has no uprobe PMU");
	if (!dtp->feat.perf_link || !dtp->feat.cookie)
		return usdt_fail(dtp, prb, "the kernel has no BPF perf links "
				 "with attach cookies");
	for (size_t i = 0; i < d->nsites; i++) {
		if (d->sites[i].sem_off != 0 && dtp->feat.uprobe_refshift < 0)
			return usdt_fail(dtp, prb, "the kernel's uprobes have "
					 "no reference counter for semaphores");
		if (!site_has(&d->sites[i], prog_fd) &&
		    usdt_attach_site(dtp, prb, &d->sites[i], prog_fd) < 0)
			return -1;
	}
	return 0;
}

static bool usdt_raises(const dt_probe_t *prb)
{
	const usdt_data_t *d = prb->data;

	for (size_t i = 0; i < d->nsites; i++)
		if (d->sites[i].sem_off != 0)
			return true;
	return false;
}

const dt_provops_t dt_prov_usdt = {
	.name = "usdt",
	.attr = &usdt_attr,
	.argtypes = usdt_argtypes,
	.populate = usdt_populate,
	.wants = usdt_wants,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.kind = usdt_kind,
	.lower = usdt_lower,
	.attach = usdt_attach,
	.raises = usdt_raises,
	.grows = true,
	.never_nested = true,	/* uprobes: in user space */
	.preemptible = true,
};
