/*
 * stack.c - stacks and symbols as DTrace prints them: stack(), ustack(),
 * sym(), func(), mod(), usym(), ufunc(), umod(), uaddr(), in trace output
 * and as aggregation keys.
 *
 * Layout (DTrace's): a stack prints a newline, then one line per frame,
 * indented by -x stackindent (14) spaces: "module`function+0xoff", just
 * "module`function" at offset 0, "module`0xaddr" in a module without a
 * symbol there, "0xaddr" outside any module.  The core kernel's module is
 * "vmlinux", a user object's the basename of its file ("libc.so.6", the
 * executable's name).  The symbol actions print "  %-50s" of
 * "module`function" (sym, func, usym, ufunc), "module" (mod, umod) or the
 * frame text (uaddr).  As aggregation keys, the symbol ones are reduced to
 * the function's (or module's) start when the aggregation is read, and
 * keys that become equal merge, DTrace's way: @[func(pc)] counts per
 * function.
 *
 * User addresses are symbolised through the mappings of their process:
 * /proc/PID/maps, read the first time a pid is seen and again when an
 * address falls outside every known mapping (a library loaded since), at
 * most once per 10 ms; while tracing, the -c/-p target's mappings are
 * refreshed at every dtrace_work() when some clause records user stacks
 * or symbols, so that they still symbolise after it exits.  The ELF
 * symbols of a file (uelf.c) are read once per path and shared by every
 * process that maps it.  An address in a mapping turns into a file offset
 * (mapping start and offset), then, through the file's PT_LOAD headers,
 * into the address its symbols use.
 */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libdtrace.h"

/* ---- user processes: mappings and files, cached --------------------------- */

typedef struct ufile {
	char *path;
	const char *name;	/* its basename: the module */
	bool loaded;		/* tried */
	dt_usyms_t syms;
	GElf_Phdr *ph;		/* PT_LOAD headers, for offsets */
	size_t nph;
} ufile_t;

typedef struct umapping {
	uint64_t start, end, off;
	size_t file;		/* index in files */
} umapping_t;

typedef struct uproc {
	int pid;
	umapping_t *maps;
	size_t n;
	uint64_t read_ns;	/* when maps was last read, 0: never */
} uproc_t;

struct dt_ucache {
	uproc_t *procs;
	size_t nprocs, proccap;
	ufile_t *files;
	size_t nfiles, filecap;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static dt_ucache_t *ucache(dtrace_hdl_t *dtp)
{
	if (dtp->ucache == NULL && (dtp->ucache = calloc(1,
			sizeof(*dtp->ucache))) == NULL)
		abort();
	return dtp->ucache;
}

static size_t file_of(dt_ucache_t *uc, const char *path, size_t len)
{
	for (size_t i = 0; i < uc->nfiles; i++)
		if (strlen(uc->files[i].path) == len &&
		    memcmp(uc->files[i].path, path, len) == 0)
			return i;
	if (uc->nfiles == uc->filecap) {
		uc->filecap = uc->filecap ? uc->filecap * 2 : 16;
		uc->files = realloc(uc->files, uc->filecap * sizeof(ufile_t));
		if (uc->files == NULL)
			abort();
	}
	ufile_t *f = &uc->files[uc->nfiles];
	memset(f, 0, sizeof(*f));
	f->syms.fd = -1;
	if ((f->path = strndup(path, len)) == NULL)
		abort();
	const char *b = strrchr(f->path, '/');
	f->name = b != NULL ? b + 1 : f->path;
	return uc->nfiles++;
}

static uproc_t *proc_of(dt_ucache_t *uc, int pid)
{
	for (size_t i = 0; i < uc->nprocs; i++)
		if (uc->procs[i].pid == pid)
			return &uc->procs[i];
	if (uc->nprocs == uc->proccap) {
		uc->proccap = uc->proccap ? uc->proccap * 2 : 16;
		uc->procs = realloc(uc->procs, uc->proccap * sizeof(uproc_t));
		if (uc->procs == NULL)
			abort();
	}
	uproc_t *p = &uc->procs[uc->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

/* Read pid's executable file mappings; a process that is gone keeps the
   ones read before. */
static void read_maps(dt_ucache_t *uc, uproc_t *p)
{
	char path[64], *line = NULL;
	size_t cap = 0, n = 0, mcap = 0;
	umapping_t *maps = NULL;
	dt_umap_t m;
	FILE *fp;

	p->read_ns = now_ns();
	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	if ((fp = fopen(path, "re")) == NULL)
		return;
	while (getline(&line, &cap, fp) > 0) {
		if (dt_uproc_parse_map(line, &m) < 0 || m.perms[2] != 'x' ||
		    m.path[0] != '/')
			continue;
		if (n == mcap) {
			mcap = mcap ? mcap * 2 : 32;
			if ((maps = realloc(maps, mcap * sizeof(*maps))) == NULL)
				abort();
		}
		maps[n++] = (umapping_t){ m.start, m.end, m.off,
					  file_of(uc, m.path, m.pathlen) };
	}
	free(line);
	fclose(fp);
	if (n == 0) {		/* a zombie has no mappings: keep the old */
		free(maps);
		return;
	}
	free(p->maps);
	p->maps = maps;
	p->n = n;
}

void dt_ucache_refresh(dtrace_hdl_t *dtp, int pid)
{
	dt_ucache_t *uc = ucache(dtp);

	read_maps(uc, proc_of(uc, pid));
}

static const umapping_t *find_map(const uproc_t *p, uint64_t addr)
{
	for (size_t i = 0; i < p->n; i++)
		if (addr >= p->maps[i].start && addr < p->maps[i].end)
			return &p->maps[i];
	return NULL;
}

static void load_file(dtrace_hdl_t *dtp, ufile_t *f)
{
	char errmsg[sizeof(dtp->errmsg)];
	dtrace_errkind_t kind = dtp->errkind;

	f->loaded = true;
	memcpy(errmsg, dtp->errmsg, sizeof(errmsg));	/* not an error */
	if (dt_usyms_read(dtp, f->path, &f->syms) < 0) {
		memcpy(dtp->errmsg, errmsg, sizeof(errmsg));
		dtp->errkind = kind;
		return;
	}
	size_t n;
	if (f->syms.elf == NULL || elf_getphdrnum(f->syms.elf, &n) != 0 ||
	    (f->ph = calloc(n + 1, sizeof(*f->ph))) == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(f->syms.elf, (int)i, &f->ph[f->nph]) != NULL &&
		    f->ph[f->nph].p_type == PT_LOAD)
			f->nph++;
}

/* The symbol at file offset fo of f, through its PT_LOAD headers. */
static const dt_usym_t *file_sym(const ufile_t *f, uint64_t fo,
				 uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nph; i++) {
		const GElf_Phdr *ph = &f->ph[i];
		if (fo < ph->p_offset || fo - ph->p_offset >= ph->p_filesz)
			continue;
		*vaddr = fo - ph->p_offset + ph->p_vaddr;
		return dt_usyms_at(&f->syms, *vaddr);
	}
	return NULL;
}

bool dt_usym_lookup(dtrace_hdl_t *dtp, int pid, uint64_t addr,
		    dt_symres_t *r)
{
	dt_ucache_t *uc = ucache(dtp);
	uproc_t *p = proc_of(uc, pid);
	const umapping_t *m = find_map(p, addr);

	if (m == NULL && now_ns() - p->read_ns > 10000000u) {
		read_maps(uc, p);
		m = find_map(p, addr);
	}
	if (m == NULL)
		return false;
	ufile_t *f = &uc->files[m->file];
	if (!f->loaded)
		load_file(dtp, f);
	uint64_t vaddr = 0;
	const dt_usym_t *s = file_sym(f, addr - m->start + m->off, &vaddr);
	r->mod = f->name;
	r->base = m->start;	/* a key of umod() keeps this */
	r->name = s != NULL ? s->name : NULL;
	r->off = s != NULL ? vaddr - s->value : 0;
	return true;
}

void dt_ucache_free(dtrace_hdl_t *dtp)
{
	dt_ucache_t *uc = dtp->ucache;

	if (uc == NULL)
		return;
	for (size_t i = 0; i < uc->nprocs; i++)
		free(uc->procs[i].maps);
	for (size_t i = 0; i < uc->nfiles; i++) {
		free(uc->files[i].path);
		free(uc->files[i].ph);
		if (uc->files[i].loaded)
			dt_usyms_free(&uc->files[i].syms);
	}
	free(uc->procs);
	free(uc->files);
	free(uc);
	dtp->ucache = NULL;
}

/* Does any clause or aggregation record user stacks or symbols? */
static bool uses_user_syms(const dtrace_hdl_t *dtp)
{
	for (size_t i = 0; i < dtp->nclauses; i++)
		for (size_t j = 0; j < dtp->clauses[i]->nacts; j++) {
			const dl_action_t *a = &dtp->clauses[i]->acts[j];
			if (a->kind == DL_ACT_STACK &&
			    (a->fields[0].kind == DL_F_USTACK ||
			     a->fields[0].kind == DL_F_USYM))
				return true;
		}
	for (size_t i = 0; i < dtp->aggs.n; i++)
		for (uint32_t k = 0; k < dtp->aggs.aggs[i]->tup.nkeys; k++) {
			uint8_t stk = dtp->aggs.aggs[i]->tup.keys[k].stk;
			if (stk == DL_F_USTACK || stk == DL_F_USYM)
				return true;
		}
	return false;
}

void dt_ucache_tick(dtrace_hdl_t *dtp)
{
	if (dtp->macros.target > 0 && uses_user_syms(dtp))
		dt_ucache_refresh(dtp, (int)dtp->macros.target);
}

/* ---- text of one address ------------------------------------------------- */

static bool lookup(dtrace_hdl_t *dtp, int pid, uint64_t addr, dt_symres_t *r)
{
	if (pid < 0)
		return dt_ksyms_lookup(dt_ksyms(dtp), addr, r);
	return dt_usym_lookup(dtp, pid, addr, r);
}

/* The text of addr (pid -1: a kernel address) printed as fmt. */
static void addr_text(dtrace_hdl_t *dtp, int pid, uint64_t addr,
		      dl_symfmt_t fmt, char *buf, size_t size)
{
	dt_symres_t r = { 0 };
	unsigned long long a = (unsigned long long)addr;

	if (!lookup(dtp, pid, addr, &r))
		snprintf(buf, size, "0x%llx", a);
	else if (fmt == DL_SYM_MOD)
		snprintf(buf, size, "%s", r.mod);
	else if (r.name == NULL)
		snprintf(buf, size, "%s`0x%llx", r.mod, a);
	else if (r.off == 0 || fmt == DL_SYM_SYM)
		snprintf(buf, size, "%s`%s", r.mod, r.name);
	else
		snprintf(buf, size, "%s`%s+0x%llx", r.mod, r.name,
			 (unsigned long long)r.off);
}

void dt_addr_text(dtrace_hdl_t *dtp, int pid, uint64_t addr, char *buf,
		  size_t size)
{
	addr_text(dtp, pid, addr, DL_SYM_ADDR, buf, size);
}

/*
 * The first frames of a kernel stack taken in a BPF program are the
 * tracing machinery's: the program itself (module "bpf"), then whatever
 * ran it (bpf_trace_run2, __bpf_trace_sys_enter, __traceiter_sys_enter
 * for a raw tracepoint; trace_call_bpf, uprobe_dispatcher ... for a
 * uprobe).  DTrace shows the stack from where the probe fired: those
 * frames are skipped, by name, since which they are depends on the kernel.
 */
static bool machinery(const dt_symres_t *r)
{
	static const char *const prefixes[] = {
		"bpf_trace_run", "__bpf_trace_", "__traceiter_",
		"trace_call_bpf", "bpf_prog_", "__bpf_prog_run", "perf_trace_",
		"perf_syscall_", "uprobe_perf_func", "__uprobe_perf_func",
		"uprobe_dispatcher", "handler_chain", "kprobe_perf_func",
		"kprobe_dispatcher", "kprobe_ftrace_handler", "bpf_get_stack",
		"bpf_overflow_handler", "__perf_event_overflow",
	};

	if (strcmp(r->mod, "bpf") == 0)
		return true;
	for (size_t i = 0; r->name != NULL &&
	     i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(r->name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* The kernel frames of a stack(n) field to show: from the first that is
   not the machinery's, n at most. */
static uint32_t kstack_frames(dtrace_hdl_t *dtp, const char *p,
			      uint32_t size, uint32_t *first)
{
	uint32_t n = size / 8, i = 0;
	dt_symres_t r;
	uint64_t v;

	for (; i < n; i++) {
		memcpy(&v, p + (size_t)i * 8, 8);
		if (v == 0 || !dt_ksyms_lookup(dt_ksyms(dtp), v, &r) ||
		    !machinery(&r))
			break;
	}
	*first = i;
	uint32_t want = n > DL_STACK_EXTRA ? n - DL_STACK_EXTRA : n;
	return n - i < want ? n - i : want;
}

int dt_print_stacksym(dtrace_hdl_t *dtp, FILE *out, uint32_t kind,
		      uint32_t symfmt, uint32_t size, const void *data)
{
	const char *p = data;
	int indent = (int)dt_opt(dtp, DT_OPT_stackindent);
	int pid = -1;
	uint64_t v;
	char buf[512];

	if (kind == DL_F_USTACK || kind == DL_F_USYM) {
		memcpy(&v, p, 8);
		pid = (int)v;
		p += 8;
		size -= 8;
	}
	if (kind == DL_F_SYM || kind == DL_F_USYM) {
		memcpy(&v, p, 8);
		addr_text(dtp, pid, v, (dl_symfmt_t)symfmt, buf, sizeof(buf));
		return fprintf(out, "  %-50s", buf);
	}
	if (fputc('\n', out) == EOF)
		return -1;
	uint32_t first = 0, n = size / 8;
	if (kind == DL_F_STACK)
		n = kstack_frames(dtp, p, size, &first);
	for (uint32_t i = first * 8; i < (first + n) * 8; i += 8) {
		memcpy(&v, p + i, 8);
		if (v == 0)
			break;
		addr_text(dtp, pid, v, DL_SYM_ADDR, buf, sizeof(buf));
		if (fprintf(out, "%*s%s\n", indent, "", buf) < 0)
			return -1;
	}
	return 0;
}

/* ---- aggregation keys ----------------------------------------------------- */

bool dt_stack_key_normalize(dtrace_hdl_t *dtp, const dl_agg_t *a, char *key)
{
	bool changed = false;

	for (uint32_t k = 0; k < a->tup.nkeys; k++) {
		const dl_aggkey_t *ak = &a->tup.keys[k];
		char *p = key + ak->off;
		int pid = -1;
		uint64_t v;
		dt_symres_t r = { 0 };

		if (ak->stk == DL_F_STACK) {	/* the frames shown, only */
			uint32_t first, n = kstack_frames(dtp, p, ak->size,
							  &first);
			if (first == 0 && n == ak->size / 8)
				continue;
			memmove(p, p + (size_t)first * 8, (size_t)n * 8);
			memset(p + (size_t)n * 8, 0, ak->size - (size_t)n * 8);
			changed = true;
			continue;
		}
		if ((ak->stk != DL_F_SYM && ak->stk != DL_F_USYM) ||
		    ak->symfmt == DL_SYM_ADDR)
			continue;
		if (ak->stk == DL_F_USYM) {
			memcpy(&v, p, 8);
			pid = (int)v;
			p += 8;
		}
		memcpy(&v, p, 8);
		if (!lookup(dtp, pid, v, &r))
			continue;
		if (ak->symfmt == DL_SYM_SYM && r.name != NULL)
			v -= r.off;	/* the function's start */
		else if (ak->symfmt == DL_SYM_MOD)
			v = r.base;	/* the module's */
		memcpy(p, &v, 8);
		changed = true;
	}
	return changed;
}
