/*
 * pid.c - the pid provider: pid<PID>:<object>:<function>:entry, :return
 * and :<hex offset>, on uprobes in the files a process maps.
 *
 * Names.  The provider is "pid" and the process id ("pid1234", what
 * pid$target becomes once the lexer has pasted $target).  The module is the
 * basename of a file the process maps with an executable mapping
 * ("libc.so.6", the executable's own name), the function an STT_FUNC
 * symbol of its .symtab or .dynsym (uelf.c), the name "entry", "return", or
 * an offset into the function in lower-case hex without 0x ("1c"), which
 * must be inside the function (its st_size).  Module, function and name
 * may be globs; a glob name (or an empty one) matches entry and return and
 * the offset of every instruction of the function, as in DTrace: the body
 * is read from the file and walked with x86len.c's decoder, from the first
 * byte to st_size (offset 0 included, after entry and return); an
 * instruction it cannot decode fails the description with the function
 * and offset named, and instructions Linux's uprobes refuse (LOCK and
 * ES/CS/SS/DS prefixes, VEX, int3: dt_x86_uprobe_ok) have no probe.  The
 * module "a.out" means the executable: resolve() rewrites it to the
 * executable's name before matching, so its probes carry the real name, as
 * in DTrace.  Aliases (several names at one address) matched by one glob
 * give probes under the first name in (address, name) order only, so that
 * one call fires once; a name given exactly always has its own probes.
 * Probes are made for the objects mapped when they are described; those of
 * libraries the target loads later with dlopen are made when it loads them
 * (udyn.c), and join the programs already loaded.
 *
 * The -c handshake.  dtrace -c holds its command stopped by ptrace right
 * after execve, when only the executable and ld.so are mapped.  The first
 * pid description that names the process runs it on to the executable's
 * entry point (a temporary int3 there, put back afterwards, the PC rewound;
 * dt_uproc_ready in uelf.c): ld.so has then mapped every DT_NEEDED library
 * but run none of their initialisers, nor main.  The probes are made from
 * /proc/PID/maps at that point and enabled, and only then does the command
 * release the process (PTRACE_DETACH), so nothing the program itself does
 * escapes tracing.
 *
 * Uprobes.  An entry probe is a uprobe at the function's file offset (the
 * symbol's address through its PT_LOAD segment), an offset probe one at
 * that plus the offset, a return probe a uretprobe at the function's
 * offset, each filtered to the process (the kernel lets the process's
 * threads through, and removes the breakpoint from any other process that
 * maps the file) with the probe id as its attach cookie; attach.c
 * (dt_uprobe_attach) makes them.  Where the kernel has uprobe_multi links
 * (6.6+) a program's uprobes in one file are one link, made by one
 * bpf(BPF_LINK_CREATE), and the program is loaded for them (pid_prepare);
 * elsewhere each is a perf event of the uprobe PMU with a BPF link.
 * Nothing is written to tracefs: closing the fds, or dying, removes every
 * uprobe.  Registering a uprobe is the kernel's work on every process
 * that maps the file; through perf events it took milliseconds a probe
 * here (and as long again to close), through one link tens of
 * microseconds (doc/PERFORMANCE.md), so `pid$target:libc.so.6::entry`
 * enables in a fraction of a second.
 *
 * Programs.  Three kinds, entry, return and offset, each a kprobe-type
 * program (the context is the user's struct pt_regs), loaded once per
 * clause set and attached to all of its probes; the probe id comes from the
 * cookie (a constant when the program has one probe).
 *
 * A uprobe where an SDT note with a semaphore sits (a function that starts
 * with its USDT probe) is given the note's semaphore as its reference
 * counter, as the usdt provider's is: the kernel refuses two uprobes at one
 * place with different counters.
 *
 * Instructions the kernel refuses.  x86 uprobes refuse some (lock-
 * prefixed ones, as at the start of pthread_spin_lock).  As DTrace skips
 * the functions it cannot instrument, a program's probes that the kernel
 * refuses are skipped and counted, and dtrace says how many in one line
 * (dtrace_probes_skipped); if it refuses every probe of the program, the
 * run fails naming the first, as for `pid$target::pthread_spin_lock:entry`.
 * One refused uprobe fails a whole uprobe_multi link, so the probes whose
 * instruction x86len.c's decoder expects to be refused (pid_suspect) are
 * tried alone first; the kernel has the last word either way.
 *
 * Arguments (x86_64 System V).  Entry and offset probes: arg0..arg5 are
 * rdi, rsi, rdx, rcx, r8, r9; arg6 and up are read from the user stack at
 * rsp + 8 * (n - 5) (above the return address) with bpf_probe_read_user, 0
 * if that faults.  They are the function's arguments at entry only: at an
 * offset the registers hold whatever they hold there.  Return probes follow
 * Oracle's Linux DTrace on uretprobes: arg1 is the return value (rax) and
 * arg0 is 0.  (illumos DTrace puts the offset of the returning instruction
 * in arg0; a uretprobe fires at the caller's return address, after the
 * callee's ret, so that offset is not known there.)
 *
 * Probe data: a pid_data_t in the handle's arena.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/ptrace.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

enum { PID_ENTRY, PID_RETURN, PID_OFFSET };	/* the kinds */

#define PID_MAX_BODY (1 << 20)	/* bytes of a function walked for its
				   instruction probes */

typedef struct pid_data {
	const char *path;	/* the file the uprobe is in */
	uint64_t off;		/* file offset of the probe point */
	uint64_t sem_off;	/* an SDT note's semaphore there, or 0 */
	int pid;
	int kind;		/* PID_ENTRY, PID_RETURN, PID_OFFSET */
	bool suspect;		/* the decoder expects the kernel to refuse a
				   uprobe on the instruction there */
} pid_data_t;


/* DTrace's values for the pid provider. */
static const dt_provattr_t pid_attr = {
	.prov = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.mod = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.func = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
	.name = { DT_STAB_EVOLVING, DT_STAB_EVOLVING, DT_CLASS_ISA },
	.args = { DT_STAB_PRIVATE, DT_STAB_PRIVATE, DT_CLASS_UNKNOWN },
};

/* ---- names --------------------------------------------------------------- */

/* The pid of a provider field "pid1234", or -1 if it is not one. */
int dt_pid_of(const char *prov)
{
	char *end;
	long pid;

	if (strncmp(prov, "pid", 3) != 0 || !isdigit((unsigned char)prov[3]))
		return -1;
	errno = 0;
	pid = strtol(prov + 3, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT32_MAX)
		return -1;
	return (int)pid;
}

/* The offset a probe name stands for: lower-case hex, no leading zeros
   (so that one offset has one name), else -1. */
int dt_pid_offset_of(const char *name, uint64_t *off)
{
	char canon[32];
	uint64_t v = 0;

	if (*name == '\0' || strlen(name) > 16)
		return -1;
	for (const char *p = name; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) && (*p < 'a' || *p > 'f'))
			return -1;
		v = v << 4 | (uint64_t)(isdigit((unsigned char)*p) ?
					*p - '0' : *p - 'a' + 10);
	}
	snprintf(canon, sizeof(canon), "%" PRIx64, v);
	if (strcmp(canon, name) != 0)
		return -1;
	*off = v;
	return 0;
}

static bool is_glob(const char *s)
{
	return *s == '\0' || strpbrk(s, "*?[\\") != NULL;
}

/* ---- populate ------------------------------------------------------------ */

typedef struct pid_want {
	const dt_pdesc_t *pd;
	char prov[32];
	int pid;
	bool entry, ret;	/* the name matches entry, return */
	bool has_off;		/* the name is an offset */
	uint64_t off;
	bool insns;		/* the name is a glob: every instruction's
				   offset that it matches */
	const dt_usyms_t *syms;	/* of the object being read */
} pid_want_t;

/* Does the decoder expect the kernel to refuse a uprobe at file offset
   off of fd?  (A hint: the kernel has the last word, see pid_attach.) */
static bool pid_suspect(int fd, uint64_t off)
{
	uint8_t insn[16];
	ssize_t n = pread(fd, insn, sizeof(insn), (off_t)off);
	int len = n > 0 ? dt_x86_insn_len(insn, (size_t)n) : -1;

	return len < 0 || !dt_x86_uprobe_ok(insn, (size_t)len);
}

/* A probe of s; fd >= 0: the file, whose instruction there is to be
   checked (pid_suspect). */
static int pid_insert(dtrace_hdl_t *dtp, const pid_want_t *w,
		      const dt_uobj_t *o, const dt_usym_t *s, int kind,
		      uint64_t off, int fd)
{
	pid_data_t *d = dl_alloc(dtp->arena, sizeof(*d));
	char name[32];

	d->path = dl_strdup(dtp->arena, o->attach);
	d->off = s->off + (kind == PID_OFFSET ? off : 0);
	for (size_t i = 0; i < w->syms->nnotes; i++)
		if (w->syms->notes[i].off == d->off)
			d->sem_off = w->syms->notes[i].sem_off;
	d->pid = w->pid;
	d->kind = kind;
	d->suspect = fd >= 0 && pid_suspect(fd, d->off);
	if (kind == PID_OFFSET)
		snprintf(name, sizeof(name), "%" PRIx64, off);
	else
		snprintf(name, sizeof(name), kind == PID_ENTRY ? "entry" :
			 "return");
	return dt_probe_insert_as(dtp, &dt_prov_pid, w->prov, o->name,
				  s->name, name, d) != NULL ? 1 : -1;
}

/* The instruction probes of a function whose offsets' names match the
   glob: its body read from the file and walked with the decoder. */
static int pid_insns(dtrace_hdl_t *dtp, const pid_want_t *w,
		     const dt_uobj_t *o, const dt_usym_t *s, int fd)
{
	uint8_t *body;
	uint64_t off = 0;
	char hex[32];
	int n = 0, r = 0, len = 0;

	if (s->size > PID_MAX_BODY)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "%s`%s is too "
				    "large to probe every instruction (limit "
				    "is %d bytes)", o->name, s->name,
				    PID_MAX_BODY);
	body = malloc(s->size);
	if (body == NULL || pread(fd, body, s->size, (off_t)s->off) !=
	    (ssize_t)s->size) {
		free(body);
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot read %s`%s "
				    "from %s", o->name, s->name, o->path);
	}
	for (; r >= 0 && off < s->size; off += (uint64_t)len) {
		len = dt_x86_insn_len(body + off, s->size - off);
		if (len < 0)
			break;
		snprintf(hex, sizeof(hex), "%" PRIx64, off);
		if (!dt_gmatch(hex, w->pd->name) ||
		    !dt_x86_uprobe_ok(body + off, (size_t)len))
			continue;
		n += r = pid_insert(dtp, w, o, s, PID_OFFSET, off, -1);
	}
	if (r >= 0 && len < 0)
		r = dt_set_error(dtp, DTRACE_ERR_SYSTEM, "cannot decode the "
				 "instruction at %s`%s+0x%" PRIx64 " (byte "
				 "0x%02x): probes on every instruction are not "
				 "supported there", o->name, s->name, off,
				 body[off]);
	free(body);
	return r < 0 ? -1 : n;
}

/* The probes of one function; returns how many, or -1. */
static int pid_func(dtrace_hdl_t *dtp, const pid_want_t *w,
		    const dt_uobj_t *o, const dt_usym_t *s, int fd)
{
	int n = 0, r = 0;

	if (w->entry)
		n += r = pid_insert(dtp, w, o, s, PID_ENTRY, 0, fd);
	/* A uretprobe takes the return address at the function's entry from
	   the top of the stack; where a process starts (_start) that is
	   argc, which it would corrupt.  _start never returns: DTrace's
	   return probes are its ret instructions, so it has none either. */
	if (r >= 0 && w->ret && strcmp(s->name, "_start") != 0)
		n += r = pid_insert(dtp, w, o, s, PID_RETURN, 0, fd);
	if (r >= 0 && w->has_off && w->off < s->size)
		n += r = pid_insert(dtp, w, o, s, PID_OFFSET, w->off, fd);
	if (r >= 0 && w->insns)
		n += r = pid_insns(dtp, w, o, s, fd);
	return r < 0 ? -1 : n;
}

static int pid_obj(dtrace_hdl_t *dtp, pid_want_t *w, const dt_uobj_t *o)
{
	const char *func = w->pd->func;
	bool glob = is_glob(func);
	uint64_t last = UINT64_MAX;
	dt_usyms_t syms;
	int n = 0, r = 0;

	if (dt_usyms_read(dtp, o->path, &syms) < 0)
		return -1;
	w->syms = &syms;
	for (size_t i = 0; r >= 0 && i < syms.n; i++) {
		const dt_usym_t *s = &syms.v[i];

		if (glob ? s->value == last || !dt_gmatch(s->name, func) :
			   strcmp(s->name, func) != 0)
			continue;
		last = s->value;
		n += r = pid_func(dtp, w, o, s, syms.fd);
		if (!glob)
			break;
	}
	dt_usyms_free(&syms);
	return r < 0 ? -1 : n;
}

static int pid_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	pid_want_t w = { .pd = pd, .pid = dt_pid_of(pd->prov) };
	dt_uobj_t *objs;
	int nobj, n = 0, r = 0;

	if (w.pid < 0)
		return 0;
	snprintf(w.prov, sizeof(w.prov), "pid%d", w.pid);
	w.entry = dt_gmatch("entry", pd->name);
	w.ret = dt_gmatch("return", pd->name);
	w.has_off = !is_glob(pd->name) &&
		    dt_pid_offset_of(pd->name, &w.off) == 0;
	w.insns = is_glob(pd->name);
	if (!w.entry && !w.ret && !w.has_off && !w.insns)
		return 0;
	if (dt_uproc_ready(dtp, w.pid) < 0 ||
	    (nobj = dt_uproc_objs(dtp, w.pid, &objs)) < 0)
		return -1;
	for (int i = 0; r >= 0 && i < nobj; i++)
		if (dt_gmatch(objs[i].name, pd->mod))
			n += r = pid_obj(dtp, &w, &objs[i]);
	dt_uproc_objs_free(objs, (size_t)nobj);
	return r < 0 ? -1 : n;
}

/* Module "a.out" is the executable. */
static int pid_resolve(dtrace_hdl_t *dtp, dt_pdesc_t *pd)
{
	int pid = dt_pid_of(pd->prov), nobj;
	dt_uobj_t *objs;

	if (pid < 0 || strcmp(pd->mod, "a.out") != 0)
		return 0;
	if ((nobj = dt_uproc_objs(dtp, pid, &objs)) < 0)
		return -1;
	for (int i = 0; i < nobj; i++)
		if (objs[i].is_exe)
			snprintf(pd->mod, sizeof(pd->mod), "%s", objs[i].name);
	dt_uproc_objs_free(objs, (size_t)nobj);
	return 0;
}

/* ---- code generation ----------------------------------------------------- */

static int pid_kind(const dt_probe_t *prb)
{
	return ((const pid_data_t *)prb->data)->kind;
}

static ir_ref_t pid_arg(dt_lowerenv_t *env, const dt_probe_t *prb, int n)
{
	if (pid_kind(prb) == PID_RETURN)
		return n == 1 ? dt_regs_retval(env) : IR_NONE;
	if (n < 0)
		return IR_NONE;
	return dt_regs_arg(env, n, true);
}

static ir_ref_t pid_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			  dt_pvar_t what, int n)
{
	if (what == DT_PV_PROBEID)
		return dt_cookie_probeid(env);
	if (what == DT_PV_ARG)
		return pid_arg(env, prb, n);
	return IR_NONE;
}

/* ---- attach -------------------------------------------------------------- */

static void pid_uprobe(const dt_probe_t *prb, dt_uprobe_t *u)
{
	const pid_data_t *d = prb->data;

	/* the kernel refuses a second uprobe at one place with another
	   reference counter: one at an SDT note's site takes its semaphore */
	*u = (dt_uprobe_t){ .prb = prb, .path = d->path, .off = d->off,
			    .ref_off = d->sem_off, .pid = d->pid,
			    .ret = d->kind == PID_RETURN,
			    .suspect = d->suspect };
}

static int pid_prepare(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	bp->attach_type = dt_uprobe_attach_type(dtp);
	return 0;
}

/* One probe (found while tracing, udyn.c). */
static int pid_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	dt_uprobe_t u;
	int r;

	pid_uprobe(prb, &u);
	r = dt_uprobe_attach(dtp, &u, 1, prog_fd,
			     dt_uprobe_attach_type(dtp) != 0);
	if (r == 0)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				    "%s:%s:%s:%s: the kernel cannot place a "
				    "uprobe on the instruction there",
				    prb->prov, prb->mod, prb->func, prb->name);
	return r < 0 ? -1 : 0;
}

/* Every probe of the program: those whose uprobe the kernel refuses are
   skipped and counted (dtrace_probes_skipped), unless that is all of
   them. */
static int pid_attach_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp)
{
	dt_uprobe_t *u = calloc(bp->nprobes, sizeof(*u));
	size_t first = bp->nprobes;
	int r = -1, skipped = 0;

	if (u == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "Memory allocation failure");
	for (size_t i = 0; i < bp->nprobes; i++)
		pid_uprobe(bp->probes[i], &u[i]);
	r = dt_uprobe_attach(dtp, u, bp->nprobes, bp->fd,
			     bp->attach_type == DT_TRACE_UPROBE_MULTI);
	for (size_t i = bp->nprobes; r >= 0 && i-- > 0;)
		if (u[i].refused) {
			skipped++;
			first = i;
		}
	const dt_probe_t *p = first < bp->nprobes ? bp->probes[first] : NULL;

	if (r == 0 && p != NULL)
		r = dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
				 "%s:%s:%s:%s: the kernel cannot place a "
				 "uprobe on the instruction there", p->prov,
				 p->mod, p->func, p->name);
	else if (r > 0 && p != NULL) {
		if (dtp->uskipped == 0)
			snprintf(dtp->uskipped1, sizeof(dtp->uskipped1),
				 "%s:%s:%s:%s", p->prov, p->mod, p->func,
				 p->name);
		dtp->uskipped += skipped;
	}
	free(u);
	return r < 0 ? -1 : 0;
}

const dt_provops_t dt_prov_pid = {
	.name = "pid",
	.attr = &pid_attr,
	.populate = pid_populate,
	.resolve = pid_resolve,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.kind = pid_kind,
	.lower = pid_lower,
	.attach = pid_attach,
	.prepare = pid_prepare,
	.attach_prog = pid_attach_prog,
	.grows = true,
	.never_nested = true,	/* uprobes: in user space */
	.preemptible = true,
};
