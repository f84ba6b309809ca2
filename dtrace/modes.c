/*
 * modes.c - what dtrace does once its command line is read.
 *
 * Trace mode (the default) compiles every program given with -n -P -m -f
 * -i and -s (in that order on the command line; $0 is the script's path
 * for -s and our argv[0] for the others), dumps them for -S, -x tree and
 * -x ir, and stops there for -e (and, for -x loadonly, a dtrace-for-Linux
 * extension, once every program has passed the kernel's verifier, nothing
 * attached, BEGIN not fired).  Otherwise it reports, unless quiet,
 *     dtrace: description 'syscall::read:entry ' matched 1 probe
 *     dtrace: script 'x.d' matched 3 probes
 * (a description is cut at its first '{', '/' or ';', as DTrace does),
 * enables the probes, lets the -c commands run and loops on dtrace_work()
 * until exit() is called, the first SIGINT or SIGTERM arrives, or every
 * -c/-p process has exited.  dtrace_stop() then fires END and prints what
 * is pending, and like DTrace we end the output with a newline (and print
 * one more when interrupted, even when quiet).  The exit status is what
 * exit() asked for.
 *
 * dtrace_work() is given a short timeout and signals are caught without
 * SA_RESTART, so a signal or a -c command's exit (SIGCHLD) ends its wait
 * early: no busy waiting, no missed events.  The signal counters below are
 * the command's only static state.
 *
 * List mode (-l) lists each description of -n -P -m -f -i (the clause, if
 * any, is ignored; "a,b" lists a then b), the probes of each -s script's
 * clauses, or every probe when none is given; -l implies -Z.  A
 * description that matches nothing is reported and the listing goes on,
 * exiting 0, as DTrace does.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define CMD_WORK_TIMEOUT_MS	100	/* longest wait before we look at
					   signals and processes again */
#define CMD_D_VERSION		"Linux D " DTRACE_VERSION

/* What the signal handlers must reach: the only static state. */
static volatile sig_atomic_t cmd_interrupted;	/* SIGINT or SIGTERM */
static volatile sig_atomic_t cmd_wakeups;	/* any handled signal */

/* ---- compiling --------------------------------------------------------- */

/* The whole file, NUL-terminated; NULL with errno set on failure. */
static char *read_script(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t len = 0, cap = 4096, n;
	char *text = NULL, *bigger;
	int err;

	if (fp == NULL)
		return NULL;
	do {
		if ((bigger = realloc(text, cap *= 2)) == NULL)
			break;
		text = bigger;
		len += n = fread(text + len, 1, cap - len - 1, fp);
	} while (n > 0);
	if (bigger == NULL || ferror(fp)) {
		err = bigger == NULL ? ENOMEM : errno;
		free(text);
		fclose(fp);
		errno = err;
		return NULL;
	}
	fclose(fp);
	text[len] = '\0';
	return text;
}

/*
 * A "#!/usr/sbin/dtrace -s" line is blanked, keeping line and column
 * numbers, so that neither the D lexer nor cpp (-C) has to know about it.
 */
static void blank_interpreter_line(char *text)
{
	if (text[0] != '#' || text[1] != '!')
		return;
	for (; *text != '\0' && *text != '\n'; text++)
		*text = ' ';
}

char *cmd_read_script(const char *path)
{
	char *text = read_script(path);

	if (text != NULL)
		blank_interpreter_line(text);
	return text;
}

static void compile_file(cmd_t *c, cmd_spec_t *s)
{
	char *text = s->text = read_script(s->arg);

	if (text == NULL)
		cmd_fatal(c, "failed to open %s: %s", s->arg, strerror(errno));
	blank_interpreter_line(text);
	c->macv[0] = s->arg;		/* $0 is the script's name */
	dtrace_set_macros(c->dtp, c->macc, c->macv);
	s->prog = dtrace_program_compile(c->dtp, text, s->arg,
					 DTRACE_SPEC_NAME);
	if (s->prog == NULL)
		cmd_fatal(c, "failed to compile script %s: %s", s->arg,
			  dtrace_errmsg(c->dtp));
}

static void compile_string(cmd_t *c, cmd_spec_t *s, char *argv0)
{
	c->macv[0] = argv0;
	dtrace_set_macros(c->dtp, c->macc, c->macv);
	s->prog = dtrace_program_compile(c->dtp, s->arg, NULL,
					 (dtrace_spec_t)s->kind);
	if (s->prog == NULL)
		cmd_fatal(c, "invalid probe specifier %s: %s", s->arg,
			  dtrace_errmsg(c->dtp));
}

static bool opt_is_set(cmd_t *c, const char *name)
{
	int64_t v = 0;

	return dtrace_getopt(c->dtp, name, &v) == 0 && v != 0;
}

/* -S, -x tree, -x ir: each compiled program, on stderr. */
static void dump_program(cmd_t *c, dtrace_prog_t *prog)
{
	static const char *const dumps[][2] = {
		{ "tree", "tree" },	/* { -x option, what to dump } */
		{ "ir", "ir" },
	};

	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++)
		if (opt_is_set(c, dumps[i][0]) &&
		    !(c->dump_bpf && strcmp(dumps[i][1], "ir") == 0))
			dtrace_program_dump(c->dtp, prog, stderr, dumps[i][1]);
	if (c->dump_bpf)
		dtrace_program_dump(c->dtp, prog, stderr, "bpf");
}

static void compile_spec(cmd_t *c, cmd_spec_t *s)
{
	char *argv0 = c->macv[0];

	if (s->kind == CMD_SPEC_FILE)
		compile_file(c, s);
	else
		compile_string(c, s, argv0);
	c->macv[0] = argv0;
	dump_program(c, s->prog);
}

static void open_output(cmd_t *c)
{
	if (c->ofile == NULL)
		return;
	if ((c->out = fopen(c->ofile, "a")) == NULL)
		cmd_fatal(c, "failed to open output file '%s': %s", c->ofile,
			  strerror(errno));
}

/* ---- mode: list (-l) ----------------------------------------------------- */

/* Where the last field a spec names sits in provider:module:func:name. */
static int spec_last_field(dtrace_spec_t spec)
{
	static const int last[] = {
		[DTRACE_SPEC_NAME] = 3,
		[DTRACE_SPEC_PROVIDER] = 0,
		[DTRACE_SPEC_MODULE] = 1,
		[DTRACE_SPEC_FUNC] = 2,
		[DTRACE_SPEC_ID] = -1,
	};

	return last[spec];
}

/* "read" given with -f is "::read:" (for messages, as DTrace shows it). */
static void full_desc(char *buf, size_t len, const char *desc,
		      dtrace_spec_t spec)
{
	int last = spec_last_field(spec), fields = 1;

	for (const char *p = desc; *p; p++)
		fields += *p == ':';
	if (last < 0 || fields > last + 1) {
		snprintf(buf, len, "%s", desc);
		return;
	}
	snprintf(buf, len, "%.*s%s%.*s", last + 1 - fields, ":::", desc,
		 3 - last, ":::");
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static void list_desc(cmd_t *c, const char *desc, dtrace_spec_t spec,
		      bool *header)
{
	char full[1024];

	if (dtrace_list(c->dtp, desc, spec, c->verbose > 0, c->out,
			header) == 0)
		return;
	if (desc == NULL)	/* dtrace -l: nothing could be listed */
		cmd_fatal(c, "failed to list probes: %s", dtrace_errmsg(c->dtp));
	full_desc(full, sizeof(full), desc, spec);
	cmd_warn(c, "failed to match %s: %s", full, dtrace_errmsg(c->dtp));
}

/* The descriptions of -n a,b { ... }: the clause is cut off. */
static void list_spec(cmd_t *c, cmd_spec_t *s, bool *header)
{
	char *text = strdup(s->arg), *save = NULL;

	if (text == NULL)
		cmd_fatal(c, "failed to allocate memory");
	text[strcspn(text, "{/;")] = '\0';
	for (char *d = strtok_r(text, ",", &save); d;
	     d = strtok_r(NULL, ",", &save))
		if (*(d = trim(d)) != '\0')
			list_desc(c, d, (dtrace_spec_t)s->kind, header);
	free(text);
}

int cmd_run_list(cmd_t *c)
{
	bool header = false;

	dtrace_setopt(c->dtp, "zdefs", NULL);	/* -l implies -Z */
	for (size_t i = 0; i < c->nspecs; i++)
		if (c->specs[i].kind == CMD_SPEC_FILE)
			compile_spec(c, &c->specs[i]);
	open_output(c);
	for (size_t i = 0; i < c->nspecs; i++) {
		cmd_spec_t *s = &c->specs[i];

		if (s->kind != CMD_SPEC_FILE)
			list_spec(c, s, &header);
		else if (dtrace_program_list(c->dtp, s->prog, c->verbose > 0,
					     c->out, &header) != 0)
			cmd_warn(c, "failed to list script %s: %s", s->arg,
				 dtrace_errmsg(c->dtp));
	}
	if (c->nspecs == 0)
		list_desc(c, NULL, DTRACE_SPEC_NAME, &header);
	fflush(c->out);
	return CMD_EXIT_OK;
}

/* ---- mode: trace (the default) ----------------------------------------- */

static void on_interrupt(int sig)
{
	cmd_interrupted = 1;
	cmd_wakeups++;
}

static void on_child(int sig)
{
	cmd_wakeups++;
}

/*
 * A signal cuts dtrace_work()'s wait short (epoll_wait is never restarted,
 * SA_RESTART or not), while SA_RESTART keeps it from failing a write of
 * our output into a full pipe, which would lose what stdio held.  The
 * first SIGINT or SIGTERM stops tracing; SA_RESETHAND lets a second one
 * end us at once.  Signals ignored when we started stay ignored.
 */
static void catch_signals(const cmd_t *c)
{
	static const int stops[] = { SIGINT, SIGTERM };
	struct sigaction sa = { .sa_handler = on_interrupt,
				.sa_flags = SA_RESETHAND | SA_RESTART }, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (sigaction(stops[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(stops[i], &sa, NULL);
	if (c->procs.n == 0)
		return;
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
}

/* "description 'syscall::read:entry ' matched 1 probe", as DTrace crops. */
static int report_matches(cmd_t *c, bool quiet)
{
	int total = 0;

	for (size_t i = 0; i < c->nspecs; i++) {
		cmd_spec_t *s = &c->specs[i];
		bool file = s->kind == CMD_SPEC_FILE;
		int n = dtrace_program_nprobes(s->prog);
		int len = file ? (int)strlen(s->arg)
			       : (int)strcspn(s->arg, "{/;");

		cmd_notice(c, quiet, "%s '%.*s' matched %d probe%s",
			   file ? "script" : "description", len, s->arg, n,
			   n == 1 ? "" : "s");
		total += n;
	}
	return total;
}

/* Trace until exit(), a signal, or the end of every -c/-p process. */
static void trace_loop(cmd_t *c, bool quiet)
{
	bool newline = false;

	for (;;) {
		if (cmd_interrupted && !newline) {
			fputc('\n', c->out);	/* even when quiet, as DTrace */
			newline = true;
		}
		if (cmd_interrupted || (c->procs.n > 0 && c->procs.live == 0))
			return;
		sig_atomic_t seen = cmd_wakeups;
		dtrace_workstatus_t st = dtrace_work(c->dtp,
						     CMD_WORK_TIMEOUT_MS);

		if (st == DTRACE_WORK_DONE)
			return;
		if (st == DTRACE_WORK_ERROR && seen == cmd_wakeups)
			cmd_fatal(c, "processing aborted: %s",
				  dtrace_errmsg(c->dtp));
		if (fflush(c->out) == EOF)
			clearerr(c->out);
		cmd_proc_poll(&c->procs, c->pname, quiet);
	}
}

/* -x bufresize=auto lowered bufsize from was: say so as DTrace does
   ("buffer size lowered to 2m", or in bytes when not a whole unit). */
static void report_lowered(cmd_t *c, int64_t was)
{
	int64_t now = 0;
	int j = 0;

	if (dtrace_getopt(c->dtp, "bufsize", &now) != 0 || now <= 0 ||
	    now >= was)
		return;
	while (j < 6 && now >> (10 * (j + 1)) > 0)
		j++;
	if ((now & ((INT64_C(1) << (10 * j)) - 1)) == 0)
		cmd_warn(c, "buffer size lowered to %lld%c",
			 (long long)(now >> (10 * j)), " kmgtpe"[j]);
	else
		cmd_warn(c, "buffer size lowered to %lld bytes",
			 (long long)now);
}

/* Probes the kernel would not put a uprobe on, in one line (DTrace skips
   what it cannot instrument). */
static void report_skipped(cmd_t *c)
{
	char first[160];
	int n = dtrace_probes_skipped(c->dtp, first, sizeof(first));

	if (n == 1)
		cmd_warn(c, "1 probe not enabled: the kernel cannot place a "
			 "uprobe on its instruction (%s)", first);
	else if (n > 1)
		cmd_warn(c, "%d probes not enabled: the kernel cannot place "
			 "uprobes on their instructions (%s and %d more)", n,
			 first, n - 1);
}

static void start_tracing(cmd_t *c, bool quiet)
{
	int64_t bufsize = 0;

	if (report_matches(c, quiet) == 0 && !opt_is_set(c, "zdefs"))
		cmd_fatal(c, "no probes %s", c->nspecs ? "matched" : "specified");
	if (c->ofile != NULL)
		dtrace_set_output(c->dtp, c->out);
	dtrace_getopt(c->dtp, "bufsize", &bufsize);
	if (dtrace_go(c->dtp) != 0)
		cmd_fatal(c, "could not enable tracing: %s",
			  dtrace_errmsg(c->dtp));
	report_lowered(c, bufsize);
	report_skipped(c);
	if (opt_is_set(c, "destructive"))
		cmd_notice(c, quiet, "allowing destructive actions");
	catch_signals(c);
	fflush(c->out);			/* ours first, then the commands' */
	cmd_proc_release(&c->procs, c->pname);
}

/* -x loadonly: as far as the verifier, then exit; -c commands never run. */
static int load_only(cmd_t *c, bool quiet)
{
	if (report_matches(c, quiet) == 0 && !opt_is_set(c, "zdefs"))
		cmd_fatal(c, "no probes %s", c->nspecs ? "matched" : "specified");
	if (dtrace_load(c->dtp) != 0)
		cmd_fatal(c, "could not load the programs: %s",
			  dtrace_errmsg(c->dtp));
	cmd_notice(c, quiet, "every program loaded");
	return CMD_EXIT_OK;
}

int cmd_run_exec(cmd_t *c)
{
	bool quiet;

	for (size_t i = 0; i < c->nspecs; i++)
		compile_spec(c, &c->specs[i]);
	open_output(c);
	if (c->verbose)
		cmd_warn(c, "stability reports (-v) are not supported yet");
	if (c->no_exec)
		return CMD_EXIT_OK;
	quiet = opt_is_set(c, "quiet");	/* -q, -x quiet or a pragma */
	if (opt_is_set(c, "loadonly"))
		return load_only(c, quiet);
	start_tracing(c, quiet);
	trace_loop(c, quiet);
	if (dtrace_stop(c->dtp) != 0)
		cmd_fatal(c, "couldn't stop tracing: %s", dtrace_errmsg(c->dtp));
	fputc('\n', c->out);		/* DTrace ends its output so */
	if (dtrace_aggregate_print(c->dtp, c->out) != 0)
		cmd_fatal(c, "failed to print aggregations: %s",
			  dtrace_errmsg(c->dtp));
	fflush(c->out);
	return dtrace_exit_status(c->dtp);
}

/* ---- mode: version (-V) -------------------------------------------------- */

int cmd_run_version(cmd_t *c)
{
	printf("%s: %s\n", c->pname, CMD_D_VERSION);
	if (c->verbose)
		printf("This is dtrace for Linux %s\n", DTRACE_VERSION);
	return fflush(stdout) == EOF ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}
