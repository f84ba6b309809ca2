/*
 * cmd.h - the dtrace command's internal header, sectioned by file.
 *
 * The command is a thin driver over include/dtrace.h: dtrace.c reads the
 * command line into a cmd_t (one table says what every option letter does)
 * and picks a mode; modes.c runs it (trace, list, version), usdtgen.c the
 * USDT generators (-h, -G); proc.c starts
 * the -c commands and watches the -p processes.  Everything the command
 * knows lives in the cmd_t passed around explicitly; the only static state
 * is the signal counters the handlers must reach (modes.c).
 */
#ifndef DTRACE_CMD_H
#define DTRACE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "dtrace.h"

/* Exit statuses, as dtrace(8) documents them. */
enum {
	CMD_EXIT_OK = 0,	/* success (or the status exit() asked for) */
	CMD_EXIT_ERROR = 1,	/* compile error, failed request */
	CMD_EXIT_USAGE = 2,	/* bad options or arguments */
};

#define CMD_SPEC_FILE	(-1)	/* cmd_spec_t.kind of -s */

/* ---- proc.c: processes created with -c and grabbed with -p ------------- */

typedef enum {
	CMD_HOLD_NONE,		/* running freely (grabbed, or released) */
	CMD_HOLD_PTRACE,	/* stopped by ptrace right after its exec */
	CMD_HOLD_PIPE,		/* blocked before exec, until we say go */
} cmd_hold_t;

typedef struct cmd_proc {
	pid_t pid;
	const char *file;	/* -c: the program run (for messages) */
	bool created;		/* -c (ours to reap and to kill) */
	bool live;		/* not yet seen to exit */
	cmd_hold_t hold;	/* how a created child waits for tracing */
	int fd;			/* -c: our end of the socket pair with it */
	int pidfd;		/* -p: becomes readable when it exits; -1 */
} cmd_proc_t;

typedef struct cmd_procs {
	cmd_proc_t *v;
	size_t n, cap;
	size_t live;		/* how many have not exited yet */
} cmd_procs_t;

/*
 * Start "cmd" (split on white space in place, run with execvp semantics)
 * and hold it before it runs any of its own code.  -1 on failure with a
 * message (without "dtrace: ") in err.
 */
int cmd_proc_create(cmd_procs_t *ps, char *cmd, char *err, size_t errlen);
/* Check -p's pid and start watching it.  -1 with a message in err. */
int cmd_proc_grab(cmd_procs_t *ps, const char *arg, char *err, size_t errlen);
/* Let every held child run (tracing is now enabled). */
void cmd_proc_release(cmd_procs_t *ps, const char *pname);
/* Notice processes that exited (reporting each unless quiet); returns how
   many are still alive.  Never blocks. */
size_t cmd_proc_poll(cmd_procs_t *ps, const char *pname, bool quiet);
/* Kill the created processes still alive, reap them, close every fd. */
void cmd_proc_cleanup(cmd_procs_t *ps);

/* ---- dtrace.c: the command line, messages ------------------------------ */

typedef enum {
	MODE_EXEC,		/* compile, enable, trace (default) */
	MODE_LIST,		/* -l */
	MODE_VERSION,		/* -V */
	MODE_HEADER,		/* -h */
	MODE_LINK,		/* -G */
} cmd_mode_t;

typedef struct cmd_spec {
	char *arg;		/* D text, or the script's path for -s */
	int kind;		/* dtrace_spec_t, or CMD_SPEC_FILE */
	char *text;		/* -s: the script, kept until dtrace_close() */
	dtrace_prog_t *prog;
} cmd_spec_t;

/* An option acted on once the library is open (see dtrace.c). */
typedef struct cmd_later {
	const struct cmd_optdef *def;
	char *arg;
} cmd_later_t;

typedef struct cmd {
	const char *pname;	/* basename(argv[0]): "dtrace" in messages */
	dtrace_hdl_t *dtp;
	cmd_mode_t mode;
	int nmodes;		/* how many of -G -h -l -V were given */
	bool no_exec;		/* -e */
	int verbose;		/* -v */
	bool dump_bpf;		/* -S */
	const char *ofile;	/* -o */
	FILE *out;		/* stdout or the -o file */
	cmd_spec_t *specs;	/* -n -P -m -f -i -s, in order */
	size_t nspecs;
	cmd_later_t *later;	/* options for after dtrace_open() */
	size_t nlater;
	char **macv;		/* $0 $1 ...: argv[0], then the operands */
	int macc;
	cmd_procs_t procs;	/* -c and -p */
} cmd_t;

/* "dtrace: <message>" on stderr. */
void cmd_warn(const cmd_t *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, unless quiet (DTrace's notices). */
void cmd_notice(const cmd_t *c, bool quiet, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report, release everything (killing the -c commands), exit 1. */
void cmd_fatal(cmd_t *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Close the library, kill and reap the -c commands, close -o, free. */
void cmd_cleanup(cmd_t *c);

/* ---- modes.c: what dtrace does once the command line is read ------------- */

int cmd_run_exec(cmd_t *c);	/* compile, trace until done; exit status */
int cmd_run_list(cmd_t *c);	/* -l */
int cmd_run_version(cmd_t *c);	/* -V */
/* A script's text, its "#!" line blanked; NULL with errno set. */
char *cmd_read_script(const char *path);

/* ---- usdtgen.c: dtrace -h and -G ---------------------------------------- */

int cmd_run_header(cmd_t *c);	/* -h */
int cmd_run_link(cmd_t *c);	/* -G */

#endif /* DTRACE_CMD_H */
