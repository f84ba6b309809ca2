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
 *   sched.c    sched:::on-cpu, off-cpu, sleep, preempt, wakeup,
 *              remain-cpu, surrender on the scheduler's; enqueue,
 *              dequeue, tick on its functions (kprobes, fentry).
 *   io.c       io:::start, done on the block layer's; wait-start,
 *              wait-done on submit_bio_wait.
 *   stable.c   (no provider) what proc, sched and io share.
 *   rawtp.c    rawtp:<group>::<event>, every kernel tracepoint as a raw
 *              tracepoint: its arguments are the tracepoint's own (typed
 *              from BTF), not the fields of its record.
 *   cpc.c      cpc:::<event>-<mode>-<count> on perf hardware and software
 *              counter events.
 *   tpformat.c (no provider) tracepoint format files, for syscall and sdt.
 *   kbtf.c     (no provider) the kernel's BTF: prototypes of functions and
 *              raw tracepoints, their types as D type names.
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
extern const dt_provops_t dt_prov_sched;
extern const dt_provops_t dt_prov_io;
extern const dt_provops_t dt_prov_rawtp;
extern const dt_provops_t dt_prov_cpc;

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

/* profile.c: the lower hook of perf event programs (profile's and
   cpc's): the probe id from the attach cookie, arg0 the interrupted
   kernel PC (0 if it was in user mode), arg1 the user PC. */
ir_ref_t dt_perf_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
		       dt_pvar_t what, int n);

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
/* Does a provider field stand for the probes of every process
   ("python*", "app")?  The probes the file o has for such a description
   (none for another description), added to the table: their count, or -1
   with the handle's error set. */
bool dt_usdt_every(const char *prov);
int dt_usdt_populate_obj(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
			 const dt_uobj_t *o);
/* A note's probe name as DTrace shows it: "__" becomes "-". */
void dt_usdt_probename(const char *note, char *out, size_t size);

/* stable.c: the stable providers on raw tracepoints, or on kernel
   functions where no tracepoint fires (see its essay). */
#define DT_ST_MAXARGS 4
#define DT_ST_MAXFUNCS 6
typedef struct dt_stprobe {
	const char *name;
	const char *rawtp;	/* the raw tracepoint it is on */
	const char *rawtp2;	/* and another one, for the same program */
	const char *since;	/* the Linux version that added it, if recent */
	bool btf;		/* the hooks read struct members (dt_stbtf_t) */
	bool bare;		/* rawtp is a bare tracepoint (no event in
				   tracefs), listed only where the kernel's
				   BTF has it */
	const char *lacks;	/* rawtp NULL: why the probe cannot be had on
				   tracepoints (not listed where kfuncs cannot
				   serve either; naming it is an error saying
				   so) */
	const char *kfuncs[DT_ST_MAXFUNCS];	/* rawtp NULL: the kernel
				   functions it is on instead, those the
				   kernel's BTF has, by kprobe or fentry */
	bool kret;		/* at their return (fexit: one function) */
	const char *fallback;	/* kfuncs: a raw tracepoint to use where
				   they cannot be traced, if the provider's
				   fallback hook says it can serve */
	int nargs;
	const char *types[DT_ST_MAXARGS];	/* for -lv and args[] */
} dt_stprobe_t;
/* The struct member offsets the hooks may read, from BTF once. */
typedef struct dt_stbtf {
	dtrace_hdl_t *dtp;	/* whose vmlinux BTF (dt_vmlinux_btf) */
	bool loaded;
	int err;		/* errno, or -1: a member is missing */
	char missing[64];	/* which */
	int32_t pid, tgid, signal, exit_code;	/* in struct task_struct */
	int32_t live;		/* in struct signal_struct (atomic_t) */
	int32_t bprm_filename;	/* in struct linux_binprm */
	int32_t rq_bio;		/* in struct request */
	int32_t rq_cpu;		/* in struct rq */
	int32_t prio;		/* in struct task_struct (int) */
	int32_t static_prio;	/* in struct task_struct (int) */
	int32_t hrtimer_function;	/* in struct hrtimer */
} dt_stbtf_t;
typedef struct dt_stprov dt_stprov_t;
struct dt_stprov {
	const dt_provops_t *ops;
	const dt_stprobe_t *probes;
	int nprobes;
	/* The entry check of probe which (NULL: every firing is its). */
	void (*entry)(dt_lowerenv_t *env, const dt_probe_t *prb, int which);
	/* Its argument n (< nargs). */
	ir_ref_t (*arg)(dt_lowerenv_t *env, const dt_probe_t *prb, int which,
			int n);
	/* Optional: the task whose thread probe which describes, when it is
	   not the current one (DT_PV_TASK), else IR_NONE. */
	ir_ref_t (*task)(dt_lowerenv_t *env, const dt_probe_t *prb, int which);
	/* Optional: can probe p's fallback tracepoint serve here?  NULL,
	   with *addr what its entry check needs (dt_st_addr), or why not
	   into why. */
	const char *(*fallback)(dtrace_hdl_t *dtp, const dt_stprobe_t *p,
				uint64_t *addr, char *why, size_t size);
};
enum { DT_ST_RAWTP, DT_ST_KPROBE, DT_ST_FENTRY };
typedef struct dt_stdata {
	const dt_stprov_t *sp;
	int which;		/* index in sp->probes */
	dt_stbtf_t *btf;	/* the handle's (one per provider) */
	int mode;		/* DT_ST_*: what it is on */
	const char *funcs[DT_ST_MAXFUNCS];	/* kprobe, fentry: the kernel
				   functions it is on (fentry: one) */
	int nfuncs;
	uint32_t func_id;	/* fentry: its BTF FUNC */
	bool fallback;		/* on the probe's fallback tracepoint */
	uint64_t addr;		/* fallback: from the provider's hook */
} dt_stdata_t;
extern const dt_provattr_t dt_st_attr;
int dt_st_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
		   const dt_stprov_t *sp);
int dt_st_argtypes(dtrace_hdl_t *dtp, const dt_probe_t *prb,
		   char types[][DT_TYPE_NAME_MAX], int max);
int dt_st_kind(const dt_probe_t *prb);
ir_ref_t dt_st_lower(dt_lowerenv_t *env, const dt_probe_t *prb,
		     dt_pvar_t what, int n);
int dt_st_attach(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd);
int dt_st_prog_type_of(int kind);
int dt_st_prepare(dtrace_hdl_t *dtp, dt_bpfprog_t *bp);
int dt_st_which(const dt_probe_t *prb);
const dt_stbtf_t *dt_st_btf(const dt_probe_t *prb);
/* Hook helpers: go on only if cond is nonzero (else the firing is not
   the probe's); raw tracepoint argument n; size bytes of kernel memory at
   addr + off (0 if that faults); the current task; argument n of the
   kernel function a probe on kfuncs fires in (kprobe or fentry). */
void dt_st_need(dt_lowerenv_t *env, ir_ref_t cond);
ir_ref_t dt_st_raw(dt_lowerenv_t *env, int n);
ir_ref_t dt_st_farg(dt_lowerenv_t *env, const dt_probe_t *prb, int n);
/* A probe on its fallback tracepoint: the address its hook found; else
   0. */
uint64_t dt_st_addr(const dt_probe_t *prb);
ir_ref_t dt_st_read(dt_lowerenv_t *env, ir_ref_t addr, int32_t off, int size);
ir_ref_t dt_st_current(dt_lowerenv_t *env);

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
/* Populate sdt or rawtp for pd (group:"":event): call fn for each
   tracepoint events/<group>/<event> whose group matches pd's module and
   event its name, leaving out the groups that are not sdt's or rawtp's
   (syscalls, kprobes, uprobes, ftrace); exact is true when the name named
   the event (found by access(), not a readdir).  fn returns 1 (a probe),
   0 or -1 (stop); the result is the sum of the 1s, or -1.  No tracefs:
   no probes. */
typedef int dt_tpwalk_f(dtrace_hdl_t *dtp, const char *group,
			const char *event, bool exact);
int dt_tracefs_walk(dtrace_hdl_t *dtp, const dt_pdesc_t *pd, dt_tpwalk_f *fn);

/* kbtf.c: vmlinux's BTF, loaded once per handle (NULL if the kernel has
   none: dt_kbtf_why says why); the FUNC_PROTO of a function or of a raw
   tracepoint (its btf_trace_<event> typedef; the first parameter is the
   tracepoint's private data), 0 if BTF has none, or for a function
   name several prototypes (dt_kbtf_func also sets
   *id, if not NULL, to the FUNC's own id); the parameters of a
   prototype from the skip'th as D type names (the count filled); the
   return type's name. */
typedef struct dt_kbtf dt_kbtf_t;
dt_kbtf_t *dt_kbtf(dtrace_hdl_t *dtp);
/* Module mod's BTF (split on vmlinux's), loaded once per handle; NULL if
   it has none.  Its dt_kbtf_func finds the module's own functions, and
   the type names it gives scope the module's own types ("struct
   mod`tag"). */
dt_kbtf_t *dt_kbtf_mod(dtrace_hdl_t *dtp, const char *mod);
const char *dt_kbtf_why(dtrace_hdl_t *dtp);
void dt_kbtf_free(dtrace_hdl_t *dtp);
/* fbt.c: free the list of the kernel's functions. */
void dt_fbt_free(dtrace_hdl_t *dtp);
uint32_t dt_kbtf_func(const dt_kbtf_t *kb, const char *func, uint32_t *id);
uint32_t dt_kbtf_rawtp(const dt_kbtf_t *kb, const char *event);
int dt_kbtf_nparams(const dt_kbtf_t *kb, uint32_t proto);
int dt_kbtf_params(const dt_kbtf_t *kb, uint32_t proto, int skip,
		   char types[][DT_TYPE_NAME_MAX], int max);
void dt_kbtf_return(const dt_kbtf_t *kb, uint32_t proto, char *buf,
		    size_t size);
/* Are the parameters (at most max) and the return value all scalars or
   pointers of a word at most (what fentry passes one per slot)?  Does
   the function return void? */
bool dt_kbtf_words(const dt_kbtf_t *kb, uint32_t proto, int max);
bool dt_kbtf_void(const dt_kbtf_t *kb, uint32_t proto);

#endif /* PROVIDERS_PROVIDER_H */
