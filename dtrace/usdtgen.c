/*
 * usdtgen.c - `dtrace -h` and `dtrace -G`: the USDT generators of the
 * command (the work is in usdt/, behind dtrace_usdt_*() of dtrace.h).
 *
 *   dtrace -h -s probes.d [-o probes.h]        [-C -D.. -I.. -U..]
 *   dtrace -G -s probes.d [-o probes.o] [object ...]
 *
 * Options and operands come in any order; operands are, for -G, the
 * application's objects, read to learn the target (never written).  The
 * output names follow DTrace:
 *   -h  -o, else the script's base name with .d replaced by .h (in the
 *       current directory); several scripts, or one not ending in .d,
 *       need -o.  The header covers every script's providers.
 *   -G  with one script: -o, else its base name with .d replaced by .o,
 *       else "d.out"; with several: one object per script named that way
 *       ("d.out.N" for the N-th that does not end in .d), or, with -o, one
 *       object for all of them.
 * Errors in a definition are compile errors ("failed to compile script
 * x.d: line 3: ..."); -h or -G without a script is a usage error (exit 2).
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/* Only -s scripts hold provider definitions; how many there are. */
static size_t count_scripts(cmd_t *c, char letter)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nspecs; i++) {
		if (c->specs[i].kind != CMD_SPEC_FILE)
			cmd_fatal(c, "-%c reads provider definitions from -s "
				  "scripts only", letter);
		n++;
	}
	return n;
}

static void add_script(cmd_t *c, dtrace_usdt_t *usp, cmd_spec_t *s)
{
	if (s->text == NULL && (s->text = cmd_read_script(s->arg)) == NULL)
		cmd_fatal(c, "failed to open %s: %s", s->arg, strerror(errno));
	if (dtrace_usdt_add(usp, s->text, s->arg) != 0) {
		dtrace_usdt_destroy(usp);
		cmd_fatal(c, "failed to compile script %s: %s", s->arg,
			  dtrace_errmsg(c->dtp));
	}
}

/* "dir/x.d" -> "x" + ext, or NULL when the name does not end in ".d". */
static char *derived_name(const char *script, const char *ext)
{
	char *copy = strdup(script), *base, *out = NULL;
	size_t len;

	if (copy == NULL)
		return NULL;
	base = basename(copy);
	len = strlen(base);
	if (len > 2 && strcmp(base + len - 2, ".d") == 0 &&
	    asprintf(&out, "%.*s%s", (int)(len - 2), base, ext) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* ---- -h ------------------------------------------------------------------- */

int cmd_run_header(cmd_t *c)
{
	size_t n = count_scripts(c, 'h');
	char *derived = NULL;
	const char *ofile = c->ofile;
	dtrace_usdt_t *usp;
	FILE *fp;

	if (n == 0) {
		cmd_warn(c, "-h requires one or more scripts or enabling "
			 "options");
		return CMD_EXIT_USAGE;
	}
	if (ofile == NULL && n > 1) {
		cmd_warn(c, "-h requires an output file if multiple scripts "
			 "are specified");
		return CMD_EXIT_USAGE;
	}
	if (ofile == NULL &&
	    (ofile = derived = derived_name(c->specs[0].arg, ".h")) == NULL) {
		cmd_warn(c, "-h requires an output file if no scripts are "
			 "specified");
		return CMD_EXIT_USAGE;
	}
	if ((usp = dtrace_usdt_create(c->dtp)) == NULL)
		cmd_fatal(c, "%s", dtrace_errmsg(c->dtp));
	for (size_t i = 0; i < n; i++)
		add_script(c, usp, &c->specs[i]);
	if ((fp = fopen(ofile, "w")) == NULL) {
		int err = errno;
		dtrace_usdt_destroy(usp);
		cmd_fatal(c, "failed to open header file '%s': %s", ofile,
			  strerror(err));
	}
	int rc = dtrace_usdt_header(usp, fp, ofile);
	if (fclose(fp) == EOF && rc == 0)
		rc = -1;
	dtrace_usdt_destroy(usp);
	if (rc != 0)
		cmd_fatal(c, "failed to create header file %s: %s", ofile,
			  dtrace_errmsg(c->dtp));
	free(derived);
	return CMD_EXIT_OK;
}

/* ---- -G ------------------------------------------------------------------- */

/* One object from scripts [from, to). */
static void link_scripts(cmd_t *c, size_t from, size_t to, const char *ofile)
{
	dtrace_usdt_t *usp = dtrace_usdt_create(c->dtp);

	if (usp == NULL)
		cmd_fatal(c, "%s", dtrace_errmsg(c->dtp));
	for (size_t i = from; i < to; i++)
		add_script(c, usp, &c->specs[i]);
	if (dtrace_usdt_link(usp, ofile, c->macc - 1, c->macv + 1) != 0) {
		dtrace_usdt_destroy(usp);
		cmd_fatal(c, "failed to link script %s: %s", c->specs[from].arg,
			  dtrace_errmsg(c->dtp));
	}
	dtrace_usdt_destroy(usp);
}

int cmd_run_link(cmd_t *c)
{
	size_t n = count_scripts(c, 'G');

	if (n == 0) {
		cmd_warn(c, "-G requires one or more scripts or enabling "
			 "options");
		return CMD_EXIT_USAGE;
	}
	if (c->ofile != NULL) {
		link_scripts(c, 0, n, c->ofile);
		return CMD_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		char *name = derived_name(c->specs[i].arg, ".o");

		if (name == NULL && (n > 1 ? asprintf(&name, "d.out.%zu", i) :
				     asprintf(&name, "d.out")) < 0)
			cmd_fatal(c, "failed to allocate memory");
		link_scripts(c, i, i + 1, name);
		free(name);
	}
	return CMD_EXIT_OK;
}
