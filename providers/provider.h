/*
 * provider.h - the providers, one file each, behind one ops table
 * (dt_provops_t in libdtrace.h).
 *
 *   dtrace.c   BEGIN, END, ERROR: fired from user space by running the
 *              program with BPF_PROG_TEST_RUN (raw tracepoint type); the
 *              probe id and arguments arrive in the context array.
 *   syscall.c  syscall:vmlinux:<name>:entry|return on the raw tracepoints
 *              sys_enter / sys_exit: one attachment per program whatever
 *              its number of probes, the program's own map turning the
 *              syscall number into the probe id (the syscalls:sys_enter_*
 *              tracepoints, through perf events, only for syscalls whose
 *              number this build does not know).
 *   profile.c  profile:::profile-N and tick-N on perf software clock events.
 *   fbt.c      fbt:<module>:<function>:entry|return on kprobes (kprobe
 *              PMU perf events, or one kprobe.multi link per program).
 *   pid.c      pid<PID>:<object>:<function>:entry|return|<offset> on
 *              uprobes (perf uprobe PMU events filtered to the process).
 *   usdt.c     <provider><PID>:<object>:<function>:<name> from the SDT
 *              notes of the files a process maps, on uprobes likewise.
 *   sdt.c      sdt:<group>::<event>, every kernel tracepoint, on perf
 *              tracepoint events; its arguments are the event's fields.
 *   proc.c     proc:::exec-success, exit, create, signal-send, ... on the
 *              raw tracepoints of the scheduler and signal code.
 *   tpformat.c (no provider) tracepoint format files, for syscall and sdt.
 */
#ifndef PROVIDERS_PROVIDER_H
#define PROVIDERS_PROVIDER_H

#include "libdtrace.h"

extern const dt_provops_t dt_prov_dtrace;
extern const dt_provops_t dt_prov_syscall;
extern const dt_provops_t dt_prov_profile;
extern const dt_provops_t dt_prov_fbt;
extern const dt_provops_t dt_prov_pid;
extern const dt_provops_t dt_prov_usdt;
extern const dt_provops_t dt_prov_sdt;
extern const dt_provops_t dt_prov_proc;

/* ptregs.c: from a pt_regs context (kprobes, uprobes): argument n at a
   function's entry (the stack beyond the sixth, read as user or kernel
   memory), the return value; and for any provider whose links carry the
   probe id as their cookie, the probe id (a constant for a program of
   one probe). */
#define DT_REGS_ARGS 6
ir_ref_t dt_regs_arg(dt_lowerenv_t *env, int n, bool user);
ir_ref_t dt_regs_retval(dt_lowerenv_t *env);
ir_ref_t dt_cookie_probeid(dt_lowerenv_t *env);

/* All providers, in the order -l lists them; NULL-terminated. */
extern const dt_provops_t *const dt_providers[];

/* dtrace.c: fire BEGIN (1), END (2) on the current CPU. */
#define DT_PROBE_BEGIN 1
#define DT_PROBE_END 2
#define DT_PROBE_ERROR 3
int dt_dtrace_fire(dtrace_hdl_t *dtp, uint32_t probe_id, int prog_fd);

/* profile.c: parse "profile-N[unit]" / "tick-N[unit]" into an interval in
   ns.  Returns 0, or -1 with the reason in err. */
int dt_profile_parse(const char *name, uint64_t *period_ns, bool *tick,
		     char *err, size_t errsz);

/* pid.c: the pid of a provider name "pid1234" (-1 if it is not one), and
   the offset a probe name like "1c" stands for (0, or -1 if it is not
   one: lower-case hex without leading zeros). */
int dt_pid_of(const char *prov);
int dt_pid_offset_of(const char *name, uint64_t *off);

/* x86len.c: the length of the x86-64 instruction at p (at most n bytes
   there), or -1 if it is not one this decoder knows; whether Linux's
   uprobes accept it (no LOCK, no ES/CS/SS/DS prefix). */
int dt_x86_insn_len(const uint8_t *p, size_t n);
bool dt_x86_uprobe_ok(const uint8_t *p, size_t len);

/* usdt.c: one argument of an SDT note ("-4@8(%rbp)"). */
enum { DT_UA_REG, DT_UA_IMM, DT_UA_MEM };
typedef struct dt_usdt_arg {
	int kind;		/* DT_UA_* */
	int size;		/* 1, 2, 4 or 8 bytes */
	bool is_signed;
	int base, index;	/* pt_regs offsets of the registers, -1 */
	int scale;		/* of the index */
	int shift;		/* 8 for %ah, %bh, %ch, %dh */
	int64_t val;		/* the immediate, or the displacement */
} dt_usdt_arg_t;
/* Parse a note's argument string into argv (at most max): the count, or
   -1 with the reason in bad. */
int dt_usdt_parse_args(const char *s, dt_usdt_arg_t *argv, int max,
		       char *bad, size_t badsz);
/* "python1234" -> "python" and 1234; -1 if it is not such a name (or is
   pid<N>). */
int dt_usdt_split(const char *prov, char *name, size_t namesz);
/* A note's probe name as DTrace shows it: "__" becomes "-". */
void dt_usdt_probename(const char *note, char *out, size_t size);

/* tpformat.c: a tracepoint's format file (events/<group>/<event>/format):
   its id and its own fields (the common_* ones skipped), in order. */
#define DT_TP_MAX_FIELDS 64
enum { DT_TF_INT, DT_TF_ADDR, DT_TF_DATALOC, DT_TF_RELLOC };
typedef struct dt_tpfield {
	uint32_t off, size;	/* in the record */
	bool is_signed;
	int kind;		/* DT_TF_*: how it becomes an argument */
	char type[DT_TYPE_NAME_MAX];	/* DTrace's reading: "char[16]" */
} dt_tpfield_t;
typedef struct dt_tpformat {
	int id;			/* the perf tracepoint id */
	int nfields;		/* own fields; the first DT_TP_MAX_FIELDS kept */
	dt_tpfield_t fields[DT_TP_MAX_FIELDS];
} dt_tpformat_t;
/* Parse a format file's text: 0, or -1 if it is not one. */
int dt_tpformat_parse(const char *text, dt_tpformat_t *fmt);
/* Read and parse the format of group/event under tracefs: 0, or -1 with
   errno set (ENOENT: no such event). */
int dt_tpformat_read(const char *tracefs, const char *group,
		     const char *event, dt_tpformat_t *fmt);
/* A field's type from its declaration decl[0..len) ("char comm[16]"). */
void dt_tpformat_type(const char *decl, size_t len, char *out, size_t size);

#endif /* PROVIDERS_PROVIDER_H */
