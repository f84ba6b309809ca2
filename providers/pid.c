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
 * offset.  Each is a perf event of the uprobe PMU (type from sysfs, the
 * return bit from its format/retprobe; config1 the file's path, config2 the
 * offset) opened for the process (pid = PID, cpu = -1: the kernel's filter
 * lets the process's threads through, and removes the breakpoint from any
 * other process that maps the file), with a BPF link whose attach cookie is
 * the probe id.  Nothing is written to tracefs: closing the fds, or dying,
 * removes every uprobe.  Registering one is the kernel's work on every
 * process that maps the file (it takes each one's mmap lock to decide
 * whether to plant the breakpoint): about 2 ms a probe in libc on a busy
 * machine, so `pid$target:libc.so.6::entry` takes seconds to enable.
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
 * Like DTrace, a probe that cannot be enabled fails the whole run: x86
 * uprobes refuse some instructions (lock-prefixed ones, as at the start of
 * pthread_spin_lock), which the error then names.
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
#define ENOTSUPP_KERNEL 524	/* uprobes refuse the instruction (lock-
				   prefixed ones, for instance) */

typedef struct pid_data {
	const char *path;	/* the file the uprobe is in */
	uint64_t off;		/* file offset of the probe point */
	uint64_t sem_off;	/* an SDT note's semaphore there, or 0 */
	int pid;
	int kind;		/* PID_ENTRY, PID_RETURN, PID_OFFSET */
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

static int pid_insert(dtrace_hdl_t *dtp, const pid_want_t *w,
		      const dt_uobj_t *o, const dt_usym_t *s, int kind,
		      uint64_t off)
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
		n += r = pid_insert(dtp, w, o, s, PID_OFFSET, off);
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
		n += r = pid_insert(dtp, w, o, s, PID_ENTRY, 0);
	if (r >= 0 && w->ret)
		n += r = pid_insert(dtp, w, o, s, PID_RETURN, 0);
	if (r >= 0 && w->has_off && w->off < s->size)
		n += r = pid_insert(dtp, w, o, s, PID_OFFSET, w->off);
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

static int pid_fail(dtrace_hdl_t *dtp, const dt_probe_t *prb, const char *what)
{
	return dt_set_error(dtp, DTRACE_ERR_SYSTEM, "failed to enable "
			    "%s:%s:%s:%s: %s", prb->prov, prb->mod, prb->func,
			    prb->name, what);
}

static int pid_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	const pid_data_t *d = prb->data;
	LIBBPF_OPTS(bpf_link_create_opts, opts,
		    .perf_event.bpf_cookie = prb->id);
	struct perf_event_attr attr = {
		.type = (uint32_t)dtp->feat.uprobe_type,
		.config = d->kind == PID_RETURN ?
			  1ull << dtp->feat.uprobe_retbit : 0,
		.uprobe_path = (uintptr_t)d->path,
		.probe_offset = d->off,
	};

	/* the kernel refuses a second uprobe at one place with another
	   reference counter: one at an SDT note's site takes its semaphore */
	if (d->sem_off != 0 && dtp->feat.uprobe_refshift >= 0)
		attr.config |= d->sem_off << dtp->feat.uprobe_refshift;
	char why[160];
	int fd, link;

	if (dtp->feat.uprobe_type < 0)
		return pid_fail(dtp, prb, "the kernel has no uprobe PMU");
	if (!dtp->feat.perf_link || !dtp->feat.cookie)
		return pid_fail(dtp, prb, "the kernel has no BPF perf links "
				"with attach cookies");
	if ((fd = dt_perf_event_open(&attr, d->pid, -1)) < 0) {
		snprintf(why, sizeof(why), "perf_event_open: %s",
			 errno == ENOTSUPP_KERNEL ? "the kernel cannot place "
			 "a uprobe on the instruction there" :
			 strerror(errno));
		return pid_fail(dtp, prb, why);
	}
	dt_keep_fd(dtp, fd);
	if ((link = bpf_link_create(prog_fd, fd, BPF_PERF_EVENT, &opts)) < 0) {
		snprintf(why, sizeof(why), "bpf_link_create: %s",
			 strerror(errno));
		return pid_fail(dtp, prb, why);
	}
	dt_keep_fd(dtp, link);
	return 0;
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
	.grows = true,
};
