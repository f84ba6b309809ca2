/*
 * dtrace.c - the dtrace command: its command line, messages, main.
 *
 * The command line is DTrace's: getopt(3) with "+" (stop at the first
 * operand), restarted after every operand, so options and operands mix
 * freely and "#!/usr/sbin/dtrace -qs" scripts work when the kernel runs
 * them as "dtrace -qs script arg...".  Operands become the macro arguments
 * $1, $2, ...; $0 is the script's path for -s and our argv[0] otherwise.
 *
 * Every option letter is one row of cmd_opts[]: its argument, its help
 * line, the function that handles it and when that runs.  Like DTrace,
 * which walks argv three times, options act in three passes:
 *   PASS_PARSE    while parsing: modes (-l -V -h -G), -e, -o, -S, -v, and
 *                 the program texts (-n -P -m -f -i -s), kept for later;
 *   PASS_OPTIONS  on the open handle, in command-line order: everything
 *                 that is a dtrace_setopt() (-b -C -D -F -I -L -q -U -w -x
 *                 -Z);
 *   PASS_PROCS    then -c and -p, so $target is known before compiling.
 *
 * Then one mode runs (cmd_modes[], the run functions are in modes.c):
 * trace (the default), list (-l), version (-V), the USDT header (-h) and
 * object (-G) generators; -a -A -B -H -X and -32 are refused for now.
 *
 * Exit status: 0, or what exit() asked for; 1 for errors (messages are
 * "dtrace: ..." on stderr, DTrace's wording); 2 for usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

typedef enum { PASS_PARSE, PASS_OPTIONS, PASS_PROCS } cmd_pass_t;

typedef struct cmd_optdef cmd_optdef_t;
typedef int cmd_optfn_t(cmd_t *c, const cmd_optdef_t *def, char *arg);

struct cmd_optdef {
	char letter;
	const char *argname;	/* its argument in the usage; NULL: a flag */
	cmd_pass_t pass;	/* when fn runs */
	cmd_optfn_t *fn;
	const char *xopt;	/* the dtrace_setopt() option it sets */
	int val;		/* the mode, or the cmd_spec_t kind, it selects */
	const char *help;
};

/* ---- messages -------------------------------------------------------- */

void cmd_cleanup(cmd_t *c)
{
	if (c->dtp != NULL)
		dtrace_close(c->dtp);
	c->dtp = NULL;
	cmd_proc_cleanup(&c->procs);
	if (c->out != NULL && c->out != stdout)
		fclose(c->out);
	c->out = NULL;
	for (size_t i = 0; i < c->nspecs; i++)
		free(c->specs[i].text);
	free(c->specs);
	free(c->later);
	free(c->macv);
	c->specs = NULL;
	c->later = NULL;
	c->macv = NULL;
	c->nspecs = c->nlater = 0;
}

static void cmd_vwarn(const cmd_t *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", c->pname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_warn(const cmd_t *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vwarn(c, fmt, ap);
	va_end(ap);
}

void cmd_notice(const cmd_t *c, bool quiet, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	cmd_vwarn(c, fmt, ap);
	va_end(ap);
}

void cmd_fatal(cmd_t *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vwarn(c, fmt, ap);
	va_end(ap);
	cmd_cleanup(c);
	exit(CMD_EXIT_ERROR);
}

/* ---- option handlers --------------------------------------------------- */

static int usage(const cmd_t *c, FILE *fp);

static int opt_mode(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	c->mode = (cmd_mode_t)def->val;
	c->nmodes++;
	return 0;
}

static int opt_no_exec(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	c->no_exec = true;
	return 0;
}

static int opt_verbose(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	c->verbose++;
	return 0;
}

static int opt_dump(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	c->dump_bpf = true;
	return 0;
}

static int opt_output(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	c->ofile = arg;
	return 0;
}

static int opt_spec(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	c->specs[c->nspecs++] = (cmd_spec_t){ .arg = arg, .kind = def->val };
	return 0;
}

static int opt_unsupported(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	cmd_warn(c, "-%c is not supported yet", def->letter);
	return CMD_EXIT_USAGE;
}

/* -32 and -64 reach getopt as -3 "2" and -6 "4", as in DTrace. */
static int opt_model(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	if (strcmp(arg, def->argname) != 0) {
		cmd_warn(c, "illegal option -- %c%s", def->letter, arg);
		return usage(c, stderr);
	}
	if (def->val == 32) {
		cmd_warn(c, "-32 is not supported yet");
		return CMD_EXIT_USAGE;
	}
	return 0;
}

static int opt_setopt(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	if (dtrace_setopt(c->dtp, def->xopt, arg) == 0)
		return 0;
	if (arg != NULL)
		cmd_fatal(c, "failed to set -%c %s: %s", def->letter, arg,
			  dtrace_errmsg(c->dtp));
	cmd_fatal(c, "failed to set -%c: %s", def->letter,
		  dtrace_errmsg(c->dtp));
}

/* -x name[=value] */
static int opt_x(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	char *name = strdup(arg), *value;

	if (name == NULL)
		cmd_fatal(c, "failed to allocate memory");
	if ((value = strchr(name, '=')) != NULL)
		*value++ = '\0';
	if (dtrace_setopt(c->dtp, name, value) != 0)
		cmd_fatal(c, "failed to set -x %s: %s", name,
			  dtrace_errmsg(c->dtp));
	free(name);
	return 0;
}

/* $target is the first process given with -c or -p. */
static void set_target(cmd_t *c)
{
	if (c->procs.n == 1)
		dtrace_set_target(c->dtp, c->procs.v[0].pid);
}

static int opt_create(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	char err[512];

	if (cmd_proc_create(&c->procs, arg, err, sizeof(err)) != 0)
		cmd_fatal(c, "%s", err);
	set_target(c);
	return 0;
}

static int opt_grab(cmd_t *c, const cmd_optdef_t *def, char *arg)
{
	char err[512];

	if (cmd_proc_grab(&c->procs, arg, err, sizeof(err)) != 0)
		cmd_fatal(c, "%s", err);
	set_target(c);
	return 0;
}

/* ---- the option table ---------------------------------------------------- */

static const cmd_optdef_t cmd_opts[] = {
	{ '3', "2", PASS_PARSE, opt_model, NULL, 32,
	  "generate 32-bit D programs (not supported yet)" },
	{ '6', "4", PASS_PARSE, opt_model, NULL, 64,
	  "generate 64-bit D programs (the default)" },
	{ 'a', NULL, PASS_PARSE, opt_unsupported, NULL, 0,
	  "claim anonymous tracing state (not supported yet)" },
	{ 'A', NULL, PASS_PARSE, opt_unsupported, NULL, 0,
	  "set up anonymous tracing at boot (not supported yet)" },
	{ 'b', "bufsz", PASS_OPTIONS, opt_setopt, "bufsize", 0,
	  "set the trace buffer size (-x bufsize)" },
	{ 'B', NULL, PASS_PARSE, opt_unsupported, NULL, 0,
	  "report buffer processing (not supported yet)" },
	{ 'c', "cmd", PASS_PROCS, opt_create, NULL, 0,
	  "run cmd as $target; exit when it has exited" },
	{ 'C', NULL, PASS_OPTIONS, opt_setopt, "cpp", 0,
	  "run the C preprocessor cpp(1) over D programs" },
	{ 'D', "name[=def]", PASS_OPTIONS, opt_setopt, "define", 0,
	  "define a preprocessor macro" },
	{ 'e', NULL, PASS_PARSE, opt_no_exec, NULL, 0,
	  "exit after compiling, without enabling any probe" },
	{ 'f', "[[provider:]module:]func",
	  PASS_PARSE, opt_spec, NULL, DTRACE_SPEC_FUNC,
	  "enable or list the probes of a function" },
	{ 'F', NULL, PASS_OPTIONS, opt_setopt, "flowindent", 0,
	  "indent output by function entry and return" },
	{ 'G', NULL, PASS_PARSE, opt_mode, NULL, MODE_LINK,
	  "generate an ELF object defining USDT probe semaphores" },
	{ 'h', NULL, PASS_PARSE, opt_mode, NULL, MODE_HEADER,
	  "generate a C header with USDT probe macros" },
	{ 'H', NULL, PASS_PARSE, opt_unsupported, NULL, 0,
	  "print the files cpp includes (not supported yet)" },
	{ 'i', "probe-id",
	  PASS_PARSE, opt_spec, NULL, DTRACE_SPEC_ID,
	  "enable or list a probe by its id" },
	{ 'I', "path", PASS_OPTIONS, opt_setopt, "incdir", 0,
	  "add a directory to cpp's include path" },
	{ 'l', NULL, PASS_PARSE, opt_mode, NULL, MODE_LIST,
	  "list the matching probes instead of enabling them" },
	{ 'L', "path", PASS_OPTIONS, opt_setopt, "libdir", 0,
	  "add a directory to the D library path" },
	{ 'm', "[provider:]module",
	  PASS_PARSE, opt_spec, NULL, DTRACE_SPEC_MODULE,
	  "enable or list the probes of a module" },
	{ 'n', "[[[provider:]module:]func:]name",
	  PASS_PARSE, opt_spec, NULL, DTRACE_SPEC_NAME,
	  "enable or list the probes matching a description" },
	{ 'o', "output", PASS_PARSE, opt_output, NULL, 0,
	  "append the output (or the -l listing) to a file" },
	{ 'p', "pid", PASS_PROCS, opt_grab, NULL, 0,
	  "trace process pid as $target; exit when it has exited" },
	{ 'P', "provider",
	  PASS_PARSE, opt_spec, NULL, DTRACE_SPEC_PROVIDER,
	  "enable or list the probes of a provider" },
	{ 'q', NULL, PASS_OPTIONS, opt_setopt, "quiet", 0,
	  "print only what the program traces (-x quiet)" },
	{ 's', "script",
	  PASS_PARSE, opt_spec, NULL, CMD_SPEC_FILE,
	  "enable or list the probes of a D script file" },
	{ 'S', NULL, PASS_PARSE, opt_dump, NULL, 0,
	  "print the compiled BPF code on standard error" },
	{ 'U', "name", PASS_OPTIONS, opt_setopt, "undef", 0,
	  "undefine a preprocessor macro" },
	{ 'v', NULL, PASS_PARSE, opt_verbose, NULL, 0,
	  "verbose: with -l, describe the probes' arguments" },
	{ 'V', NULL, PASS_PARSE, opt_mode, NULL, MODE_VERSION,
	  "print the version of the D language and exit" },
	{ 'w', NULL, PASS_OPTIONS, opt_setopt, "destructive", 0,
	  "permit destructive actions" },
	{ 'x', "opt[=val]", PASS_OPTIONS, opt_x, NULL, 0,
	  "set a compiler or tracing option" },
	{ 'X', "a|c|s|t", PASS_PARSE, opt_unsupported, NULL, 0,
	  "ISO C conformance of cpp (not supported yet)" },
	{ 'Z', NULL, PASS_OPTIONS, opt_setopt, "zdefs", 0,
	  "permit descriptions that match no probe (-x zdefs)" },
	{ 0 }
};

static const cmd_optdef_t *find_opt(int letter)
{
	for (const cmd_optdef_t *d = cmd_opts; d->letter; d++)
		if (d->letter == letter)
			return d;
	return NULL;
}

/* "+3:6:ab:..." from the table. */
static void build_optstring(char *buf)
{
	*buf++ = '+';
	for (const cmd_optdef_t *d = cmd_opts; d->letter; d++) {
		*buf++ = d->letter;
		if (d->argname != NULL)
			*buf++ = ':';
	}
	*buf = '\0';
}

/* ---- usage ------------------------------------------------------------- */

static bool is_model(const cmd_optdef_t *d)
{
	return d->fn == opt_model;
}

/* The options that take an argument, wrapped like DTrace's synopsis. */
static void usage_args(FILE *fp, size_t col)
{
	for (const cmd_optdef_t *d = cmd_opts; d->letter; d++) {
		size_t len;

		if (d->argname == NULL || is_model(d) ||
		    (d->fn == opt_spec && d->val != CMD_SPEC_FILE))
			continue;
		len = strlen(d->argname) + 5;
		if (col + len > 72) {
			fputs("\n\t", fp);
			col = 8;
		} else {
			col += fprintf(fp, " ");
		}
		col += fprintf(fp, "[-%c %s]", d->letter, d->argname);
	}
	fputs("\n\n", fp);
}

/* The probe options, in the order DTrace's synopsis gives them. */
static void usage_specs(FILE *fp)
{
	static const char order[] = "Pmfni";

	for (const char *l = order; *l; l++) {
		const cmd_optdef_t *d = find_opt(*l);

		if (d != NULL)
			fprintf(fp, "\t[-%c %s [[ predicate ] action ]]\n",
				d->letter, d->argname);
	}
	fprintf(fp, "\t[ args ... ]\n\n"
		"\tpredicate -> '/' D-expression '/'\n"
		"\t   action -> '{' D-statements '}'\n\n");
}

static int usage(const cmd_t *c, FILE *fp)
{
	int col = fprintf(fp, "Usage: %s [-32|-64] [-", c->pname);

	for (const cmd_optdef_t *d = cmd_opts; d->letter; d++)
		if (d->argname == NULL)
			col += fprintf(fp, "%c", d->letter);
	col += fprintf(fp, "]");
	usage_args(fp, (size_t)col);
	usage_specs(fp);
	for (const cmd_optdef_t *d = cmd_opts; d->letter; d++) {
		char flag[8];

		snprintf(flag, sizeof(flag), "-%c%s", d->letter,
			 is_model(d) ? d->argname : "");
		fprintf(fp, "\t%-3s %s\n", flag, d->help);
	}
	return CMD_EXIT_USAGE;
}

/* ---- parsing ------------------------------------------------------------- */

static int take_opt(cmd_t *c, int letter, char *arg)
{
	const cmd_optdef_t *def = find_opt(letter);

	if (def == NULL)		/* getopt has said what was wrong */
		return usage(c, stderr);
	if (def->pass == PASS_PARSE)
		return def->fn(c, def, arg);
	c->later[c->nlater++] = (cmd_later_t){ .def = def, .arg = arg };
	return 0;
}

static int alloc_lists(cmd_t *c, int argc, char **argv)
{
	size_t max = 1;		/* options given: at most one per character */

	for (int i = 1; i < argc; i++)
		max += strlen(argv[i]);
	c->specs = calloc(max, sizeof(*c->specs));
	c->later = calloc(max, sizeof(*c->later));
	c->macv = calloc((size_t)argc + 1, sizeof(*c->macv));
	if (c->specs == NULL || c->later == NULL || c->macv == NULL) {
		cmd_warn(c, "failed to allocate memory for arguments");
		return CMD_EXIT_ERROR;
	}
	return 0;
}

/*
 * DTrace's loop: getopt stops at an operand, which becomes the next macro
 * argument, and parsing resumes after it.  Each stretch of options is
 * parsed afresh (optind = 0) from a copy of the rest of argv headed by our
 * name: glibc keeps state across a "--" that a resumed parse trips over.
 * Returns 0 or an exit status.
 */
static int parse_args(cmd_t *c, int argc, char **argv)
{
	char optstring[2 * sizeof(cmd_opts) / sizeof(cmd_opts[0]) + 2];
	char **segv;
	int ch, rc;

	if ((rc = alloc_lists(c, argc, argv)) != 0)
		return rc;
	if ((segv = calloc((size_t)argc + 1, sizeof(*segv))) == NULL)
		return CMD_EXIT_ERROR;
	build_optstring(optstring);
	c->macv[c->macc++] = argv[0];	/* $0 */
	for (int i = 1; i < argc && rc == 0;) {
		segv[0] = (char *)c->pname;
		memcpy(segv + 1, argv + i, (size_t)(argc - i) * sizeof(*segv));
		segv[argc - i + 1] = NULL;
		optind = 0;
		while (rc == 0 && (ch = getopt(argc - i + 1, segv,
					       optstring)) != -1)
			rc = take_opt(c, ch, optarg);
		i += optind - 1;
		if (rc == 0 && i < argc)
			c->macv[c->macc++] = argv[i++];
	}
	free(segv);
	return rc;
}

static void run_later(cmd_t *c, cmd_pass_t pass)
{
	for (size_t i = 0; i < c->nlater; i++)
		if (c->later[i].def->pass == pass)
			c->later[i].def->fn(c, c->later[i].def, c->later[i].arg);
}

/* ---- the modes, and main ------------------------------------------------- */

static const struct {
	int (*run)(cmd_t *c);
	bool needs_handle;	/* open the library and act on options first */
	bool needs_privileges;	/* the kernel's tracing facilities */
} cmd_modes[] = {
	[MODE_EXEC] = { cmd_run_exec, true, true },
	[MODE_LIST] = { cmd_run_list, true, true },
	[MODE_VERSION] = { cmd_run_version, false, false },
	[MODE_HEADER] = { cmd_run_header, true, false },
	[MODE_LINK] = { cmd_run_link, true, false },
};

/* Run with stdin (or stdout, stderr) closed, nothing we open may take its
   place: a -c command would read our pipe as its stdin. */
static void fill_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
			return;
}

/* Everything but the final cleanup; returns the exit status. */
static int run_command(cmd_t *c, int argc, char **argv)
{
	int rc;

	if (argc == 1)
		return usage(c, stderr);
	if ((rc = parse_args(c, argc, argv)) != 0)
		return rc;
	if (c->nmodes > 1) {
		cmd_warn(c, "only one of the [-GhlV] options can be specified "
			 "at a time");
		return CMD_EXIT_USAGE;
	}
	if (!cmd_modes[c->mode].needs_handle)
		return cmd_modes[c->mode].run(c);
	if ((c->dtp = dtrace_open()) == NULL)
		cmd_fatal(c, "failed to initialize dtrace: %s", strerror(errno));
	if (cmd_modes[c->mode].needs_privileges &&
	    dtrace_privileged(c->dtp) != 0)
		cmd_fatal(c, "failed to initialize dtrace: %s",
			  dtrace_errmsg(c->dtp));
	run_later(c, PASS_OPTIONS);
	if (c->dump_bpf)	/* -S prints the IR as well: have it kept */
		dtrace_setopt(c->dtp, "ir", NULL);
	run_later(c, PASS_PROCS);
	return cmd_modes[c->mode].run(c);
}

int main(int argc, char **argv)
{
	cmd_t c = { .out = stdout };
	const char *slash = strrchr(argv[0], '/');
	int rc;

	c.pname = slash ? slash + 1 : argv[0];
	fill_std_fds();
	rc = run_command(&c, argc, argv);
	cmd_cleanup(&c);
	return rc;
}
