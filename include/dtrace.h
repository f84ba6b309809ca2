/*
 * dtrace.h - the public interface of libdtrace, the library behind the
 * dtrace command.  Everything else in the tree is internal.
 *
 * Functions return 0 (or a pointer) on success and -1 (or NULL) on failure,
 * with the reason available from dtrace_errmsg().
 */
#ifndef DTRACE_H
#define DTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DTRACE_API __attribute__((visibility("default")))

typedef struct dtrace_hdl dtrace_hdl_t;
typedef struct dtrace_prog dtrace_prog_t;

#define DTRACE_VERSION "0.1"

/* Where a compile error came from: what dtrace(1) prints after "dtrace: ". */
typedef enum {
	DTRACE_ERR_NONE,
	DTRACE_ERR_COMPILE,	/* a user error in D (has a tag and location) */
	DTRACE_ERR_MATCH,	/* a probe description matched nothing */
	DTRACE_ERR_SYSTEM,	/* the kernel refused something */
	DTRACE_ERR_USAGE,	/* bad option or value */
} dtrace_errkind_t;

DTRACE_API dtrace_hdl_t *dtrace_open(void);
DTRACE_API void dtrace_close(dtrace_hdl_t *dtp);

DTRACE_API const char *dtrace_errmsg(dtrace_hdl_t *dtp);

/* 0 if this process may trace (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN),
   else -1 with "DTrace requires additional privileges".  Listing and
   tracing need it; dtrace -h and -G do not. */
DTRACE_API int dtrace_privileged(dtrace_hdl_t *dtp);
DTRACE_API dtrace_errkind_t dtrace_errkind(dtrace_hdl_t *dtp);

/* -x name[=value]; also #pragma D option.  Returns 0 or -1. */
DTRACE_API int dtrace_setopt(dtrace_hdl_t *dtp, const char *name,
			     const char *value);
DTRACE_API int dtrace_getopt(dtrace_hdl_t *dtp, const char *name,
			     int64_t *value);

/* Where trace output goes (default stdout). */
DTRACE_API void dtrace_set_output(dtrace_hdl_t *dtp, FILE *out);

/* Macro arguments: argv[0] is $0.  $target is set by dtrace_set_target. */
DTRACE_API void dtrace_set_macros(dtrace_hdl_t *dtp, int argc, char **argv);
DTRACE_API void dtrace_set_target(dtrace_hdl_t *dtp, int64_t pid);

typedef enum {
	DTRACE_SPEC_NAME,	/* -n: a probe description with optional body */
	DTRACE_SPEC_PROVIDER,	/* -P provider */
	DTRACE_SPEC_MODULE,	/* -m [provider:]module */
	DTRACE_SPEC_FUNC,	/* -f [[provider:]module:]function */
	DTRACE_SPEC_ID,		/* -i probe id */
} dtrace_spec_t;

/*
 * Compile D source.  file is the script's name (-s) or NULL for program
 * text given with -n/-P/-m/-f/-i, in which case spec says how a bare probe
 * description is to be read.  Returns NULL on error.
 */
DTRACE_API dtrace_prog_t *dtrace_program_compile(dtrace_hdl_t *dtp,
						 const char *text,
						 const char *file,
						 dtrace_spec_t spec);

/* Number of probes the program's clauses matched. */
DTRACE_API int dtrace_program_nprobes(dtrace_prog_t *pgp);

/* Print the program's AST, IR or BPF (-x tree, -x ir, -S). */
DTRACE_API void dtrace_program_dump(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
				    FILE *out, const char *what);

/* List the probes matching a description (-l).  verbose: -v. */
DTRACE_API int dtrace_list(dtrace_hdl_t *dtp, const char *desc,
			   dtrace_spec_t spec, bool verbose, FILE *out,
			   bool *printed_header);
/* desc NULL (dtrace -l alone): every probe.  -l -s script: the probes the
   compiled program's clauses match, listed the same way. */
DTRACE_API int dtrace_program_list(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
				   bool verbose, FILE *out,
				   bool *printed_header);

/*
 * dtrace -h and -G: the provider definitions of D scripts become a C/C++
 * header of probe macros (SystemTap v3 SDT notes) and an ELF object that
 * defines the probes' semaphores.  Add each script (run through cpp when
 * the cpp option, -C, is set), then write.  Errors in a definition are
 * compile errors, as from dtrace_program_compile().
 */
typedef struct dtrace_usdt dtrace_usdt_t;
DTRACE_API dtrace_usdt_t *dtrace_usdt_create(dtrace_hdl_t *dtp);
DTRACE_API void dtrace_usdt_destroy(dtrace_usdt_t *usp);
DTRACE_API int dtrace_usdt_add(dtrace_usdt_t *usp, const char *text,
			       const char *file);
/* The header, written to out; hfile is its name (for the include guard). */
DTRACE_API int dtrace_usdt_header(dtrace_usdt_t *usp, FILE *out,
				  const char *hfile);
/* The object ofile, for the target of the relocatable objects objv
   (read, never modified; x86_64 when objc is 0). */
DTRACE_API int dtrace_usdt_link(dtrace_usdt_t *usp, const char *ofile,
				int objc, char *const objv[]);

/* Create the maps and load every compiled program (the kernel's verifier
   checks each), attaching nothing: -x loadonly.  After it, only
   dtrace_close(). */
DTRACE_API int dtrace_load(dtrace_hdl_t *dtp);

/* Load and attach every compiled program. */
DTRACE_API int dtrace_go(dtrace_hdl_t *dtp);
/* After dtrace_go: how many matched probes were not enabled because the
   kernel refuses a uprobe on their instruction (as DTrace skips what it
   cannot instrument), and the name of the first in first. */
DTRACE_API int dtrace_probes_skipped(dtrace_hdl_t *dtp, char *first,
				     size_t size);

typedef enum {
	DTRACE_WORK_OKAY,	/* keep going */
	DTRACE_WORK_DONE,	/* exit() was called or tracing stopped */
	DTRACE_WORK_ERROR,
} dtrace_workstatus_t;

/* Wait up to timeout_ms for records and print them. */
DTRACE_API dtrace_workstatus_t dtrace_work(dtrace_hdl_t *dtp, int timeout_ms);

/* Stop tracing: fire END, drain, print what is pending. */
DTRACE_API int dtrace_stop(dtrace_hdl_t *dtp);

/* After dtrace_stop: print every aggregation that printa() has not
   printed, as DTrace does at exit. */
DTRACE_API int dtrace_aggregate_print(dtrace_hdl_t *dtp, FILE *out);

/* The status exit() asked for (0 if it was not called). */
DTRACE_API int dtrace_exit_status(dtrace_hdl_t *dtp);

#endif /* DTRACE_H */
