/*
 * fbt.c - the fbt provider: fbt:<module>:<function>:entry and :return for
 * the kernel's traceable functions, on kprobes and kretprobes.
 *
 * Probes.  Module "vmlinux" for built-in functions, else the module's name,
 * as in Oracle's Linux DTrace.  The functions are those of tracefs'
 * available_filter_functions ("name" or "name [module]"; the placeholders
 * 6.1 leaves for dropped weak functions, __ftrace_invalid_address___N, are
 * not functions) when it can be read.  Where it cannot (our 6.18 machines:
 * EPERM), /proc/kallsyms' text symbols (module in the fourth column) that
 * the kernel's BTF (or the module's) knows as functions: that drops what
 * the compiler split or cloned (.isra, .cold) and most of what is not a C
 * function.  Read once per description, matched before anything is
 * inserted, in the file's order, entry before return.
 *
 * Programs.  Probes of one kind (entry or return) running the same clauses
 * share one BPF kprobe program whose context is the probed function's
 * struct pt_regs; the probe id is the attach cookie.  Attach: with
 * kprobe.multi links (fprobe; not in Debian 12's 6.1 kernel) one link for
 * all of a program's probes, the program loaded for
 * BPF_TRACE_KPROBE_MULTI, the cookies in the probes' order (built-in
 * functions only: the kernel looks those names up without the module
 * syntax); else one perf event per probe on the kprobe PMU (config1 = the
 * function's name, "module:function" for a module's, the PMU's retprobe
 * bit for return) with a BPF link carrying the cookie.  Nothing goes through
 * kprobe_events: when dtrace exits or is killed the kernel removes the
 * probes.
 *
 * Functions that share a name.  Static functions of different files may
 * (load_elf_binary is binfmt_elf's and compat_binfmt_elf's; 271 names
 * in Debian 12's 6.1): one probe stands for all of them, as the name is
 * all a description gives.  The kernel refuses a kprobe by an ambiguous
 * name (EADDRNOTAVAIL), so such a probe gets a kprobe per function, by
 * its address in /proc/kallsyms (one read at attach for them all); those
 * where the kernel takes no kprobe are skipped, the probe fails if none
 * can be.  A name is known shared when the scan meets it twice, or when
 * the kernel refuses it (ftrace may list one of them only).  Not with
 * fentry or kprobe.multi, which would find one of them by name; typed
 * arguments only if BTF gives all of them one prototype (kbtf.c).
 *
 * Arguments, x86_64.  Entry: arg0..arg5 are the registers of the calling
 * convention (di, si, dx, cx, r8, r9), arg6..arg9 the stack slots above
 * the return address (read with bpf_probe_read_kernel; 0 if unreadable);
 * like DTrace's argN they are raw 64-bit values, whatever the function
 * really takes.  Return: arg1 is the return value (ax); arg0 would be the
 * offset of the returning instruction, which a kretprobe cannot know: it
 * is -1, as in Oracle's DTrace on kprobes.
 *
 * Types and fentry (decided here; measured where noted).  args[] and -lv
 * take the types of the function's BTF prototype (vmlinux's, or for a
 * module's function the module's split BTF, whose own types are spelled
 * with its scope, "struct loop`loop_device *", kbtf.c; on return
 * DTrace's pair, args[0] an int offset and args[1] the return value with
 * the function's return type).  The kernel allows one fentry
 * or fexit program per function (its BTF id is fixed when the program is
 * loaded), so `fbt::vfs_*:entry` by fentry would be ~75 loads and
 * verifications, where kprobe.multi is one program and one link, and the
 * kprobe PMU one program and a perf event per function.  So: a probe is
 * served by kprobes unless a clause names its args[] (the compiler asks
 * for their types: argtypes below marks the probe) and the kernel loads
 * fentry programs and the function's parameters and return value are
 * words (what a trampoline passes one per slot, at most six): then it is
 * an fentry/fexit program of its own (its probe id a constant, the
 * context the arguments, then the return value), whose arguments are
 * exactly the prototype's, as BTF types them, and which the trampoline
 * dispatches without the breakpoint or ftrace handler of a kprobe.  A
 * module's function stays on kprobes, typed all the same (fentry would
 * need the module's BTF object at load).  On a kernel with fentry but no
 * kprobes every vmlinux function is served by fentry.  Untyped clauses keep arg0..arg9 from registers and the stack.
 *
 * Kernels that cannot do it.  Without the kprobe PMU (CONFIG_KPROBES off)
 * and without fentry (our 6.18 machines: EPERM) fbt probes are still
 * listed, but a program using them fails before anything is loaded, at
 * prepare(), with what is missing: kprobes, and why fentry cannot serve.
 *
 * Probe data: an fbt_data_t in the handle's arena.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/ptrace.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

#define FBT_MAX_ARGS 10		/* arg0..arg9, as DT_PV_ARG */
#define FENTRY_MAX_ARGS 6	/* what every x86_64 trampoline takes */
#define K_RETURN 1		/* kind bits */
#define K_FENTRY 2

typedef struct fbt_data {
	bool ret;		/* a return probe */
	bool fentry;		/* served by fentry/fexit (see the essay) */
	bool void_ret;		/* the function returns void (BTF) */
	int nparams;		/* from BTF, -1: not looked up or none */
	uint32_t proto;		/* its BTF FUNC_PROTO, 0: none */
	uint32_t func;		/* its BTF FUNC (fentry's attach_btf_id) */
	const dt_kbtf_t *kb;	/* whose BTF: vmlinux's or its module's */
	bool dup;		/* its name is several functions' */
	uint64_t *addrs;	/* dup: the functions' addresses (attach) */
	size_t naddrs, cap;
} fbt_data_t;
#define FBT_INVALID "__ftrace_invalid_address__"
#define KALLSYMS "/proc/kallsyms"

static const dt_provattr_t fbt_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_COMMON },
	.args = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_ISA },
};


static fbt_data_t *fbt_data(const dt_probe_t *prb)
{
	return prb->data;
}

static bool fbt_is_return(const dt_probe_t *prb)
{
	return fbt_data(prb)->ret;
}

/* Look the function up in BTF once: vmlinux's, or its module's (split
   BTF on vmlinux's). */
static void fbt_btf(dtrace_hdl_t *dtp, const dt_probe_t *prb)
{
	fbt_data_t *d = fbt_data(prb);
	dt_kbtf_t *kb;

	if (d->nparams >= 0 || d->proto != 0)
		return;
	kb = strcmp(prb->mod, "vmlinux") == 0 ? dt_kbtf(dtp) :
	     dt_kbtf_mod(dtp, prb->mod);
	if (kb == NULL || (d->proto = dt_kbtf_func(kb, prb->func,
						   &d->func)) == 0)
		return;
	d->kb = kb;
	d->nparams = dt_kbtf_nparams(kb, d->proto);
	d->void_ret = dt_kbtf_void(kb, d->proto);
}

/* Can this probe be served by fentry/fexit: the kernel loads fentry
   programs and the function's arguments fit the trampoline? */
static bool fbt_fentry_ok(dtrace_hdl_t *dtp, const dt_probe_t *prb)
{
	const fbt_data_t *d = fbt_data(prb);

	dt_features_kfunc(dtp);
	if (d->dup)
		return false;	/* fentry finds one of them by name */
	if (dtp->feat.fentry_errno != 0 || strcmp(prb->mod, "vmlinux") != 0)
		return false;	/* a module's: its BTF object's fd would be
				   needed at load too */
	fbt_btf(dtp, prb);
	return d->proto != 0 && dt_kbtf_words(d->kb, d->proto,
					      FENTRY_MAX_ARGS);
}

/* Entry: the prototype's parameters.  Return: DTrace's, the offset of
   the return (an int) and the return value with the function's type. */
static int fbt_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			char types[][DT_TYPE_NAME_MAX], int max)
{
	fbt_data_t *d = fbt_data(prb);
	const dt_kbtf_t *kb;

	fbt_btf(dtp, prb);
	if (d->proto == 0 || (kb = d->kb) == NULL || max < 2)
		return 0;
	/* a clause naming args[] gets fentry where it can (the essay) */
	if (!d->fentry && fbt_fentry_ok(dtp, prb))
		d->fentry = true;
	if (!d->ret)
		return dt_kbtf_params(kb, d->proto, 0, types, max);
	snprintf(types[0], DT_TYPE_NAME_MAX, "int");
	if (d->void_ret)
		return 1;
	dt_kbtf_return(kb, d->proto, types[1], DT_TYPE_NAME_MAX);
	return 2;
}

/* ---- the kernel's functions ---------------------------------------------- */

/* The kernel's traceable functions, read once per handle (by the first
   fbt description), in the file's order: one entry per module and name,
   dup if the name is several functions'. */
typedef struct fbt_func {
	const char *mod, *func;	/* in the list's pool */
	bool dup;
	bool again;		/* a later one of a dup name: skipped */
} fbt_func_t;

typedef struct fbt_pool {	/* the names, packed */
	struct fbt_pool *next;
	size_t used;
	char s[65536 - 2 * sizeof(size_t)];
} fbt_pool_t;

struct dt_fbtfuncs {
	fbt_func_t *v;
	size_t n, cap;
	fbt_func_t **byname;	/* v's entries by name, module, index */
	fbt_pool_t *pool;
};

static const char *fbt_str(struct dt_fbtfuncs *fl, const char *s)
{
	size_t n = strlen(s) + 1;	/* at most 256 */
	char *d;

	if (fl->pool == NULL || fl->pool->used + n > sizeof(fl->pool->s)) {
		fbt_pool_t *p = malloc(sizeof(*p));

		if (p == NULL)
			return NULL;
		p->next = fl->pool;
		p->used = 0;
		fl->pool = p;
	}
	d = memcpy(fl->pool->s + fl->pool->used, s, n);
	fl->pool->used += n;
	return d;
}

static int fbt_add(struct dt_fbtfuncs *fl, const char *mod,
		   const char *func)
{
	const char *m = NULL, *f;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? 2 * fl->cap : 4096;
		fbt_func_t *v = realloc(fl->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		fl->v = v;
		fl->cap = cap;
	}
	/* a module's functions come together: its name is kept once */
	if (fl->n > 0 && strcmp(fl->v[fl->n - 1].mod, mod) == 0)
		m = fl->v[fl->n - 1].mod;
	if ((m == NULL && (m = fbt_str(fl, mod)) == NULL) ||
	    (f = fbt_str(fl, func)) == NULL)
		return -1;
	fl->v[fl->n++] = (fbt_func_t){ m, f, false, false };
	return 0;
}

/* available_filter_functions: 1 if read, 0 if it cannot be, -1 on error. */
static int fbt_read_ftrace(dtrace_hdl_t *dtp, struct dt_fbtfuncs *fl)
{
	char path[128], line[512], func[256], mod[128];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/available_filter_functions",
		 dtp->feat.tracefs);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		int n = sscanf(line, "%255s [%127[^]]]", func, mod);

		if (n < 1 || strncmp(func, FBT_INVALID,
				     strlen(FBT_INVALID)) == 0)
			continue;
		rc = fbt_add(fl, n == 2 ? mod : "vmlinux", func);
	}
	if (ferror(f) && fl->n == 0 && rc == 0)
		rc = 0;		/* EPERM shows on the first read */
	else if (rc == 0)
		rc = 1;
	else
		dt_set_error(dtp, DTRACE_ERR_SYSTEM,
			     "Memory allocation failure");
	fclose(f);
	return rc;
}

/* The names of a BTF's functions, sorted, for bsearch. */
typedef struct fbt_names {
	struct btf *btf;	/* holds the strings v[] points to */
	bool owned;		/* a module's, freed with the set (vmlinux's
				   is the handle's) */
	const char **v;
	size_t n;
	char mod[128];		/* whose: "vmlinux" or a module */
} fbt_names_t;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fbt_names_free(fbt_names_t *nm)
{
	if (nm->owned)
		btf__free(nm->btf);
	free(nm->v);
	memset(nm, 0, sizeof(*nm));
}

/* Load the function names of vmlinux's BTF (base NULL: the handle's) or
   of module mod's (split on base).  No BTF gives an empty set.  0, or -1
   if out of memory. */
static int fbt_names_load(dtrace_hdl_t *dtp, fbt_names_t *nm,
			  struct btf *base, const char *mod)
{
	uint32_t first, cnt;

	fbt_names_free(nm);
	snprintf(nm->mod, sizeof(nm->mod), "%s", mod);
	nm->owned = base != NULL;
	nm->btf = base == NULL ? dt_vmlinux_btf(dtp) :
		  btf__load_module_btf(mod, base);
	if (nm->btf == NULL || libbpf_get_error(nm->btf) != 0) {
		nm->btf = NULL;	/* libbpf may return an error pointer */
		nm->owned = false;
		return 0;
	}
	first = base == NULL ? 1 : btf__type_cnt(base);
	cnt = btf__type_cnt(nm->btf);
	if (cnt <= first)
		return 0;
	if ((nm->v = calloc(cnt - first, sizeof(char *))) == NULL)
		return -1;
	for (uint32_t id = first; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(nm->btf, id);

		if (btf_is_func(t))
			nm->v[nm->n++] = btf__name_by_offset(nm->btf,
							     t->name_off);
	}
	qsort(nm->v, nm->n, sizeof(char *), cmp_str);
	return 0;
}

static bool fbt_names_has(const fbt_names_t *nm, const char *name)
{
	return nm->n > 0 && bsearch(&name, nm->v, nm->n, sizeof(char *),
				    cmp_str) != NULL;
}

/* /proc/kallsyms' text symbols that are BTF functions: 0 or -1. */
static int fbt_read_kallsyms(dtrace_hdl_t *dtp, struct dt_fbtfuncs *fl)
{
	char line[512], type, func[256], mod[128];
	fbt_names_t vm = { 0 }, md = { 0 };
	FILE *f = fopen(KALLSYMS, "re");
	int rc = 0;

	if (f == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot list "
				    "fbt probes: available_filter_functions "
				    "cannot be read, nor can %s: %s",
				    KALLSYMS, strerror(errno));
	rc = fbt_names_load(dtp, &vm, NULL, "vmlinux");
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		int n = sscanf(line, "%*s %c %255s [%127[^]]]", &type, func,
			       mod);
		const fbt_names_t *nm = &vm;

		if (n < 2 || (type != 't' && type != 'T'))
			continue;
		if (n == 3) {
			if (strcmp(md.mod, mod) != 0 &&
			    (rc = fbt_names_load(dtp, &md, vm.btf, mod)) < 0)
				break;
			nm = &md;
		}
		if (fbt_names_has(nm, func))
			rc = fbt_add(fl, n == 3 ? mod : "vmlinux", func);
	}
	if (rc < 0)
		dt_set_error(dtp, DTRACE_ERR_SYSTEM,
			     "Memory allocation failure");
	fbt_names_free(&md);
	fbt_names_free(&vm);
	fclose(f);
	return rc;
}

static int cmp_byname(const void *a, const void *b)
{
	const fbt_func_t *f = *(fbt_func_t *const *)a;
	const fbt_func_t *g = *(fbt_func_t *const *)b;
	int c = strcmp(f->func, g->func);

	if (c == 0)
		c = strcmp(f->mod, g->mod);
	return c != 0 ? c : f < g ? -1 : f > g;
}

static void fbt_funcs_free(struct dt_fbtfuncs *fl)
{
	for (fbt_pool_t *p = fl->pool, *next; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	free(fl->v);
	free(fl->byname);
	free(fl);
}

/* Read the list once: 0, or -1 with the error set. */
static int fbt_funcs(dtrace_hdl_t *dtp, struct dt_fbtfuncs **out)
{
	struct dt_fbtfuncs *fl = dtp->fbtfuncs;
	int rc;

	if (fl != NULL) {
		*out = fl;
		return 0;
	}
	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "Memory allocation failure");
	if ((rc = fbt_read_ftrace(dtp, fl)) == 0)
		rc = fbt_read_kallsyms(dtp, fl);
	if (rc >= 0 && fl->n > 0 &&
	    (fl->byname = malloc(fl->n * sizeof(*fl->byname))) == NULL)
		rc = dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				  "Memory allocation failure");
	if (rc < 0) {
		fbt_funcs_free(fl);
		return -1;
	}
	for (size_t i = 0; i < fl->n; i++)
		fl->byname[i] = &fl->v[i];
	qsort(fl->byname, fl->n, sizeof(*fl->byname), cmp_byname);
	/* a run of one module and name: the first in the file stands for
	   them all */
	for (size_t i = 1; i < fl->n; i++) {
		fbt_func_t *a = fl->byname[i - 1], *b = fl->byname[i];

		if (strcmp(a->func, b->func) == 0 &&
		    strcmp(a->mod, b->mod) == 0) {
			b->again = true;
			if (!a->again)
				a->dup = true;
		}
	}
	dtp->fbtfuncs = *out = fl;
	return 0;
}

void dt_fbt_free(dtrace_hdl_t *dtp)
{
	if (dtp->fbtfuncs != NULL)
		fbt_funcs_free(dtp->fbtfuncs);
	dtp->fbtfuncs = NULL;
}

typedef struct fbt_scan {
	dtrace_hdl_t *dtp;
	const dt_pdesc_t *pd;
	bool entry, ret;	/* which names the description wants */
	bool fentry;		/* no kprobes but fentry: all by fentry */
	int n;			/* probes inserted or found */
} fbt_scan_t;

/* Insert the function's probes the description wants: 0 or -1. */
static int fbt_insert(fbt_scan_t *s, const fbt_func_t *f)
{
	if (f->again || !dt_gmatch(f->mod, s->pd->mod))
		return 0;
	for (int ret = 0; ret <= 1; ret++) {
		fbt_data_t *d;
		dt_probe_t *prb;

		if (!(ret ? s->ret : s->entry))
			continue;
		d = dl_alloc(s->dtp->arena, sizeof(*d));
		d->ret = ret;
		d->nparams = -1;
		d->dup = f->dup;
		if ((prb = dt_probe_insert(s->dtp, &dt_prov_fbt, f->mod,
					   f->func, ret ? "return" : "entry",
					   d)) == NULL)
			return -1;
		if (s->fentry && !fbt_data(prb)->fentry &&
		    fbt_fentry_ok(s->dtp, prb))
			fbt_data(prb)->fentry = true;
		s->n++;
	}
	return 0;
}

static int fbt_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	fbt_scan_t s = { dtp, pd, dt_gmatch("entry", pd->name),
			 dt_gmatch("return", pd->name), false, 0 };
	struct dt_fbtfuncs *fl = NULL;
	const char *fn = pd->func;
	int rc = 0;

	if (!(s.entry || s.ret))
		return 0;
	if (dt_features_probe(dtp) < 0 || fbt_funcs(dtp, &fl) < 0)
		return -1;
	dt_features_kfunc(dtp);
	s.fentry = dtp->feat.kprobe_type < 0 && dtp->feat.fentry_errno == 0;
	if (fn != NULL && *fn != '\0' && strpbrk(fn, "*?[\\") == NULL) {
		/* one name: its entries, found by bsearch */
		size_t lo = 0, hi = fl->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(fl->byname[mid]->func, fn) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; rc == 0 && lo < fl->n &&
		     strcmp(fl->byname[lo]->func, fn) == 0; lo++)
			rc = fbt_insert(&s, fl->byname[lo]);
	} else {
		for (size_t i = 0; rc == 0 && i < fl->n; i++)
			if (dt_gmatch(fl->v[i].func, fn))
				rc = fbt_insert(&s, &fl->v[i]);
	}
	return rc < 0 ? -1 : s.n;
}

/* ---- code generation ----------------------------------------------------- */

/* kprobes: entry, return; fentry: one kind per probe. */
static int fbt_kind(const dt_probe_t *prb)
{
	int k = fbt_is_return(prb) ? K_RETURN : 0;

	return fbt_data(prb)->fentry ? (int)(prb->id << 2) | K_FENTRY | k : k;
}

static int fbt_prog_type_of(int kind)
{
	return kind & K_FENTRY ? BPF_PROG_TYPE_TRACING : BPF_PROG_TYPE_KPROBE;
}

/* fentry: the context is the arguments, a word each, then (fexit) the
   return value. */
static ir_ref_t fbt_fentry_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
				 dt_pvar_t what, int n)
{
	const fbt_data_t *d = fbt_data(prb);
	ir_func_t *fn = env->fn;

	if (what == DT_PV_PROBEID)
		return ir_con(fn, prb->id);
	if (what != DT_PV_ARG || n < 0 || n >= FBT_MAX_ARGS)
		return IR_NONE;
	if (d->ret)
		return n == 0 ? ir_con(fn, -1) : n == 1 && !d->void_ret ?
		       ir_load(fn, env->blk, 8, env->ctx, 8 * d->nparams) :
		       IR_NONE;
	return n < d->nparams ? ir_load(fn, env->blk, 8, env->ctx, 8 * n) :
	       IR_NONE;
}

static ir_ref_t fbt_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			  dt_pvar_t what, int n)
{
	ir_func_t *fn = env->fn;

	if (fbt_data(prb)->fentry)
		return fbt_fentry_lower(env, prb, what, n);
	if (what == DT_PV_PROBEID)
		return dt_cookie_probeid(env);
	if (what != DT_PV_ARG || n < 0 || n >= FBT_MAX_ARGS)
		return IR_NONE;
	if (fbt_is_return(prb))
		return n == 0 ? ir_con(fn, -1) : n == 1 ?
		       dt_regs_retval(env) : IR_NONE;
	return dt_regs_arg(env, n, false);
}

/* ---- before loading: can this kernel do it? ------------------------------ */

static int fbt_unsupported(dtrace_hdl_t *dtp, const dt_bpfprog_t *bp)
{
	const dt_probe_t *p = bp->probes[0];
	char fentry[160];

	if (dtp->feat.fentry_errno == 0)
		snprintf(fentry, sizeof(fentry), "its function cannot be "
			 "traced with fentry (no BTF for it, or arguments "
			 "a trampoline does not pass)");
	else
		snprintf(fentry, sizeof(fentry), "fentry programs cannot be "
			 "loaded either (%s)", strerror(dtp->feat.fentry_errno));
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot enable "
			    "%s:%s:%s:%s: this kernel cannot trace kernel "
			    "functions: it has no kprobes (no kprobe PMU in "
			    "/sys/bus/event_source/devices: CONFIG_KPROBES is "
			    "not set), and %s", p->prov, p->mod, p->func,
			    p->name, fentry);
}

static int fbt_prepare(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	if (bp->kind & K_FENTRY) {
		const fbt_data_t *d = fbt_data(bp->probes[0]);

		bp->attach_type = d->ret ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
		bp->attach_btf_id = d->func;
		return 0;
	}
	dt_features_kfunc(dtp);
	if (dtp->feat.kprobe_type < 0)
		return fbt_unsupported(dtp, bp);
	if (!dtp->feat.kprobe_multi || bp->nprobes < 2)
		return 0;
	/* the kernel resolves kprobe.multi names as plain symbols: modules'
	   functions ("module:function") go through the kprobe PMU, and so
	   do names that several functions share */
	for (size_t i = 0; i < bp->nprobes; i++)
		if (strcmp(bp->probes[i]->mod, "vmlinux") != 0 ||
		    fbt_data(bp->probes[i])->dup)
			return 0;
	bp->attach_type = BPF_TRACE_KPROBE_MULTI;
	return 0;
}

/* ---- attach -------------------------------------------------------------- */

/* The name the kernel looks the function up by: "func", "module:func". */
static void fbt_symbol(const dt_probe_t *prb, char *buf, size_t size)
{
	if (strcmp(prb->mod, "vmlinux") == 0)
		snprintf(buf, size, "%s", prb->func);
	else
		snprintf(buf, size, "%s:%s", prb->mod, prb->func);
}

/* fentry/fexit: the program was loaded for the function. */
static int fbt_attach_fentry(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	return dt_tracing_attach(dtp, prb, prog_fd, fbt_is_return(prb) ?
				 "fexit link" : "fentry link");
}

/* dup probes of v[0..n), sorted by function name, for the kallsyms scan */
typedef struct fbt_dups {
	dt_probe_t **v;
	size_t n;
	dtrace_hdl_t *dtp;
} fbt_dups_t;

static int cmp_func(const void *a, const void *b)
{
	return strcmp((*(dt_probe_t *const *)a)->func,
		      (*(dt_probe_t *const *)b)->func);
}

/* A kallsyms function: its address goes to the dup probes named so. */
static int fbt_dup_addr(void *arg, const char *mod, const char *name,
			uint64_t addr)
{
	fbt_dups_t *ds = arg;
	dt_probe_t key_prb = { .func = (char *)name }, *key = &key_prb;
	dt_probe_t **p = bsearch(&key, ds->v, ds->n, sizeof(*p), cmp_func);

	if (p == NULL)
		return 0;
	while (p > ds->v && strcmp(p[-1]->func, name) == 0)
		p--;
	for (; p < ds->v + ds->n && strcmp((*p)->func, name) == 0; p++) {
		fbt_data_t *d = fbt_data(*p);

		if (strcmp((*p)->mod, mod) != 0)
			continue;
		dl_vec_grow(ds->dtp->arena, (void **)&d->addrs, &d->cap,
			    d->naddrs + 1, sizeof(uint64_t));
		d->addrs[d->naddrs++] = addr;
	}
	return 0;
}

/* The addresses of the functions behind n dup probes v[] (one kallsyms
   read): 0, or -1 with the handle's error set. */
static int fbt_dup_addrs(dtrace_hdl_t *dtp, dt_probe_t **v, size_t n)
{
	fbt_dups_t ds = { v, n, dtp };
	FILE *f = fopen(KALLSYMS, "re");

	if (f == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				    "%s:%s:%s:%s: %s names more than one "
				    "function, and %s cannot be read: %s",
				    v[0]->prov, v[0]->mod, v[0]->func,
				    v[0]->name, v[0]->func, KALLSYMS,
				    strerror(errno));
	qsort(v, n, sizeof(*v), cmp_func);
	dt_ksym_each_text(f, fbt_dup_addr, &ds);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (fbt_data(v[i])->naddrs == 0)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to "
					    "enable %s:%s:%s:%s: no function "
					    "of that name in %s", v[i]->prov,
					    v[i]->mod, v[i]->func, v[i]->name,
					    KALLSYMS);
	return 0;
}

/* A kprobe on each of the functions that share the probe's name (by
   address: the kernel refuses a name that is ambiguous).  Those where the
   kernel refuses kprobes (EINVAL: its blacklist, noinstr code) cannot be
   traced, as a function ftrace does not list is not fbt's; the probe
   fails only if none can be. */
static int fbt_attach_addrs(dtrace_hdl_t *dtp, dt_probe_t *prb,
			    struct perf_event_attr *attr, int prog_fd)
{
	fbt_data_t *d = fbt_data(prb);
	size_t ok = 0;

	if (d->naddrs == 0 && fbt_dup_addrs(dtp, &prb, 1) < 0)
		return -1;
	attr->config1 = 0;				/* no kprobe_func */
	for (size_t i = 0; i < d->naddrs; i++) {
		attr->config2 = d->addrs[i];		/* kprobe_addr */
		if (dt_perf_attach(dtp, prb, attr, 0, prog_fd, prb->id) == 0)
			ok++;
		else if (errno != EINVAL)
			return -1;
	}
	return ok > 0 ? 0 : -1;
}

static int fbt_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	char sym[300];
	struct perf_event_attr attr = {
		.type = (uint32_t)dtp->feat.kprobe_type,
	};

	if (fbt_data(prb)->fentry)
		return fbt_attach_fentry(dtp, prb, prog_fd);

	if (fbt_is_return(prb))
		attr.config = 1ull << dtp->feat.kprobe_retbit;
	if (fbt_data(prb)->dup)
		return fbt_attach_addrs(dtp, prb, &attr, prog_fd);
	fbt_symbol(prb, sym, sizeof(sym));
	attr.config1 = (uint64_t)(uintptr_t)sym;	/* kprobe_func */
	if (dt_perf_attach(dtp, prb, &attr, 0, prog_fd, prb->id) == 0)
		return 0;
	if (errno != EADDRNOTAVAIL)
		return -1;
	/* a name available_filter_functions lists once, but kallsyms more
	   than once */
	fbt_data(prb)->dup = true;
	return fbt_attach_addrs(dtp, prb, &attr, prog_fd);
}

/* One kprobe.multi link for all the program's probes. */
static int fbt_attach_multi(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	const char **syms = calloc(bp->nprobes, sizeof(char *));
	char (*names)[300] = calloc(bp->nprobes, sizeof(*names));
	__u64 *cookies = calloc(bp->nprobes, sizeof(__u64));
	LIBBPF_OPTS(bpf_link_create_opts, o);
	const dt_probe_t *p = bp->probes[0];
	int fd = -1, err = ENOMEM;

	if (syms != NULL && names != NULL && cookies != NULL) {
		for (size_t i = 0; i < bp->nprobes; i++) {
			fbt_symbol(bp->probes[i], names[i], sizeof(names[i]));
			syms[i] = names[i];
			cookies[i] = bp->probes[i]->id;
		}
		o.kprobe_multi.syms = syms;
		o.kprobe_multi.cnt = (uint32_t)bp->nprobes;
		o.kprobe_multi.cookies = cookies;
		o.kprobe_multi.flags = fbt_is_return(p) ?
				       BPF_F_KPROBE_MULTI_RETURN : 0;
		fd = bpf_link_create(bp->fd, 0, BPF_TRACE_KPROBE_MULTI, &o);
		err = errno;
	}
	free(syms);
	free(names);
	free(cookies);
	if (fd >= 0) {
		dt_keep_fd(dtp, fd);
		return 0;
	}
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s (and %zu more): kprobe.multi link: "
			    "%s", p->prov, p->mod, p->func, p->name,
			    bp->nprobes - 1, strerror(err));
}

static int fbt_attach_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	dt_probe_t **dups;
	size_t n = 0;
	int rc = 0;

	if (bp->attach_type == BPF_TRACE_KPROBE_MULTI)
		return fbt_attach_multi(dtp, bp);
	/* the addresses of every dup probe not resolved yet in one read:
	   the entry and return programs need one read between them */
	if ((dups = calloc(dtp->nprobes, sizeof(*dups))) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "Memory allocation failure");
	for (size_t id = 0; id < dtp->nprobes; id++) {
		dt_probe_t *p = dt_probe_by_id(dtp, (uint32_t)id);

		if (p != NULL && p->ops == &dt_prov_fbt && fbt_data(p)->dup &&
		    !fbt_data(p)->fentry && fbt_data(p)->naddrs == 0)
			dups[n++] = p;
	}
	if (n > 0)
		rc = fbt_dup_addrs(dtp, dups, n);
	free(dups);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < bp->nprobes; i++)
		if (fbt_attach(dtp, bp->probes[i], bp->fd) < 0)
			return -1;
	return 0;
}

const dt_provops_t dt_prov_fbt = {
	.name = "fbt",
	.attr = &fbt_attr,
	.argtypes = fbt_argtypes,
	.populate = fbt_populate,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.kind = fbt_kind,
	.lower = fbt_lower,
	.attach = fbt_attach,
	.prepare = fbt_prepare,
	.attach_prog = fbt_attach_prog,
	.prog_type_of = fbt_prog_type_of,
};
