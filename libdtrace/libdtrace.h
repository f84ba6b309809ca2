/*
 * libdtrace.h - the library's internals, sectioned by file.
 *
 * The handle (dtrace_hdl_t) owns everything: options, the probe table,
 * providers, compiled programs, BPF maps, programs and links, and the output
 * ring buffer.  No globals; two handles in one process work.
 *
 * Life of a handle:
 *   dtrace_open -> dtrace_setopt* -> dtrace_program_compile (parse, match
 *   probes lazily, compile one BPF program per (provider kind, clause set))
 *   -> dtrace_program_exec (create maps, load, attach) -> dtrace_go (fire
 *   BEGIN) -> dtrace_work* (consume records) -> dtrace_stop (fire END,
 *   drain) -> dtrace_close (close every fd: the kernel detaches everything).
 */
#ifndef LIBDTRACE_H
#define LIBDTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <elf.h>

#include "dtrace.h"
#include "dlang.h"
#include "ir.h"
#include "fmt.h"

#define DT_VIS __attribute__((visibility("hidden")))

/* ---- options.c ------------------------------------------------------------ */

/*
 * Every -x option, once, in dt_options.h: DT_OPT(name, kind, default).
 * kind: DT_OK_BOOL (set by its name alone), DT_OK_SIZE (accepts k/m/g
 * suffixes), DT_OK_TIME (ns/us/ms/s/hz suffixes, value kept in ns),
 * DT_OK_INT, DT_OK_STR, DT_OK_BUFPOLICY (switch, fill, ring: a
 * dt_bufpolicy_t), DT_OK_BUFRESIZE (auto, manual: a dt_bufresize_t).
 */
typedef enum {
	DT_OK_BOOL, DT_OK_SIZE, DT_OK_TIME, DT_OK_INT, DT_OK_STR,
	DT_OK_BUFPOLICY, DT_OK_BUFRESIZE
} dt_optkind_t;
typedef enum {
	DT_BUFPOLICY_SWITCH, DT_BUFPOLICY_FILL, DT_BUFPOLICY_RING
} dt_bufpolicy_t;
typedef enum { DT_BUFRESIZE_AUTO, DT_BUFRESIZE_MANUAL } dt_bufresize_t;

typedef enum {
#define DT_OPT(name, kind, def) DT_OPT_##name,
#include "dt_options.h"
#undef DT_OPT
	DT_NOPTS
} dt_optid_t;

typedef struct dt_optval {
	int64_t i;		/* numeric value (bool: 0/1, size: bytes, time: ns) */
	const char *s;		/* string value (DT_OK_STR), malloc'd */
	bool set;		/* explicitly set */
} dt_optval_t;

/* A DT_OK_STR option's value (NULL if unset). */
const char *dt_opt_str(const dtrace_hdl_t *dtp, dt_optid_t id);

/* Set every option to its default (dtrace_open), and free string values
   (dtrace_close).  options.c. */
void dt_options_init(dtrace_hdl_t *dtp);
void dt_options_fini(dtrace_hdl_t *dtp);

/* ---- probe.c: the probe table and matching -------------------------------- */

typedef struct dt_provops dt_provops_t;
typedef struct dt_bpfprog dt_bpfprog_t;

typedef struct dt_probe {
	uint32_t id;		/* DTrace probe id: BEGIN 1, END 2, ERROR 3, then
				   in order of discovery */
	const char *prov, *mod, *func, *name;
	const dt_provops_t *ops;
	void *data;		/* provider-private (tracepoint id, period, ...) */
	int nargs;		/* arguments the probe has, -1 if unknown */
} dt_probe_t;

/* A probe description split into its four fields ("" = match anything). */
typedef struct dt_pdesc {
	char prov[64], mod[128], func[128], name[128];
} dt_pdesc_t;

/* Split "p:m:f:n" (fewer fields fill from the right, as DTrace does:
   "f:n", "n").  Returns 0 or -1 if malformed. */
int dt_pdesc_parse(const char *s, dt_pdesc_t *pd);
/* Shell-style glob match (* ? [...] and \\), "" matches anything. */
bool dt_gmatch(const char *s, const char *pattern);

/* Add a probe if not yet known; returns the (possibly existing) probe. */
dt_probe_t *dt_probe_insert(dtrace_hdl_t *dtp, const dt_provops_t *ops,
			    const char *mod, const char *func,
			    const char *name, void *data);
/* The same under another provider name than ops->name ("pid1234"). */
dt_probe_t *dt_probe_insert_as(dtrace_hdl_t *dtp, const dt_provops_t *ops,
			       const char *prov, const char *mod,
			       const char *func, const char *name, void *data);
dt_probe_t *dt_probe_by_id(dtrace_hdl_t *dtp, uint32_t id);
/* Ask each provider whose name matches pd->prov to populate the probes that
   match pd, then call cb for each matching probe in id order.  Returns the
   number of matches, or -1 on an error (set on the handle). */
int dt_probe_iter(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
		  int (*cb)(dtrace_hdl_t *, dt_probe_t *, void *), void *arg);
/* dt_probe_iter with the providers to ask given (NULL-terminated); the
   provider-independent part, testable without the real providers.  cb
   returns 0 to go on, > 0 to stop, < 0 for an error. */
int dt_probe_iter_provs(dtrace_hdl_t *dtp, const dt_pdesc_t *pd,
			const dt_provops_t *const *provs,
			int (*cb)(dtrace_hdl_t *, dt_probe_t *, void *),
			void *arg);
/* Does the probe match all four fields of pd? */
bool dt_probe_match(const dt_probe_t *prb, const dt_pdesc_t *pd);
/* May pd's provider field ask a provider whose programs can be preempted
   (dt_provops_t.preemptible), now or for probes that appear later? */
bool dt_pdesc_preemptible(const dt_pdesc_t *pd);
/* Free the probe table and its hash (dtrace_close). */
void dt_probe_table_destroy(dtrace_hdl_t *dtp);

/* ---- providers (providers/provider.h has the ops table) ------------------- */

/*
 * What a provider's code-generation hook gets: it appends IR to *blk (and
 * may add blocks, leaving *blk at the one control continues in).
 */
typedef struct dt_lowerenv {
	ir_func_t *fn;
	ir_blk_t *blk;
	ir_ref_t ctx;		/* the program's context pointer (a temp) */
	uint32_t probe_id;	/* if the program has one probe, its id; else 0 */
	ir_blk_t *exit;		/* returns 0: for firings that are not ours */
} dt_lowerenv_t;

/* What a provider may be asked to produce in generated code. */
typedef enum {
	DT_PV_ARG,	/* argN (n = 0..9) as a 64-bit value */
	DT_PV_PROBEID,	/* id of the probe that fired */
	DT_PV_ERRNO,	/* errno (syscall return) */
	DT_PV_ENTRY,	/* first thing in every program: a provider that
			   attaches one program to a shared hook (a raw
			   tracepoint) decides here whether the firing is
			   one of the program's probes, branching to env->exit
			   if not; it may return the probe id it found (the
			   program then uses it for DT_PV_PROBEID), or
			   IR_NONE */
	DT_PV_TASK,	/* the struct task_struct * whose thread the probe
			   describes, when it is not the current task
			   (sched:::on-cpu fires before the switch to it):
			   the compiler then takes pid, execname, curthread,
			   self-> ... from it and refuses what only the
			   running thread can give (stack(), copyin());
			   IR_NONE: the current task */
	DT_PV_NVARS
} dt_pvar_t;

/*
 * Stability attributes, as DTrace reports them (dtrace -lv): a stability
 * level for identifier names and one for data semantics, and a dependency
 * class.  Both enums run from least to most stable, so the attributes of a
 * description are the fieldwise minimum over the parts it names.
 */
typedef enum {
	DT_STAB_INTERNAL, DT_STAB_PRIVATE, DT_STAB_OBSOLETE, DT_STAB_EXTERNAL,
	DT_STAB_UNSTABLE, DT_STAB_EVOLVING, DT_STAB_STABLE, DT_STAB_STANDARD,
} dt_stability_t;

typedef enum {
	DT_CLASS_UNKNOWN, DT_CLASS_CPU, DT_CLASS_PLATFORM, DT_CLASS_GROUP,
	DT_CLASS_ISA, DT_CLASS_COMMON,
} dt_depclass_t;

typedef struct dt_attr {
	dt_stability_t name;	/* identifier names */
	dt_stability_t data;	/* data semantics */
	dt_depclass_t class;	/* dependency class */
} dt_attr_t;

/* A provider's attributes: of each probe description field, and of the
   probes' arguments. */
typedef struct dt_provattr {
	dt_attr_t prov, mod, func, name, args;
} dt_provattr_t;

#define DT_TYPE_NAME_MAX 64	/* an argument's D type name, with its NUL */
#define DT_MAX_ARGS 12		/* args[0] .. args[11] (usdt notes have up to 12) */

struct dt_provops {
	const char *name;	/* "syscall" */
	const dt_provattr_t *attr;	/* stability (NULL: all Private) */
	/* Optional (NULL: the arguments are untyped).  The D type names of
	   the probe's arguments: fills types[0..n-1] and returns n (at most
	   max), or -1 with the error set on the handle. */
	int (*argtypes)(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			char types[][DT_TYPE_NAME_MAX], int max);
	/* Add the probes matching pd to the table (lazily, only those). */
	int (*populate)(dtrace_hdl_t *dtp, const dt_pdesc_t *pd);
	/* Programs for probes of the same kind can be shared: the BPF program
	   type, and a kind number that distinguishes context layouts within a
	   provider (e.g. syscall entry vs return). */
	int prog_type;		/* BPF_PROG_TYPE_* */
	int (*kind)(const dt_probe_t *prb);
	/* Emit IR computing what; returns the value, or IR_NONE if the
	   provider has no such thing (the caller then uses 0). */
	ir_ref_t (*lower)(dt_lowerenv_t *env, const dt_probe_t *prb,
			  dt_pvar_t what, int n);
	/* Attach a loaded program to one probe; cookie is the probe id.
	   Returns 0 or -1 (error set on the handle); fds kept by the handle. */
	int (*attach)(dtrace_hdl_t *dtp, dt_probe_t *prb, int prog_fd);
	/* Optional.  Before loading: make what the program needs of its own
	   (bp->progmap_fd, the map DL_MAP_PROG refers to). */
	int (*prepare)(dtrace_hdl_t *dtp, dt_bpfprog_t *bp);
	/* Optional.  Attach the loaded program once, for all its probes
	   (instead of attach() per probe). */
	int (*attach_prog)(dtrace_hdl_t *dtp, dt_bpfprog_t *bp);
	/* Optional.  The BPF program type of a kind, for a provider whose
	   kinds need different types (else prog_type). */
	int (*prog_type_of)(int kind);
	/* Optional.  Before populate and matching: rewrite aliases in a
	   copy of the description (pid: module "a.out" -> the executable's
	   name).  0, or -1 with the error set. */
	int (*resolve)(dtrace_hdl_t *dtp, dt_pdesc_t *pd);
	/* Optional.  Does the provider serve this provider field although
	   it is not its name (usdt: "python1234")? */
	bool (*wants)(const char *prov);
	/* Optional.  Does attaching the probe raise a semaphore a program
	   may be waiting for (usdt is-enabled probes)?  Probes found while
	   tracing are attached with these last, so that a program that
	   waits for its semaphore misses none of the others. */
	bool (*raises)(const dt_probe_t *prb);
	/* Probes may appear while tracing (pid, usdt: libraries loaded
	   later, udyn.c): programs read the probe id from the cookie and the
	   names from the probe map even when they have one probe. */
	bool grows;
	/* Its probes never fire while a BPF program runs on their CPU: at
	   system-call boundaries, in user space (uprobes), for dtrace itself.
	   Other providers' may (in an interrupt or NMI, in kernel code a
	   helper runs), and a script with any of those has all its programs
	   guarded against nesting (dl_lowerhooks_t.guard). */
	bool never_nested;
	/* Its programs (uprobes) run with only migration disabled: where
	   the kernel preempts kernel code (dt_features_preempt), a firing
	   may be preempted and another program run on its CPU meanwhile.
	   A script that may have such probes has all its programs guarded,
	   with an atomic test-and-set (dl_lowerhooks_t.preempt). */
	bool preemptible;
};

/* ---- features.c: what the kernel can do, probed once ---------------------- */

typedef struct dt_features {
	bool probed;
	bool ringbuf;		/* BPF_MAP_TYPE_RINGBUF */
	bool cookie;		/* bpf_get_attach_cookie on perf-event links */
	bool perf_link;		/* BPF_LINK_CREATE for perf events */
	int uprobe_type;	/* perf type of the uprobe PMU, -1: none */
	int uprobe_retbit;	/* its config bit for return probes */
	int uprobe_refshift;	/* where its config has the reference
				   counter (semaphore) offset, -1: none */
	char tracefs[64];	/* "/sys/kernel/tracing", mounted if needed */
	/* kernel function tracing, probed only when fbt asks
	   (dt_features_kfunc) */
	bool kfunc_probed;
	int kprobe_type;	/* the kprobe PMU's perf type, -1: none */
	int kprobe_retbit;	/* its config bit for a return probe */
	bool kprobe_multi;	/* BPF_TRACE_KPROBE_MULTI links */
	int fentry_errno;	/* 0 if an fentry program loads, else why */
	/* BTF-typed raw tracepoints of the syscall hooks, probed only when
	   the syscall provider asks: the btf_trace_sys_enter/_exit ids, 0 if
	   the kernel cannot (dt_features_btf_id) */
	bool sys_btf_probed;
	uint32_t sys_btf[2];	/* [0] sys_enter, [1] sys_exit */
	/* bpf_probe_write_user (copyout()), probed only when a program
	   calls it (dt_features_write_user) */
	bool write_user_probed;
	bool write_user;
	/* uprobe_multi links (6.6+), probed when the pid provider first asks
	   (dt_features_uprobe_multi) */
	bool uprobe_multi_probed;
	bool uprobe_multi;
	/* does the kernel preempt kernel code (dt_features_preempt)? */
	bool preempt_probed;
	bool preempt;
} dt_features_t;

/* Probe the kernel once (idempotent).  Mounts tracefs if it is missing and
   we may.  Returns 0 or -1 with the handle's error set. */
int dt_features_probe(dtrace_hdl_t *dtp);
/* The kernel-function fields above, once (idempotent; never fails: what
   is missing reads as missing). */
void dt_features_kfunc(dtrace_hdl_t *dtp);
/* The id of a vmlinux BTF type of that name and kind (BTF_KIND_*), looked
   up by the kernel itself; 0 if none or the kernel cannot say. */
uint32_t dt_features_btf_id(const char *name, int kind);
/* May BPF programs write user memory (bpf_probe_write_user)?  0 if so,
   else -1 with the handle's error saying why not (lockdown). */
int dt_features_write_user(dtrace_hdl_t *dtp);
/* Has the kernel uprobe_multi links (BPF_TRACE_UPROBE_MULTI)?  Probed
   once (idempotent). */
bool dt_features_uprobe_multi(dtrace_hdl_t *dtp);
/* Does the kernel preempt kernel code (preempt=full or lazy, PREEMPT_RT),
   so that a BPF program run with only migration disabled (uprobes) can be
   preempted in the middle?  Read once (idempotent) from debugfs'
   sched/preempt if it can be read, else the kernel's version string, its
   command line and its config (/boot/config-RELEASE, /proc/config.gz);
   true when it cannot tell. */
bool dt_features_preempt(dtrace_hdl_t *dtp);
/* The decision of dt_features_preempt from what it read (NULL where it
   could not read): debugfs' sched/preempt ("none voluntary (full) lazy"),
   `uname -v`, /proc/cmdline and the config's preemption model ("none",
   "voluntary", "full" for CONFIG_PREEMPT, "lazy", "rt"). */
bool dt_preempt_decide(const char *sched, const char *version,
		       const char *cmdline, const char *model);

/* ---- attach.c: perf events, BPF links, CPUs, letting go ------------------ */

struct perf_event_attr;

/* perf_event_open(2) with close-on-exec (sets attr->size); returns the fd
   or -1 with errno set. */
int dt_perf_event_open(struct perf_event_attr *attr, int pid, int cpu);
/* Open a perf event (pid -1, cpu) and attach prog_fd to it through a BPF
   link carrying cookie; both fds are kept by the handle.  Returns 0, or -1
   with "failed to enable prov:mod:func:name: ..." set on the handle. */
int dt_perf_attach(dtrace_hdl_t *dtp, const dt_probe_t *prb,
		   struct perf_event_attr *attr, int cpu, int prog_fd,
		   uint64_t cookie);
/* The link of an fentry or fexit program (loaded for its function), kept
   by the handle: 0, or -1 with "failed to enable P: what: why" set. */
int dt_tracing_attach(dtrace_hdl_t *dtp, const dt_probe_t *prb, int prog_fd,
		      const char *what);
/* dt_perf_attach on the first max online CPUs (max < 0: all of them),
   the probe id as the cookie. */
int dt_perf_attach_cpus(dtrace_hdl_t *dtp, const dt_probe_t *prb,
			struct perf_event_attr *attr, int max, int prog_fd);
/* One uprobe a program is to be attached to (pid and usdt probes). */
typedef struct dt_uprobe {
	const dt_probe_t *prb;	/* for messages; its id is the cookie */
	const char *path;	/* the file */
	uint64_t off;		/* file offset of the instruction */
	uint64_t ref_off;	/* file offset of its reference counter (an
				   SDT semaphore), 0: none */
	int pid;		/* the process, -1: every process */
	bool ret;		/* a uretprobe */
	bool suspect;		/* the provider's decoder expects the kernel
				   to refuse the instruction */
	bool refused;		/* out: the kernel refused the instruction */
} dt_uprobe_t;
/* BPF_TRACE_UPROBE_MULTI, BPF_F_UPROBE_MULTI_RETURN (6.6+; our headers
   are 6.1's). */
#define DT_TRACE_UPROBE_MULTI 48
#define DT_F_UPROBE_MULTI_RETURN 1u
/* A uprobe_multi link of prog_fd on cnt offsets of path (ref_offs and
   cookies may be NULL; pid 0: every process): its fd (kept by the
   handle when dtp is not NULL), or -1 with errno set. */
int dt_uprobe_multi_link(dtrace_hdl_t *dtp, int prog_fd, const char *path,
			 const uint64_t *offs, const uint64_t *ref_offs,
			 const uint64_t *cookies, uint32_t cnt, uint32_t flags,
			 int pid);
/* Attach prog_fd to the n uprobes: one uprobe_multi link per file,
   process and direction when multi, else a uprobe PMU perf event and a
   BPF link each.  multi: prog_fd was loaded for
   DT_TRACE_UPROBE_MULTI (dt_uprobe_attach_type).  A uprobe the kernel
   refuses for its instruction gets refused set and is skipped; any other
   failure fails.  Returns how many were attached, or -1 with "failed to
   enable prov:mod:func:name: ..." set on the handle. */
int dt_uprobe_attach(dtrace_hdl_t *dtp, dt_uprobe_t *u, size_t n,
		     int prog_fd, bool multi);
/* The expected_attach_type uprobe programs are loaded with: the multi
   one where the kernel has uprobe_multi links, else 0. */
int dt_uprobe_attach_type(dtrace_hdl_t *dtp);
/* The kernel's BTF (/sys/kernel/btf/vmlinux), loaded once per handle
   for the compiler, the providers and print(); NULL with errno set if the
   kernel has none (libbpf's ESRCH). */
struct btf *dt_vmlinux_btf(dtrace_hdl_t *dtp);
/* The online CPUs: *cpus gets a malloc'd array; returns the count, or -1
   with the error set.  dt_parse_cpulist parses "0-3,5" (-1: malformed). */
int dt_online_cpus(dtrace_hdl_t *dtp, int **cpus);
int dt_parse_cpulist(const char *s, int *cpus, int max);
/* Close every fd kept with dt_keep_fd, fast: BPF links in parallel, then
   the perf events handed to a detached reaper process (a tracepoint perf
   event takes ~45 ms to close, serialized in the kernel), then the rest.
   Leaves dtp->nfds 0 (dtp->fds is not freed).  For dtrace_close(). */
void dt_close_fds(dtrace_hdl_t *dtp);

/* ---- uelf.c: user processes' objects and ELF symbols (pid provider) ---- */

/* One line of /proc/PID/maps. */
typedef struct dt_umap {
	uint64_t start, end, off, dev, ino;
	char perms[5];			/* "r-xp" */
	const char *path;		/* into the line; pathlen bytes */
	size_t pathlen;
} dt_umap_t;

/* A file a process maps with at least one executable mapping. */
typedef struct dt_uobj {
	char *path;			/* as mapped */
	char *attach;			/* the path uprobes are given */
	const char *name;		/* basename of path: the module */
	uint64_t dev, ino;
	uint64_t base;			/* its load address (offset 0) */
	uint64_t map_start, map_end;	/* its first mapping */
	bool exec;			/* has an executable mapping */
	bool is_exe;			/* the main executable */
} dt_uobj_t;

/* A function symbol of an ELF file. */
typedef struct dt_usym {
	const char *name;		/* into the file's string table */
	uint64_t value, size;		/* st_value, st_size */
	uint64_t off;			/* file offset of value */
} dt_usym_t;

/* An SDT probe (a .note.stapsdt note) of an ELF file. */
typedef struct dt_unote {
	const char *prov, *name;	/* "python", "function__entry" */
	const char *args;		/* "8@%rbp 8@%r12 -4@%eax" */
	uint64_t pc;			/* its address (file's layout) */
	uint64_t off;			/* file offset of pc */
	uint64_t sem_off;		/* file offset of its semaphore, 0 */
} dt_unote_t;

typedef struct dt_usyms {
	dt_usym_t *v;			/* by address, then name */
	size_t n, cap;
	dt_unote_t *notes;		/* in file order */
	size_t nnotes, notecap;
	int fd;
	struct Elf *elf;		/* keeps the names */
} dt_usyms_t;

/* Parse a maps line (0, or -1 if malformed). */
int dt_uproc_parse_map(const char *line, dt_umap_t *m);
/* The objects pid maps, in map order: count (*objs malloc'd) or -1. */
int dt_uproc_objs(dtrace_hdl_t *dtp, int pid, dt_uobj_t **objs);
void dt_uproc_objs_free(dt_uobj_t *objs, size_t n);
/* The function symbols and SDT notes of path (none if it is not ELF):
   0 or -1. */
int dt_usyms_read(dtrace_hdl_t *dtp, const char *path, dt_usyms_t *syms);
void dt_usyms_free(dt_usyms_t *syms);
/* The function holding vaddr, or NULL. */
const dt_usym_t *dt_usyms_at(const dt_usyms_t *syms, uint64_t vaddr);
/* The file offset of vaddr through the PT_LOAD headers: 0 or -1. */
int dt_uelf_off(const Elf64_Phdr *ph, size_t nph, uint64_t vaddr,
		uint64_t *off);
/* If pid is held by us right after its exec (dtrace -c), run it to its
   entry point so that its libraries are mapped.  0 or -1. */
int dt_uproc_ready(dtrace_hdl_t *dtp, int pid);
/* The files that may carry SDT probes for every process: those with a
   .note.stapsdt section mapped by any running process, and the file that
   a literal module name names in $PATH or the library directories (if no
   process maps one of that name); each file once. */
int dt_usdt_files(dtrace_hdl_t *dtp, const char *mod, dt_uobj_t **objs);
/* Has the ELF file at path a .note.stapsdt section? */
bool dt_uelf_has_sdt(const char *path);

/* ---- program.c: compiling a program ------------------------------------------ */

/* One BPF program: the clauses a set of probes of one kind all run. */
struct dt_bpfprog {
	const dt_provops_t *ops;
	int kind;			/* ops->kind() of its probes */
	dl_clause_t **clauses;		/* in program order */
	size_t nclauses, clausecap;
	dt_probe_t **probes;		/* where it attaches */
	size_t nprobes, probecap;
	bpf_code_t code;		/* emitted, map fds not yet patched */
	char *irtext;			/* lowered IR (malloc'd), for -S */
	char name[32];
	int fd;				/* after loading, else -1 */
	int progmap_fd;			/* DL_MAP_PROG, from ops->prepare */
	int attach_type;		/* expected_attach_type to load with
					   (0: none), from ops->prepare */
	uint32_t attach_btf_id;		/* attach_btf_id to load with (tp_btf,
					   fentry), from ops->prepare */
	bool own_strtab;		/* compiled while tracing with strings
					   the loaded table lacks: strtab_fd
					   is its own copy of the grown table
					   (DL_MAP_STRTAB) */
	int strtab_fd;
};

struct dtrace_prog {
	dtrace_prog_t *next;		/* the handle's list, compile order */
	dl_ctx_t *cx;			/* owns the AST, clauses and code */
	dl_node_t *ast;
	dl_clause_t **clauses;
	size_t nclauses, clausecap;
	dt_bpfprog_t *progs;
	size_t nprogs, progcap;
	int nprobes;			/* distinct probes matched */
	bool guarded;			/* compiled with dtp->nests set */
	bool preempt_guarded;		/* and with dtp->preempts */
};

/* Compile pgp's programs again if a program compiled after it has probes
   that may nest (dtrace_hdl.nests) or be preempted (preempts) and it was
   compiled without that guard: 0, or -1 with the error set. */
int dt_prog_guard(dtrace_hdl_t *dtp, dtrace_prog_t *pgp);

/* While tracing: a new program of pgp for prb's kind running clauses[0..n)
   (in program order), compiled and loaded, with no probes yet (the caller
   attaches it and adds prb); NULL with the error set (a provider whose
   programs need more than attach(), a program needing strings or maps the
   loaded ones do not have). */
dt_bpfprog_t *dt_prog_grow(dtrace_hdl_t *dtp, dtrace_prog_t *pgp,
			   dt_probe_t *prb, dl_clause_t **clauses, size_t n);

/* The probe's names as generated code reads them. */
void dt_probe_info(const dt_probe_t *prb, dl_probeinfo_t *pi);

/* A -P/-m/-f/-i specifier as a full description (plus any program text
   after it); malloc'd, NULL with the error set. */
char *dt_spec_text(dtrace_hdl_t *dtp, const char *text, dtrace_spec_t spec);
/* Set cx->err on the handle as a compile error, DTrace's way ("line N:
   message", the source line and a caret); returns -1. */
int dt_compile_error(dtrace_hdl_t *dtp, dl_ctx_t *cx, const char *file);

/* ---- cpp.c: -C --------------------------------------------------------------- */

/* -D/-U/-I (options define, undef, incdir): 0 if taken, 1 if name is not
   one of them, -1 on a bad value. */
int dt_cpp_setopt(dtrace_hdl_t *dtp, const char *name, const char *value);
/* Run text through cpp; malloc'd result, NULL with the error set. */
char *dt_cpp(dtrace_hdl_t *dtp, const char *text, const char *file);

/* ---- dlib.c: the D library ---------------------------------------------- */

/* -L (option libdir): 0 if taken, 1 if name is not libdir, -1 on a bad
   value. */
int dt_dlib_setopt(dtrace_hdl_t *dtp, const char *name, const char *value);
/* Parse the library's files that program text src may use into cx ahead
   of it (their declarations lazily) and answer its `#pragma D
   depends_on`; 0, or -1 with the error set. */
int dt_dlib_load(dtrace_hdl_t *dtp, dl_ctx_t *cx, const char *src);

/* ---- run.c: loading, attaching, BEGIN/END -------------------------------- */

int dt_run_load(dtrace_hdl_t *dtp);
/* Patch a compiled program's map fds and load it (its fd kept by the
   handle): 0, or -1 with the verifier's reasons in the error. */
int dt_run_load_prog(dtrace_hdl_t *dtp, dt_bpfprog_t *bp);
/* A frozen read-only map of the string table as it is now: its fd (kept
   by the handle), or -1 with the error set. */
int dt_strtab_map(dtrace_hdl_t *dtp);
/* The size of the output ring buffer for -x bufsize and bufpolicy, before
   the kernel had its say (-x bufresize). */
uint64_t dt_ringbuf_want(const dtrace_hdl_t *dtp);
/* A verifier rejection, for its message: the instruction the log ends on
   (-1 if none), and the probe, clause and D line of that instruction. */
int dt_verifier_insn(const char *log);
void dt_verifier_where(const dt_bpfprog_t *bp, int insn, char *buf,
		       size_t size);
int dt_run_fire(dtrace_hdl_t *dtp, uint32_t probe_id);

/* ---- consume.c: records from the ring buffer ----------------------------- */

int dt_consume_record(void *dtp, void *data, size_t size);
int dt_ring_record(void *dtp, void *data, size_t size);
void dt_spec_free(dtrace_hdl_t *dtp);
/* A speculative record into its speculation; commit or discard one. */
void dt_spec_hold(dtrace_hdl_t *dtp, const void *data, size_t size);
void dt_spec_end(dtrace_hdl_t *dtp, uint32_t id, bool commit);

/* ---- hold.c: records held under -x bufpolicy=fill and ring ---------------- */

/* Are records held rather than printed (fill or ring, before the flush)? */
bool dt_holding(const dtrace_hdl_t *dtp);
/* What a record of recsize bytes counts against -x bufsize. */
uint64_t dt_hold_recsize(uint32_t recsize);
void dt_hold(dtrace_hdl_t *dtp, const void *data, size_t size);
int dt_hold_record(dtrace_hdl_t *dtp, void *data, size_t size);
void dt_hold_flush(dtrace_hdl_t *dtp);
void dt_hold_free(dtrace_hdl_t *dtp);
void dt_report_drops(dtrace_hdl_t *dtp);
bool dt_fill_full(const dtrace_hdl_t *dtp);

/* ---- agg.c, aggprint.c: aggregations -------------------------------------- */

typedef struct dt_aggmap {
	int fd;			/* the per-CPU map */
	uint64_t gen;		/* clear() generation */
	uint64_t normal;	/* normalize() factor, 1 if none */
	bool printed;		/* by printa(): not printed again at exit */
} dt_aggmap_t;

typedef struct dt_aggstate {
	dt_aggmap_t *maps;	/* by aggregation id */
	size_t n;
} dt_aggstate_t;

/* One key of a snapshot: v[0] is the number of updates, v[1..] the data
   merged over CPUs (min/max: the value; sum/avg: the sum; stddev: sum,
   sum of squares low and high words; histograms: the buckets). */
typedef struct dt_aggent {
	char *key;		/* keysize bytes, the map's key */
	int64_t *val;		/* vwords */
	int64_t *percpu;	/* vwords per CPU, for -x aggpercpu */
} dt_aggent_t;

typedef struct dt_aggsnap {
	const dl_agg_t *agg;
	dt_aggent_t *ents;
	size_t n, cap;
	uint32_t vwords;	/* words of each merged value */
	uint64_t gen;		/* the generation read */
	uint64_t normal;	/* normalize() factor then */
	int ncpus;
} dt_aggsnap_t;

/* Create every aggregation's map (run.c makes the DL_MAP_ZERO and
   DL_MAP_AGGGEN they share); 0 or -1 with the error set. */
int dt_agg_create_maps(dtrace_hdl_t *dtp);
uint32_t dt_agg_maxval(const dtrace_hdl_t *dtp);
int dt_agg_fd(dtrace_hdl_t *dtp, uint32_t id);
/* Read and merge an aggregation; NULL with the error set. */
dt_aggsnap_t *dt_agg_snap(dtrace_hdl_t *dtp, uint32_t id);
/* ... of the data of clear() generation gen (one that has ended is frozen:
   the probes write the next one). */
dt_aggsnap_t *dt_agg_snap_gen(dtrace_hdl_t *dtp, uint32_t id, uint64_t gen);
uint64_t dt_agg_gen(dtrace_hdl_t *dtp, uint32_t id);
void dt_agg_snap_free(dt_aggsnap_t *s);
int dt_agg_clear(dtrace_hdl_t *dtp, uint32_t id);
int dt_agg_trunc(dtrace_hdl_t *dtp, uint32_t id, bool all, int64_t keep);
void dt_agg_normalize(dtrace_hdl_t *dtp, uint32_t id, uint64_t normal);
void dt_agg_printed(dtrace_hdl_t *dtp, uint32_t id);
void dt_agg_free(dtrace_hdl_t *dtp);
/* aggprint.c: dt_agg_sort orders entries by value, ascending (trunc);
   printing sorts as DTrace does (honouring -x aggsortkey, aggsortkeypos,
   aggsortpos, aggsortrev) and lays entries out as DTrace does; printa()
   with several aggregations and formats. */
void dt_agg_sort(dtrace_hdl_t *dtp, dt_aggsnap_t *s);
int dt_agg_print(dtrace_hdl_t *dtp, FILE *out, dt_aggsnap_t *s,
		 const dl_fmt_t *fmt);
/* freeze[k]: a->aggs[k] is cleared right after: clear it first and print
   the generation that ends, so that no update falls between the two. */
int dt_agg_printa(dtrace_hdl_t *dtp, FILE *out, const dl_action_t *a,
		  const bool *freeze);

/* ---- ksyms.c, stack.c: stacks and symbols --------------------------------- */

/* What an address is: its module, and the function holding it (NULL if
   none) at offset off; base is the module's lowest address. */
typedef struct dt_symres {
	const char *mod;
	const char *name;
	uint64_t off;
	uint64_t base;
} dt_symres_t;

typedef struct dt_ksyms dt_ksyms_t;
/* The text symbols of a kallsyms file (fp may be NULL: none). */
dt_ksyms_t *dt_ksyms_read(FILE *fp);
void dt_ksyms_free(dt_ksyms_t *ks);
bool dt_ksyms_lookup(const dt_ksyms_t *ks, uint64_t addr, dt_symres_t *r);
/* The running kernel's, read from /proc/kallsyms on first use. */
const dt_ksyms_t *dt_ksyms(dtrace_hdl_t *dtp);
/* ksymaddr.c: the address of kernel symbol name (in module mod, NULL:
   any) in a kallsyms file, modules from a /proc/modules file: 0, -1 no
   such module, -2 no such symbol; *text: a function.  dt_ksym_hook is
   that for the running kernel, the compiler's ksym hook. */
int dt_ksym_addr(FILE *kallsyms, FILE *mods, const char *mod,
		 const char *name, uint64_t *addr, bool *text);
int dt_ksym_hook(void *arg, const char *mod, const char *name,
		 uint64_t *addr, bool *text);
/* fn(arg, module ("vmlinux": the core), name, address) for every function
   of a kallsyms file (static functions of different files may share a
   name), until it returns non-zero: that, or 0. */
typedef int dt_ksym_f(void *arg, const char *mod, const char *name,
		      uint64_t addr);
int dt_ksym_each_text(FILE *kallsyms, dt_ksym_f *fn, void *arg);

typedef struct dt_ucache dt_ucache_t;
/* A user address of process pid; false if in no known file mapping. */
bool dt_usym_lookup(dtrace_hdl_t *dtp, int pid, uint64_t addr,
		    dt_symres_t *r);
/* Read pid's mappings again (a process gone keeps the old ones). */
void dt_ucache_refresh(dtrace_hdl_t *dtp, int pid);
/* While tracing: refresh the target's, if user symbols are recorded. */
void dt_ucache_tick(dtrace_hdl_t *dtp);
void dt_ucache_free(dtrace_hdl_t *dtp);

/* ---- udyn.c: libraries loaded while tracing ------------------------------ */

typedef struct dt_udyn dt_udyn_t;
#define DT_UDYN_PROBES 1024	/* room in the probe map for probes that
				   appear while tracing */
#define DT_UDYN_POLL_MS 10	/* longest wait of dtrace_work while a
				   process is watched */
/* After the probes are attached: watch the target for libraries it loads
   (if it has pid or usdt probes).  0, or -1 with the error set. */
int dt_udyn_arm(dtrace_hdl_t *dtp);
/* From dtrace_work: enable the probes of libraries loaded since. */
void dt_udyn_tick(dtrace_hdl_t *dtp);
void dt_udyn_free(dtrace_hdl_t *dtp);
/* Probes that appear while tracing: the descriptions of every program's
   clauses that want() accepts are matched again, after populate() (or,
   if NULL, the providers) added probes; a new probe joins the loaded
   program of its kind and clause set (made then if there is none,
   dt_prog_grow) and is attached; with again, a probe enabled already is
   attached again (the usdt provider's attach then adds its new sites).
   A probe that cannot be enabled is reported on stderr once. */
typedef struct dt_ujoin {
	bool (*want)(const dt_pdesc_t *pd, void *arg);
	int (*populate)(dtrace_hdl_t *dtp, const dt_pdesc_t *pd, void *arg);
	void *arg;
	bool again;
} dt_ujoin_t;
void dt_udyn_join(dtrace_hdl_t *dtp, const dt_ujoin_t *j);
/* May probes appear while tracing (a description names a pid, or the
   usdt probes of every process)? */
bool dt_udyn_later(dtrace_hdl_t *dtp);
/* Does any description of the programs' clauses satisfy want? */
bool dt_udyn_wanted(dtrace_hdl_t *dtp, bool (*want)(const dt_pdesc_t *,
						    void *), void *arg);
/* Print a stack or symbol value (a DL_F_STACK .. DL_F_USYM field of
   size bytes, symfmt a dl_symfmt_t) as DTrace does; < 0 on an error. */
int dt_print_stacksym(dtrace_hdl_t *dtp, FILE *out, uint32_t kind,
		      uint32_t symfmt, uint32_t size, const void *data);
/* An address of process pid (-1: the kernel) as printf's %a and %A show
   it: "module`function+0xoff", or hex where no symbol is known. */
void dt_addr_text(dtrace_hdl_t *dtp, int pid, uint64_t addr, char *buf,
		  size_t size);
/* Reduce the symbol keys of an aggregation key to their function's (or
   module's) start; true if a key changed (entries may then merge). */
bool dt_stack_key_normalize(dtrace_hdl_t *dtp, const dl_agg_t *a,
			    char *key);

/* ---- uexec.c: programs started while tracing -------------------------- */

/* After the probes are attached: if a description stands for the usdt
   probes of every process, watch execs and ld.so's library changes in
   every process.  0, or -1 with the error set. */
int dt_uexec_arm(dtrace_hdl_t *dtp);
/* From dtrace_work: enable the probes of the files those processes map. */
void dt_uexec_tick(dtrace_hdl_t *dtp);
void dt_uexec_free(dtrace_hdl_t *dtp);

/* ---- handle.c ------------------------------------------------------------- */

struct dtrace_hdl {
	dt_optval_t opts[DT_NOPTS];
	FILE *out;			/* trace output (stdout or -o file) */
	FILE *out_orig;			/* out before the first freopen(), or
					   NULL (outfile.c) */
	char errmsg[2048];		/* last error, without "dtrace: " */
	dtrace_errkind_t errkind;
	dl_macros_t macros;		/* $0.., $target, $pid, ... */
	int macro_argc;
	char **macro_argv;
	char **cpp_argv;		/* -D/-U/-I for cpp, in order */
	size_t cpp_argc;

	dt_probe_t **probes;		/* indexed by probe id; [0] unused */
	size_t nprobes, probecap;	/* nprobes = highest id + 1 */
	struct dt_probehash *probehash;	/* "prov:mod:func:name" -> probe */

	dt_features_t feat;

	dtrace_prog_t *progs, **progtail;	/* compiled programs, in order */
	dl_clause_t **clauses;		/* every clause by id, all programs */
	dl_clause_t **errclauses;	/* clauses of dtrace:::ERROR */
	size_t nerrclauses;
	size_t nclauses, clausecap;
	dl_strtab_t strtab;		/* string constants of all programs */
	dl_vars_t globals;		/* D globals of all programs, in
					   DL_MAP_GLOBALS (dlang/vars.c) */
	dl_vars_t selfvars;		/* self-> variables of all programs,
					   in DL_MAP_SELF (dlang.h) */
	dl_aggs_t aggs;			/* aggregations of all programs */
	dl_assocs_t assocs;		/* associative arrays of all programs */
	int *assocfds;			/* their maps, by id */
	struct dt_aggstate *aggst;	/* their consumer side (agg.c) */
	dt_ksyms_t *ksyms;		/* kallsyms, read on first use */
	struct btf *btf;		/* vmlinux BTF, read on first use
					   (dt_vmlinux_btf) */
	int btf_err;			/* why there is none (errno) */
	struct dt_kbtf *kbtf;		/* the providers' index of it
					   (kbtf.c) */
	struct dt_fbtfuncs *fbtfuncs;	/* the kernel's traceable functions
					   (fbt.c), read on first use */
	dt_ucache_t *ucache;		/* user mappings and symbols (stack.c) */
	struct dt_udyn *udyn;		/* the target watched for libraries
					   loaded later (udyn.c), or NULL */
	struct dt_uexec *uexec;		/* programs started later (uexec.c) */
	bool *ureported;		/* by probe id: found while tracing,
					   could not be enabled, said so */
	size_t nureported;
	int uskipped;			/* probes not enabled at start: the
					   kernel refuses a uprobe there */
	char uskipped1[160];		/* the first of them */
	uint32_t probemap_max;		/* the probe map's last id */
	dl_arena_t *arena;		/* the handle's own long-lived data */
	int mapfds[DL_NMAPS];		/* the maps every program shares */
	uint64_t *drops;		/* drops reported so far:
					   [kind * ncpus + cpu] */
	uint64_t kmisses;		/* the programs' recursion_misses
					   reported so far */
	bool nests;			/* some probe may fire while another's
					   program runs (never_nested) */
	bool preempts;			/* some program may be preempted
					   (dt_provops_t.preemptible): implies
					   nests */
	int *flow_indent;		/* -F: indentation, per CPU */
	struct dt_specbuf *specs;	/* speculative records, by id */
	size_t nspecs;			/* -x nspec */
	uint64_t specdrops;		/* records over -x specsize */
	struct dt_holdq *holdqs;	/* fill, ring: held records, per CPU
					   and one for others (hold.c) */
	uint64_t holdseq;		/* ... numbered as they arrived */
	bool flushing;			/* ... and being printed */
	int ncpus;
	int64_t walltime_off;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct ring_buffer *rb;		/* libbpf ring buffer consumer */
	int *fds;			/* maps, programs, links, perf events */
	size_t nfds, fdcap;
	struct dt_dlib *dlib;		/* the D library (dlib.c) */
	bool header_printed;		/* "CPU ID FUNCTION:NAME" */
	bool done;			/* exit() seen or stopped */
	bool stopped;			/* END fired */
	int exit_status;
};

/* Record an error on the handle; returns -1 (or use as NULL via casts). */
int dt_set_error(dtrace_hdl_t *dtp, dtrace_errkind_t kind, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));
/* Keep fd to be closed by dtrace_close(). */
void dt_keep_fd(dtrace_hdl_t *dtp, int fd);
int64_t dt_opt(const dtrace_hdl_t *dtp, dt_optid_t id);

/* ---- consume.c, print.c: the consumer ------------------------------------ */

/* Format one printf action from a record.  Returns bytes written or -1. */
int dt_printf(dtrace_hdl_t *dtp, FILE *out, const dl_fmt_t *fmt,
	      const dl_field_t *fields, size_t nfields, const void *rec,
	      size_t recsize);
/* printa(): the same with a format whose '@' conversions print
   aggregation values through aggval (n counts them from 0) while the
   others take the key fields. */
typedef int dt_aggval_fn(void *arg, FILE *out, const dl_fmtconv_t *cv,
			 int n);
int dt_printa_fmt(dtrace_hdl_t *dtp, FILE *out, const dl_fmt_t *fmt,
		  const dl_field_t *fields, size_t nfields, const void *rec,
		  size_t recsize, dt_aggval_fn *aggval, void *arg);
/* One conversion (with its '@' flag) of a 64-bit integer. */
int dt_print_conv_int(dtrace_hdl_t *dtp, FILE *out, const dl_fmtconv_t *cv,
		      int64_t v, bool is_signed);
/* trace(): one value as DTrace prints it (padded unless -q).  Returns
   bytes written or -1. */
int dt_print_trace(dtrace_hdl_t *dtp, FILE *out, const dl_field_t *f,
		   const void *rec);
/* The heading printed once before the first probe line (not with -q):
   "CPU     ID                    FUNCTION:NAME", or with flowindent
   "CPU FUNCTION". */
int dt_print_header(FILE *out, bool flowindent);
/* The start of a record's line: "%3d %6d %32s " with "func:name". */
int dt_print_probe_line(FILE *out, uint32_t cpu, uint32_t id,
			const char *func, const char *name);
/* The same with flowindent: "%3d %-41s " with indent spaces, the prefix
   (" -> ", " <- ", "| ") and func, plus ":name" unless name is NULL
   (entry and return lines show the function only). */
int dt_print_flow_line(FILE *out, uint32_t cpu, int indent,
		       const char *prefix, const char *func,
		       const char *name);

/* ---- printmem.c ----------------------------------------------------------- */

/* tracemem()'s hex dump of n bytes (DTrace's layout); < 0 on an error. */
int dt_print_memdump(FILE *out, const void *data, size_t n);
/* print()'s typed dump (printtype.c): "0xADDR = *" and the value of type
   t in data[0..n), Oracle DTrace's layout; < 0 on an error. */
struct btf;
int dt_print_typed(dtrace_hdl_t *dtp, FILE *out, const dl_type_t *t,
		   uint64_t addr, const void *data, size_t n);
/* print() of a struct, union or array value: the same without the
   address line. */
int dt_print_value(dtrace_hdl_t *dtp, FILE *out, const dl_type_t *t,
		   const void *data, size_t n);
/* The same for BTF type id of btf, cut at printsize bytes. */
int dt_print_btf(FILE *out, const struct btf *btf, uint32_t id,
		 uint64_t addr, const void *data, size_t n, size_t printsize);

/* ---- outfile.c: freopen(), ftruncate() ------------------------------------ */

void dt_freopen(dtrace_hdl_t *dtp, const dl_action_t *a, const void *rec,
		size_t size);
void dt_ftruncate(dtrace_hdl_t *dtp);
/* Close what freopen() opened; output goes where it went before. */
void dt_outfile_close(dtrace_hdl_t *dtp);

#endif /* LIBDTRACE_H */
