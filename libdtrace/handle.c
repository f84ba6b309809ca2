/*
 * handle.c - the handle: creation, errors, the fds it keeps, teardown.
 *
 * Everything the kernel holds for us (maps, programs, perf events, links) is
 * an fd registered with dt_keep_fd(); dtrace_close() closes them all, and so
 * does the kernel if dtrace dies, which is why nothing is ever left behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libdtrace.h"
#include "provider.h"

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* libbpf's own messages: every failure it reports to us we report in
   DTrace's words, so its stderr lines would only repeat them. */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return 0;
}

dtrace_hdl_t *dtrace_open(void)
{
	dtrace_hdl_t *dtp = calloc(1, sizeof(*dtp));

	libbpf_set_print(libbpf_quiet);
	if (dtp == NULL)
		return NULL;
	dtp->arena = dl_arena_create();
	dtp->globals.arena = dtp->arena;
	dtp->selfvars.arena = dtp->arena;
	dtp->aggs.arena = dtp->arena;
	dtp->assocs.arena = dtp->arena;
	dtp->out = stdout;
	dtp->macros.target = -1;
	dtp->macros.pid = getpid();
	dtp->macros.ppid = getppid();
	dtp->macros.uid = getuid();
	dtp->macros.gid = getgid();
	dtp->macros.pgid = getpgrp();
	dtp->macros.sid = getsid(0);
	dtp->progtail = &dtp->progs;
	for (int i = 0; i < DL_NMAPS; i++)
		dtp->mapfds[i] = -1;
	dtp->walltime_off = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	dt_options_init(dtp);
	return dtp;
}

static void prog_free(dtrace_prog_t *pgp)
{
	for (size_t i = 0; i < pgp->nprogs; i++)
		free(pgp->progs[i].irtext);
	dl_ctx_destroy(pgp->cx);
	free(pgp);
}

struct btf *dt_vmlinux_btf(dtrace_hdl_t *dtp)
{
	if (dtp->btf == NULL && dtp->btf_err == 0 &&
	    (dtp->btf = btf__load_vmlinux_btf()) == NULL)
		dtp->btf_err = errno != 0 ? errno : ENOENT;
	errno = dtp->btf_err;
	return dtp->btf;
}

void dtrace_close(dtrace_hdl_t *dtp)
{
	if (dtp == NULL)
		return;
	ring_buffer__free(dtp->rb);
	dt_outfile_close(dtp);
	dt_close_fds(dtp);
	free(dtp->fds);
	for (dtrace_prog_t *p = dtp->progs, *n; p != NULL; p = n) {
		n = p->next;
		prog_free(p);
	}
	free(dtp->clauses);
	free(dtp->errclauses);
	free(dtp->drops);
	free(dtp->flow_indent);
	dt_agg_free(dtp);
	dt_spec_free(dtp);
	dt_hold_free(dtp);
	dt_ksyms_free(dtp->ksyms);
	dt_kbtf_free(dtp);
	dt_fbt_free(dtp);
	btf__free(dtp->btf);
	dt_ucache_free(dtp);
	dt_udyn_free(dtp);
	dt_uexec_free(dtp);
	free(dtp->ureported);
	free(dtp->assocfds);
	dt_probe_table_destroy(dtp);
	dt_options_fini(dtp);
	for (size_t i = 0; i < dtp->cpp_argc; i++)
		free(dtp->cpp_argv[i]);
	free(dtp->cpp_argv);
	dl_arena_destroy(dtp->arena);
	free(dtp);
}

int dt_set_error(dtrace_hdl_t *dtp, dtrace_errkind_t kind, const char *fmt,
		 ...)
{
	va_list ap;
	int err = errno;	/* the caller may still want it */

	va_start(ap, fmt);
	vsnprintf(dtp->errmsg, sizeof(dtp->errmsg), fmt, ap);
	va_end(ap);
	dtp->errkind = kind;
	errno = err;
	return -1;
}

const char *dtrace_errmsg(dtrace_hdl_t *dtp)
{
	return dtp->errmsg;
}

dtrace_errkind_t dtrace_errkind(dtrace_hdl_t *dtp)
{
	return dtp->errkind;
}

void dt_keep_fd(dtrace_hdl_t *dtp, int fd)
{
	if (dtp->nfds == dtp->fdcap) {
		dtp->fdcap = dtp->fdcap ? dtp->fdcap * 2 : 64;
		dtp->fds = realloc(dtp->fds, dtp->fdcap * sizeof(int));
		if (dtp->fds == NULL)
			abort();
	}
	dtp->fds[dtp->nfds++] = fd;
}

void dtrace_set_output(dtrace_hdl_t *dtp, FILE *out)
{
	dt_outfile_close(dtp);
	dtp->out = out;
	dtp->out_orig = NULL;
}

void dtrace_set_macros(dtrace_hdl_t *dtp, int argc, char **argv)
{
	dtp->macros.argc = argc;
	dtp->macros.argv = argv;
}

void dtrace_set_target(dtrace_hdl_t *dtp, int64_t pid)
{
	dtp->macros.target = pid;
}

int dtrace_exit_status(dtrace_hdl_t *dtp)
{
	return dtp->exit_status;
}
