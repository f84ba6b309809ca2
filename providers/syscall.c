/*
 * syscall.c - the syscall provider: syscall:vmlinux:<name>:entry and
 * syscall:vmlinux:<name>:return on the kernel's syscalls:sys_enter_<name>
 * and syscalls:sys_exit_<name> tracepoints.
 *
 * Enumeration is lazy.  A description whose function field is a plain name
 * ("syscall::read:entry") costs one format file per probe; a pattern costs
 * one readdir of events/syscalls (the names are all we need), matched
 * before anything is inserted.  Probes come in the kernel's order, the
 * order of available_events, as in Oracle's DTrace.  A probe's tracepoint
 * id and argument count come from its format file, read when the probe is
 * named exactly or when it is attached, never for the whole list.
 *
 * Programs: one per kind (entry, return), of the tracepoint type, attached
 * to each probe through a perf event (pid -1, CPU 0: a BPF program on a
 * tracepoint perf event runs for every CPU, measured) and a BPF link.  The
 * context is the tracepoint record:
 *
 *	entry:	 8 int __syscall_nr; 16 + 8n: argument n (n < 6)
 *	return:	 8 int __syscall_nr; 16: long ret
 *
 * The attach cookie is the probe id in its low 32 bits and, for entry
 * probes, the syscall's argument count in the high 32.  A program with one
 * probe whose count is known loads its arguments directly and knows the
 * others are 0.  A program shared by many syscalls must not: the kernel
 * refuses to attach a tracepoint program that loads past the record, and
 * getppid's record has no argument at all.  It reads each argument with
 * bpf_probe_read_kernel (inside the per-CPU buffer the record is in) and
 * zeroes those the syscall does not have (stale data of earlier events)
 * with a mask made from the cookie, no branch.  Return probes have
 * arg0 = arg1 = the return value (ret is in every exit record), and
 * errno = -ret when ret is in [-4095, -1], else 0.
 *
 * data: bit 0 set for return probes; the tracepoint id from bit 1 up once
 * known (0 = not read yet).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "provider.h"

#define ENTER_PREFIX "sys_enter_"
#define EXIT_PREFIX "sys_exit_"
#define REC_ARGS 16		/* offset of the first argument / of ret */
#define MAX_ARGS 6
#define MAX_ERRNO 4095
#define FORMAT_MAX 8192
#define FIELD "\tfield:"

static bool sc_is_return(const dt_probe_t *prb)
{
	return ((uintptr_t)prb->data & 1) != 0;
}

static int sc_tpid(const dt_probe_t *prb)
{
	return (int)((uintptr_t)prb->data >> 1);
}

/* ---- tracefs ------------------------------------------------------------- */

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	int err = errno;

	if (fd >= 0)
		close(fd);
	errno = err;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* From a tracepoint's format file: its id, and the number of fields at or
   past REC_ARGS (the syscall's arguments, or ret).  Returns the id or -1. */
static int parse_format(const char *text, int *nfields)
{
	const char *p = strstr(text, "\nID: ");
	int id, n = 0;

	if (p == NULL || sscanf(p + 5, "%d", &id) != 1)
		return -1;
	for (p = strstr(p, FIELD); p != NULL; p = strstr(p + 1, FIELD)) {
		const char *off = strstr(p, "offset:");
		const char *eol = strchr(p, '\n');

		if (off != NULL && (eol == NULL || off < eol) &&
		    atoi(off + 7) >= REC_ARGS)
			n++;
	}
	*nfields = n;
	return id;
}

/* Read the format file of sys_enter_<func> (or sys_exit_): returns the
   tracepoint id and sets *nargs (DTrace's count: return probes have two),
   or returns -1 with errno set. */
static int sc_format(const dtrace_hdl_t *dtp, const char *func, bool ret,
		     int *nargs)
{
	char path[512], *text = malloc(FORMAT_MAX);
	int id = -1, nfields = 0;

	snprintf(path, sizeof(path), "%s/events/syscalls/%s%s/format",
		 dtp->feat.tracefs, ret ? EXIT_PREFIX : ENTER_PREFIX, func);
	errno = ENOMEM;
	if (text != NULL && read_small(path, text, FORMAT_MAX) == 0 &&
	    (id = parse_format(text, &nfields)) < 0)
		errno = EINVAL;
	free(text);
	*nargs = ret ? 2 : (nfields < MAX_ARGS ? nfields : MAX_ARGS);
	return id;
}

static void sc_set_format(dt_probe_t *prb, int tpid, int nargs)
{
	prb->data = (void *)(((uintptr_t)tpid << 1) | sc_is_return(prb));
	prb->nargs = nargs;
}

/* ---- populate ------------------------------------------------------------ */

typedef struct sc_want {
	const dt_pdesc_t *pd;
	bool entry, ret;	/* which names the description wants */
} sc_want_t;

/* Insert name:entry and/or name:return if wanted; returns the number
   inserted (or found) or -1. */
static int sc_insert(dtrace_hdl_t *dtp, const sc_want_t *w, const char *func,
		     bool ret)
{
	if (!(ret ? w->ret : w->entry) || !dt_gmatch(func, w->pd->func))
		return 0;
	return dt_probe_insert(dtp, &dt_prov_syscall, "vmlinux", func,
			       ret ? "return" : "entry",
			       (void *)(uintptr_t)ret) != NULL ? 1 : -1;
}

/* One syscall named exactly: look at its two format files only. */
static int sc_populate_one(dtrace_hdl_t *dtp, const sc_want_t *w)
{
	int n = 0;

	for (int ret = 0; ret <= 1; ret++) {
		dt_probe_t *prb;
		int tpid, nargs;

		if (!(ret ? w->ret : w->entry))
			continue;
		if ((tpid = sc_format(dtp, w->pd->func, ret, &nargs)) < 0)
			continue;	/* no such syscall */
		prb = dt_probe_insert(dtp, &dt_prov_syscall, "vmlinux",
				      w->pd->func, ret ? "return" : "entry",
				      (void *)(uintptr_t)ret);
		if (prb == NULL)
			return -1;
		sc_set_format(prb, tpid, nargs);
		n++;
	}
	return n;
}

static int sc_populate_dir(dtrace_hdl_t *dtp, const sc_want_t *w)
{
	char path[512];
	struct dirent *de;
	DIR *dir;
	int n = 0, r = 0;

	snprintf(path, sizeof(path), "%s/events/syscalls", dtp->feat.tracefs);
	if ((dir = opendir(path)) == NULL)
		return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
				    "cannot read %s: %s", path,
				    strerror(errno));
	while (r >= 0 && (de = readdir(dir)) != NULL) {
		const char *s = de->d_name;

		if (strncmp(s, ENTER_PREFIX, strlen(ENTER_PREFIX)) == 0)
			r = sc_insert(dtp, w, s + strlen(ENTER_PREFIX), false);
		else if (strncmp(s, EXIT_PREFIX, strlen(EXIT_PREFIX)) == 0)
			r = sc_insert(dtp, w, s + strlen(EXIT_PREFIX), true);
		else
			r = 0;
		n += r > 0 ? r : 0;
	}
	closedir(dir);
	return r < 0 ? -1 : n;
}

static int sc_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	sc_want_t w = { pd, dt_gmatch("entry", pd->name),
			dt_gmatch("return", pd->name) };
	const char *f = pd->func;

	if (!dt_gmatch("vmlinux", pd->mod) || !(w.entry || w.ret))
		return 0;
	if (dt_features_probe(dtp) < 0)
		return -1;
	if (*f != '\0' && strpbrk(f, "*?[\\") == NULL)
		return strchr(f, '/') != NULL ? 0 : sc_populate_one(dtp, &w);
	return sc_populate_dir(dtp, &w);
}

/* ---- code generation ----------------------------------------------------- */

static int sc_kind(const dt_probe_t *prb)
{
	return sc_is_return(prb);
}

static ir_ref_t sc_cookie(dt_lowerenv_t *env)
{
	return ir_call(env->fn, env->blk, BPF_FUNC_get_attach_cookie, 1,
		       &env->ctx);
}

/*
 * The 8 bytes at ctx + off through bpf_probe_read_kernel, into a stack
 * slot.  A program shared by several syscalls cannot load its arguments
 * directly: the kernel refuses to attach a tracepoint program whose
 * furthest context access lies past the tracepoint's record (getppid's ends
 * at byte 12).  The read stays inside the per-CPU perf trace buffer the
 * record is in.
 */
static ir_ref_t sc_read_ctx(dt_lowerenv_t *env, int32_t off)
{
	ir_func_t *fn = env->fn;
	int32_t slot = ir_frame_alloc(fn, 8);
	ir_ref_t args[3] = {
		ir_bin(fn, env->blk, IR_ADD, ir_reg(IR_FP), ir_con(fn, slot)),
		ir_con(fn, 8),
		ir_bin(fn, env->blk, IR_ADD, env->ctx, ir_con(fn, off)),
	};

	ir_call(fn, env->blk, BPF_FUNC_probe_read_kernel, 3, args);
	return ir_load(fn, env->blk, 8, ir_reg(IR_FP), slot);
}

/* argN of an entry probe: zero past the syscall's own arguments. */
static ir_ref_t sc_entry_arg(dt_lowerenv_t *env, const dt_probe_t *prb, int n)
{
	ir_func_t *fn = env->fn;
	bool known = env->probe_id != 0 && prb->nargs >= 0;
	ir_ref_t v, nargs, mask;

	if (n < 0 || n >= MAX_ARGS || (known && n >= prb->nargs))
		return IR_NONE;
	if (known)
		return ir_load(fn, env->blk, 8, env->ctx, REC_ARGS + 8 * n);
	v = sc_read_ctx(env, REC_ARGS + 8 * n);
	nargs = ir_bin(fn, env->blk, IR_SHR, sc_cookie(env), ir_con(fn, 32));
	mask = ir_bin(fn, env->blk, IR_CUGT, nargs, ir_con(fn, n));
	mask = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), mask, IR_NONE)->to;
	return ir_bin(fn, env->blk, IR_AND, v, mask);
}

/* errno = -ret if ret is in [-MAX_ERRNO, -1], else 0 (branch-free). */
static ir_ref_t sc_errno(dt_lowerenv_t *env)
{
	ir_func_t *fn = env->fn;
	ir_ref_t ret = ir_load(fn, env->blk, 8, env->ctx, REC_ARGS);
	ir_ref_t is_err = ir_bin(fn, env->blk, IR_CUGE, ret,
				 ir_con(fn, -MAX_ERRNO));
	ir_ref_t mask = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), is_err,
				IR_NONE)->to;
	ir_ref_t neg = ir_emit(fn, env->blk, IR_NEG, ir_tmp(fn), ret,
			       IR_NONE)->to;

	return ir_bin(fn, env->blk, IR_AND, neg, mask);
}

static ir_ref_t sc_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
			 dt_pvar_t what, int n)
{
	ir_ref_t c;

	switch (what) {
	case DT_PV_PROBEID:
		if (env->probe_id != 0)
			return ir_con(env->fn, env->probe_id);
		c = sc_cookie(env);
		return ir_emit(env->fn, env->blk, IR_ZEXT32, ir_tmp(env->fn),
			       c, IR_NONE)->to;
	case DT_PV_ARG:
		if (!sc_is_return(prb))
			return sc_entry_arg(env, prb, n);
		if (n != 0 && n != 1)
			return IR_NONE;
		return ir_load(env->fn, env->blk, 8, env->ctx, REC_ARGS);
	case DT_PV_ERRNO:
		return sc_is_return(prb) ? sc_errno(env) : IR_NONE;
	case DT_PV_ENTRY:
		return IR_NONE;
	}
	return IR_NONE;
}

/* ---- attach -------------------------------------------------------------- */

static int sc_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT };
	uint64_t cookie = prb->id;
	int tpid, nargs;

	if (sc_tpid(prb) == 0) {
		tpid = sc_format(dtp, prb->func, sc_is_return(prb), &nargs);
		if (tpid < 0)
			return dt_set_error(dtp, DTRACE_ERR_SYSTEM,
					    "failed to enable %s:%s:%s:%s: "
					    "cannot read its tracepoint "
					    "format: %s", prb->prov, prb->mod,
					    prb->func, prb->name,
					    strerror(errno));
		sc_set_format(prb, tpid, nargs);
	}
	attr.config = (uint64_t)sc_tpid(prb);
	if (!sc_is_return(prb))
		cookie |= (uint64_t)prb->nargs << 32;
	return dt_perf_attach(dtp, prb, &attr, 0, prog_fd, cookie);
}

const dt_provops_t dt_prov_syscall = {
	.name = "syscall",
	.populate = sc_populate,
	.prog_type = BPF_PROG_TYPE_TRACEPOINT,
	.kind = sc_kind,
	.lower = sc_lower,
	.attach = sc_attach,
};
