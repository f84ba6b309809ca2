/*
 * lower.c - AST -> IR: the clauses one BPF program runs, in program order.
 *
 * Requires: clauses that passed dl_sema_clause (types on every expression,
 * dl_action_t on every action).  Produces: one ir_func_t in stage
 * IR_STAGE_LOWERED.
 *
 * Shape of the function:
 *
 *   prologue   ctx = r1; then whatever the clauses turned out to need,
 *              computed once: the probe id, the string table's address,
 *              the probe's names, the globals' address, zeroed stack
 *              slots for the this-> variables (filled in after the body
 *              is lowered, but laid out first so it dominates every use)
 *   clause i   predicate -> reserve the record in the ring buffer (a full
 *              buffer counts a drop and skips the clause) -> header ->
 *              statements, writing recorded values straight into the
 *              record -> submit
 *   fault      per fault site: discard the record, write a fault record
 *              (DL_REC_FAULT) the consumer reports DTrace's way, go on
 *              with the next clause
 *   exit       return 0
 *
 * Values: integers are 64-bit temps holding the sign- or zero-extension of
 * their D type (norm()); strings are pointers to NUL-terminated bytes (the
 * stack, the string table map or the probe-names map), with the size of
 * the buffer they live in.  Variables are 8-byte memory cells holding
 * that canonical form: globals in DL_MAP_GLOBALS' one value, this->
 * variables in stack slots of the firing, shared by all its clauses;
 * self-> variables are entries of DL_MAP_SELF (see self_load()).  String,
 * struct and union variables are bytes instead (see str_var_load() and
 * lower_sou_assign()); their value is the bytes' address.
 * Nothing here knows a provider: argN, errno and
 * the probe id come from hooks->pvar.
 *
 * The thread a probe describes is the current task, except where the
 * provider names another (DL_PV_TASK: sched:::on-cpu, which fires in the
 * thread leaving the CPU about the one switched to).  Then pid, tid, uid,
 * gid, execname, curthread (so curpsinfo, curlwpsinfo), ppid,
 * progenyof(), vtimestamp and the self-> variables' thread are read from
 * that task, and what only the running thread can give - stacks, its
 * user memory (copyin()), a signal to it - is a compile-time error
 * (not_other_task()) rather than an answer about the wrong thread.
 */
#include <string.h>

#include "dlang.h"
#include "ir.h"

#define TASK_COMM_LEN 16
#define DL_KEY_STACKMAX 128	/* larger key tuples are built in scratch */

typedef struct val {
	ir_ref_t v;		/* integer value, or string address */
	uint32_t size;		/* strings: bytes of the buffer at v */
} val_t;

typedef struct lower {
	dl_ctx_t *cx;
	ir_func_t *fn;
	ir_blk_t *b;		/* the block code is appended to */
	const dl_lowerhooks_t *hooks;
	dl_strtab_t *strtab;
	ir_ref_t ctx;		/* context pointer */
	ir_ref_t probeid;	/* computed in the prologue when used */
	ir_ref_t strbase;	/* &strtab value, prologue */
	ir_ref_t pinfo;		/* &probes[probe id], prologue */
	ir_ref_t gbase;		/* &globals value, prologue */
	ir_ref_t genbase;	/* &aggregation generations, prologue */
	ir_ref_t scratch;	/* &this CPU's scratch value, prologue */
	bool need_probeid, need_strbase, need_pinfo, need_gbase,
	     need_genbase, need_scratch;
	/* A program of one clause whose predicate needs no probe id: the
	   prologue's probe id (a helper call for most providers) and probe
	   names are got in idblk, after the predicate passed, then idblk
	   goes on to the clause's body */
	bool defer_id;		/* one clause: try */
	ir_blk_t *idblk, *idbody;
	uint32_t scratchoff;	/* scratch bytes handed out */
	int32_t *thisstr;	/* by this-> index: scratch offset + 1, or 0 */
	dl_loc_t loc;		/* the statement being lowered */
	const dl_node_t *cur;	/* d_path(): the call being lowered */
	uint64_t vcost;		/* verifier steps the subroutines will take */
	/* ERROR clauses (hooks->errclauses), lowered once at errentry after
	   the program's clauses; a fault sets the err temps and the index
	   of the clause to resume after, and jumps there */
	bool in_error;		/* lowering the ERROR clauses */
	ir_blk_t *errentry;	/* NULL until a fault site needs it */
	ir_ref_t err_epid, err_act, err_kind, err_addr, err_resume, err_pc;
	ir_blk_t **resume;	/* by clause index: where it continues */
	uint32_t cidx;		/* index of the clause being lowered */
	struct { int32_t size, off; } keyslots[8];	/* key tuples, by size */
	int nkeyslots;
	int32_t *thisslot;	/* by this-> index: frame offset, or 0 */
	uint32_t allocoff;	/* scratch offset + 1 of alloca()'s space
				   (a u64 of bytes used, then the area), or
				   0: none */
	bool alloc_clause;	/* this clause allocates: reset after it */
	bool need_saddr;	/* saddr: the scratch value's address */
	ir_ref_t saddr;		/* ... as a plain integer (prologue) */
	int32_t selfkey;	/* dl_selfkey_t stack slot, or 0 */
	int32_t selfval;	/* stack slot of a self-> value stored */
	int32_t dropkey;	/* DL_MAP_DROPS key stack slot, or 0 */
	dl_clause_t *clause;
	ir_ref_t rec;		/* the clause's record, once reserved */
	bool have_rec;
	int action;		/* 1-based index of the action being lowered */
	ir_blk_t *next;		/* where the current clause continues */
	ir_blk_t *exit;		/* leave the firing: return 0 (clear the
				   CPU's busy mark first, under guard) */
	ir_blk_t *ret;		/* return 0, before the busy mark is set */
	ir_ref_t busy;		/* &this CPU's busy mark, under guard */
} lower_t;

static val_t lower_expr(lower_t *lx, const dl_node_t *n);
static ir_ref_t assoc_key(lower_t *lx, const dl_node_t *n);
static const dl_assoc_t *assoc_of(lower_t *lx, const dl_varref_t *r);
static ir_ref_t assoc_load(lower_t *lx, const dl_varref_t *r, ir_ref_t key);
static void assoc_store(lower_t *lx, const dl_varref_t *r, ir_ref_t key,
			ir_ref_t v);
static val_t assoc_str_load(lower_t *lx, const dl_varref_t *r, ir_ref_t key);
static void assoc_str_store(lower_t *lx, const dl_node_t *n,
			    const dl_varref_t *r, ir_ref_t key, val_t s);

static _Noreturn void frame_full(void *arg, int32_t need);
static ir_ref_t kread(lower_t *lx, ir_ref_t addr, int size);

/* A stack slot of the firing.  Running out is a user error at the
   statement (frame_full); lowering keeps a margin for the registers the
   allocator may spill later. */
static int32_t stack_alloc(lower_t *lx, int32_t size)
{
	int32_t need = lx->fn->frame + ((size + 7) & ~7);

	if (need > IR_FRAME_MAX - 64)
		frame_full(lx, need);
	return ir_frame_alloc(lx->fn, size);
}

static ir_ref_t con(lower_t *lx, int64_t v)
{
	return ir_con(lx->fn, v);
}

static ir_ref_t bin(lower_t *lx, ir_op_t op, ir_ref_t a, ir_ref_t b)
{
	return ir_bin(lx->fn, lx->b, op, a, b);
}

static ir_ref_t unop(lower_t *lx, ir_op_t op, ir_ref_t a)
{
	ir_ref_t t = ir_tmp(lx->fn);

	ir_emit(lx->fn, lx->b, op, t, a, IR_NONE);
	return t;
}

static ir_ref_t call(lower_t *lx, int helper, int nargs, const ir_ref_t *a)
{
	return ir_call(lx->fn, lx->b, helper, nargs, a);
}

/* Bring a 64-bit value to the canonical form of type t. */
static ir_ref_t norm(lower_t *lx, ir_ref_t v, const dl_type_t *t)
{
	static const ir_op_t sext[] = { [1] = IR_SEXT8, [2] = IR_SEXT16,
					[4] = IR_SEXT32 };
	static const ir_op_t zext[] = { [1] = IR_ZEXT8, [2] = IR_ZEXT16,
					[4] = IR_ZEXT32 };

	if (t->kind == TY_STRING || t->size >= 8 || t->size == 0)
		return v;
	return unop(lx, t->is_signed ? sext[t->size] : zext[t->size], v);
}

static ir_blk_t *new_blk(lower_t *lx)
{
	return ir_blk_new(lx->fn);
}

/* if (cond) { to = v } as a diamond; code continues after it. */
static void set_if(lower_t *lx, ir_ref_t cond, ir_ref_t to, ir_ref_t v)
{
	ir_blk_t *t = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, cond, t, join);
	ir_emit(lx->fn, t, IR_COPY, to, v, IR_NONE);
	ir_jmp(t, join);
	lx->b = join;
}

/* ---- strings ----------------------------------------------------------- */

uint32_t dl_strtab_add(dl_arena_t *a, dl_strtab_t *st, const char *s,
		       size_t len)
{
	for (size_t off = 0; off + len < st->len + 1 && st->len > 0; off++)
		if (memcmp(st->data + off, s, len) == 0 &&
		    st->data[off + len] == '\0')
			return (uint32_t)off;
	size_t off = st->len;
	dl_vec_grow(a, (void **)&st->data, &st->cap, st->len + len + 1, 1);
	memcpy(st->data + off, s, len);
	st->data[off + len] = '\0';
	st->len += len + 1;
	return (uint32_t)off;
}

static val_t str_const(lower_t *lx, const char *s, size_t len)
{
	uint32_t off = dl_strtab_add(lx->cx->arena, lx->strtab, s, len);

	lx->need_strbase = true;
	return (val_t){ bin(lx, IR_ADD, lx->strbase, con(lx, off)),
			(uint32_t)len + 1 };
}

/* ---- built-in variables ------------------------------------------------ */

static ir_ref_t pvar(lower_t *lx, dl_pvar_t what, int n)
{
	if (lx->in_error) {	/* DTrace's ERROR arguments */
		ir_ref_t args[] = { con(lx, 0), lx->err_epid, lx->err_act,
				    lx->err_pc, lx->err_kind, lx->err_addr };
		return what == DL_PV_ARG && n < 6 ? args[n] : con(lx, 0);
	}
	ir_ref_t r = lx->hooks->pvar(lx->hooks->arg, lx->fn, &lx->b, lx->ctx,
				     lx->exit, what, n);

	return ir_is_none(r) ? con(lx, 0) : r;
}

/* The task the probe describes when it is not the current one
   (DL_PV_TASK), else IR_NONE. */
static ir_ref_t probe_task(lower_t *lx)
{
	return lx->hooks->pvar(lx->hooks->arg, lx->fn, &lx->b, lx->ctx,
			       lx->exit, DL_PV_TASK, 0);
}

/* what needs the running thread: refuse it where the probe describes
   another. */
static void not_other_task(lower_t *lx, dl_loc_t loc, const char *what)
{
	const dl_probeinfo_t *p = lx->hooks->probe;

	if (ir_is_none(probe_task(lx)))
		return;
	dl_error(lx->cx, loc, D_UNSUPPORTED, "%s is not available in "
		 "%s:%s:%s:%s: the probe fires in another thread than the one "
		 "it describes", what,
		 p != NULL ? p->prov : "", p != NULL ? p->mod : "",
		 p != NULL ? p->func : "", p != NULL ? p->name : "");
}

/* A member of the probe's task (not the current one): size bytes at its
   offset in sname, from BTF. */
static ir_ref_t task_member(lower_t *lx, ir_ref_t task, const char *sname,
			    const char *member, int size)
{
	uint32_t off = dl_btf_member_off(lx->cx, lx->loc, sname, member);

	return kread(lx, bin(lx, IR_ADD, task, con(lx, off)), size);
}

/* curthread: the current task, or the one the probe describes. */
static ir_ref_t cur_task(lower_t *lx)
{
	ir_ref_t t = probe_task(lx);

	return ir_is_none(t) ? call(lx, 35, 0, NULL) : t; /* current_task */
}

/* tgid << 32 | pid, as bpf_get_current_pid_tgid() gives them. */
static ir_ref_t pid_tgid(lower_t *lx)
{
	ir_ref_t t = probe_task(lx);

	if (ir_is_none(t))
		return call(lx, 14, 0, NULL);	/* get_current_pid_tgid */
	ir_ref_t pid = task_member(lx, t, "task_struct", "pid", 4);
	ir_ref_t tgid = task_member(lx, t, "task_struct", "tgid", 4);
	return bin(lx, IR_OR, bin(lx, IR_SHL, tgid, con(lx, 32)), pid);
}

/* gid << 32 | uid, as bpf_get_current_uid_gid() gives them (the task's
   cred, kuid_t and kgid_t read as their one 32-bit member). */
static ir_ref_t uid_gid(lower_t *lx)
{
	ir_ref_t t = probe_task(lx);

	if (ir_is_none(t))
		return call(lx, 15, 0, NULL);	/* get_current_uid_gid */
	ir_ref_t cred = task_member(lx, t, "task_struct", "cred", 8);
	ir_ref_t uid = task_member(lx, cred, "cred", "uid", 4);
	ir_ref_t gid = task_member(lx, cred, "cred", "gid", 4);
	return bin(lx, IR_OR, bin(lx, IR_SHL, gid, con(lx, 32)), uid);
}

static ir_ref_t probe_id(lower_t *lx)
{
	if (lx->in_error)
		return con(lx, 3);	/* dtrace:::ERROR */
	if (lx->hooks->probe_id != 0)
		return con(lx, lx->hooks->probe_id);
	lx->need_probeid = true;
	return lx->probeid;
}

/* A probe name field: a constant for a one-probe program, else read from
   the probe-names map. */
static val_t probe_name(lower_t *lx, size_t off, size_t size)
{
	static const dl_probeinfo_t error = { "dtrace", "", "", "ERROR" };

	if (lx->in_error) {
		const char *s = (const char *)&error + off;
		return str_const(lx, s, strlen(s));
	}
	if (lx->hooks->probe != NULL) {
		const char *s = (const char *)lx->hooks->probe + off;
		return str_const(lx, s, strnlen(s, size));
	}
	lx->need_pinfo = true;
	return (val_t){ bin(lx, IR_ADD, lx->pinfo, con(lx, (int64_t)off)),
			(uint32_t)size };
}

static val_t execname(lower_t *lx)
{
	int32_t slot = stack_alloc(lx, TASK_COMM_LEN);
	ir_ref_t buf = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot));
	ir_ref_t a[3] = { buf, con(lx, TASK_COMM_LEN) };
	ir_ref_t t = probe_task(lx);

	if (ir_is_none(t)) {
		call(lx, 16, 2, a);		/* get_current_comm */
		return (val_t){ buf, TASK_COMM_LEN };
	}
	a[2] = bin(lx, IR_ADD, t, con(lx, dl_btf_member_off(lx->cx, lx->loc,
					"task_struct", "comm")));
	call(lx, 115, 3, a);		/* probe_read_kernel_str */
	return (val_t){ buf, TASK_COMM_LEN };
}

/* Read a kernel value of size bytes at addr into a temp (0 on a fault of
   the read itself, which the helper zero-fills). */
static ir_ref_t kread(lower_t *lx, ir_ref_t addr, int size)
{
	int32_t slot = stack_alloc(lx, 8);
	ir_ref_t a[3] = { bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot)),
			  con(lx, size), addr };

	call(lx, 113, 3, a);			/* probe_read_kernel */
	return ir_load(lx->fn, lx->b, size, ir_reg(IR_FP), slot);
}

/* curthread->real_parent->tgid, with offsets from the kernel's BTF. */
static ir_ref_t lower_ppid(lower_t *lx, const dl_node_t *n)
{
	uint32_t parent_off = dl_btf_member_off(lx->cx, n->loc, "task_struct",
						"real_parent");
	uint32_t tgid_off = dl_btf_member_off(lx->cx, n->loc, "task_struct",
					      "tgid");
	ir_ref_t task = cur_task(lx);
	ir_ref_t parent = kread(lx, bin(lx, IR_ADD, task,
					con(lx, parent_off)), 8);

	return unop(lx, IR_SEXT32,
		    kread(lx, bin(lx, IR_ADD, parent, con(lx, tgid_off)), 4));
}

/*
 * vtimestamp: the current thread's clock in DL_MAP_VTIME (see vtime.c),
 * acc + (now - start).  A thread the sched_switch program has not seen yet
 * gets { 0, now } (BPF_NOEXIST: never clobbering a racing switch) and reads
 * 0, so values count on-CPU time since tracing began - what vtimestamp
 * deltas need.
 */
static ir_ref_t vtime_start(lower_t *lx, ir_ref_t key, ir_ref_t now)
{
	int32_t val = stack_alloc(lx, (int32_t)sizeof(dl_vtime_t));

	ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP), val, con(lx, 0));
	ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP), val + 8, now);
	ir_ref_t a[4] = { ir_ldmap(lx->fn, lx->b, DL_MAP_VTIME), key,
			  bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, val)),
			  con(lx, 1) };			/* BPF_NOEXIST */
	call(lx, 2, 4, a);			/* map_update_elem */
	return con(lx, 0);
}

static val_t var_vtimestamp(lower_t *lx, const dl_node_t *n)
{
	int32_t slot = stack_alloc(lx, 8);
	ir_ref_t key = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot));
	ir_ref_t res = ir_tmp(lx->fn);

	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), slot, pid_tgid(lx));
	ir_ref_t now = call(lx, 5, 0, NULL);	/* ktime_get_ns */
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_VTIME), key };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
	if (!ir_is_none(probe_task(lx))) {
		/* a thread about to run (on-cpu) has run 0 ns since its
		   switch: its acc, whether or not the switch program has
		   already set its start on this switch */
		ir_emit(lx->fn, lx->b, IR_COPY, res, con(lx, 0), IR_NONE);
		ir_blk_t *have = new_blk(lx), *join = new_blk(lx);
		ir_jnz(lx->b, p, have, join);
		ir_emit(lx->fn, have, IR_COPY, res,
			ir_load(lx->fn, have, 8, p, 0), IR_NONE);
		ir_jmp(have, join);
		lx->b = join;
		return (val_t){ res };
	}
	ir_blk_t *have = new_blk(lx), *none = new_blk(lx),
		 *join = new_blk(lx);
	ir_jnz(lx->b, p, have, none);
	lx->b = have;
	ir_ref_t ran = bin(lx, IR_SUB, now, ir_load(lx->fn, have, 8, p, 8));
	ir_emit(lx->fn, have, IR_ADD, res, ir_load(lx->fn, have, 8, p, 0),
		ran);
	ir_jmp(have, join);
	lx->b = none;
	ir_emit(lx->fn, none, IR_COPY, res, vtime_start(lx, key, now),
		IR_NONE);
	ir_jmp(none, join);
	lx->b = join;
	return (val_t){ res };
}

/* One function per built-in variable; a table indexed by dl_var_t. */
typedef val_t lower_var_fn(lower_t *lx, const dl_node_t *n);

#define INT_VAR(name, expr) \
	static val_t var_##name(lower_t *lx, const dl_node_t *n) \
	{ \
		return (val_t){ expr }; \
	}
INT_VAR(pid, bin(lx, IR_SHR, pid_tgid(lx), con(lx, 32)))
INT_VAR(tid, unop(lx, IR_ZEXT32, pid_tgid(lx)))
INT_VAR(uid, unop(lx, IR_ZEXT32, uid_gid(lx)))
INT_VAR(gid, bin(lx, IR_SHR, uid_gid(lx), con(lx, 32)))
INT_VAR(timestamp, call(lx, 5, 0, NULL))			/* ktime_get_ns */
INT_VAR(walltimestamp, bin(lx, IR_ADD, call(lx, 5, 0, NULL),
			   con(lx, lx->hooks->walltime_off)))
INT_VAR(cpu, call(lx, 8, 0, NULL))		/* get_smp_processor_id */
INT_VAR(curthread, cur_task(lx))
INT_VAR(id, probe_id(lx))
INT_VAR(errno, pvar(lx, DL_PV_ERRNO, 0))
INT_VAR(ppid, lower_ppid(lx, n))
#undef INT_VAR

static val_t var_epid(lower_t *lx, const dl_node_t *n)	/* DL_EPID() */
{
	ir_ref_t r = bin(lx, IR_SUB, probe_id(lx), con(lx, 1));

	r = bin(lx, IR_SHL, r, con(lx, DL_EPID_SHIFT));
	return (val_t){ bin(lx, IR_ADD, r, con(lx, lx->clause->id + 1)) };
}

static val_t var_execname(lower_t *lx, const dl_node_t *n)
{
	return execname(lx);
}

#define NAME_VAR(name, field, len) \
	static val_t var_##name(lower_t *lx, const dl_node_t *n) \
	{ \
		return probe_name(lx, offsetof(dl_probeinfo_t, field), len); \
	}
NAME_VAR(probeprov, prov, DL_PROBE_PROVLEN)
NAME_VAR(probemod, mod, DL_PROBE_MODLEN)
NAME_VAR(probefunc, func, DL_PROBE_FUNCLEN)
NAME_VAR(probename, name, DL_PROBE_NAMELEN)
#undef NAME_VAR

/* ---- stacks and symbols ------------------------------------------------ */

/*
 * stack() and ustack() record pcs with bpf_get_stack, which zero-fills
 * what the stack does not use (the consumer stops at the first 0); a user
 * stack starts with the pid, whose mappings symbolise it.  The symbol
 * actions record an address (after the pid for user ones).  caller and
 * ucaller are frame 1 of the kernel or user stack (frame 0 is where the
 * probe fired), stackdepth and ustackdepth count the frames.
 */
#define BPF_F_USER_STACK 256
#define STACKDEPTH_MAX 127	/* frames stackdepth counts at most */

static ir_ref_t scratch_alloc(lower_t *lx, const dl_node_t *n,
			      uint32_t size);

/* bpf_get_stack(ctx, dst, size, flags): bytes written, or < 0; for what
   (the D construct, for not_other_task()). */
static ir_ref_t get_stack(lower_t *lx, ir_ref_t dst, uint32_t size,
			  bool user, const char *what)
{
	ir_ref_t a[4] = { lx->ctx, dst, con(lx, size),
			  con(lx, user ? BPF_F_USER_STACK : 0) };

	not_other_task(lx, lx->loc, what);
	return call(lx, 67, 4, a);		/* get_stack */
}

/* What a symbol action or key records besides the pid: its argument,
   computed before the record or key is written (IR_NONE for stacks). */
static ir_ref_t stack_arg(lower_t *lx, uint32_t kind, const dl_node_t *call)
{
	if (kind == DL_F_SYM || kind == DL_F_USYM)
		return lower_expr(lx, call->args).v;
	return IR_NONE;
}

/* Write a stack or symbol value of kind and size at base + off. */
static void stack_store(lower_t *lx, uint32_t kind, uint32_t size,
			ir_ref_t base, int32_t off, ir_ref_t v)
{
	if (kind == DL_F_USTACK || kind == DL_F_USYM) {
		ir_store(lx->fn, lx->b, 8, base, off,
			 bin(lx, IR_SHR, pid_tgid(lx), con(lx, 32)));
		off += 8;
		size -= 8;
	}
	if (kind == DL_F_STACK || kind == DL_F_USTACK)
		get_stack(lx, bin(lx, IR_ADD, base, con(lx, off)), size,
			  kind == DL_F_USTACK, kind == DL_F_USTACK ?
			  "ustack( )" : "stack( )");
	else
		ir_store(lx->fn, lx->b, 8, base, off, v);
}

/* stack(), ustack(), sym() ... uaddr() as a statement. */
static void lower_stack_action(lower_t *lx, const dl_node_t *call_node,
			       const dl_field_t *f)
{
	ir_ref_t v = stack_arg(lx, f->kind, call_node);

	stack_store(lx, f->kind, f->size, lx->rec, (int32_t)f->off, v);
}

static val_t stack_caller(lower_t *lx, bool user)
{
	int32_t slot = stack_alloc(lx, 16);

	get_stack(lx, bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot)), 16, user,
		  user ? "ucaller" : "caller");
	return (val_t){ ir_load(lx->fn, lx->b, 8, ir_reg(IR_FP), slot + 8) };
}

static val_t stack_depth(lower_t *lx, const dl_node_t *n, bool user)
{
	ir_ref_t buf = scratch_alloc(lx, n, STACKDEPTH_MAX * 8);
	ir_ref_t r = ir_tmp(lx->fn);

	ir_emit(lx->fn, lx->b, IR_SEXT32, r, get_stack(lx, buf,
		STACKDEPTH_MAX * 8, user, user ? "ustackdepth" : "stackdepth"), IR_NONE);
	set_if(lx, bin(lx, IR_CSLT, r, con(lx, 0)), r, con(lx, 0));
	return (val_t){ bin(lx, IR_SHR, r, con(lx, 3)) };
}

static val_t var_caller(lower_t *lx, const dl_node_t *n)
{
	return stack_caller(lx, false);
}

static val_t var_ucaller(lower_t *lx, const dl_node_t *n)
{
	return stack_caller(lx, true);
}

static val_t var_stackdepth(lower_t *lx, const dl_node_t *n)
{
	return stack_depth(lx, n, false);
}

static val_t var_ustackdepth(lower_t *lx, const dl_node_t *n)
{
	return stack_depth(lx, n, true);
}

static lower_var_fn *const var_fns[DL_NVARS] = {
	[DL_V_pid] = var_pid, [DL_V_tid] = var_tid, [DL_V_ppid] = var_ppid,
	[DL_V_uid] = var_uid, [DL_V_gid] = var_gid,
	[DL_V_execname] = var_execname, [DL_V_timestamp] = var_timestamp,
	[DL_V_walltimestamp] = var_walltimestamp, [DL_V_cpu] = var_cpu,
	[DL_V_curthread] = var_curthread, [DL_V_probeprov] = var_probeprov,
	[DL_V_probemod] = var_probemod, [DL_V_probefunc] = var_probefunc,
	[DL_V_probename] = var_probename, [DL_V_id] = var_id,
	[DL_V_epid] = var_epid, [DL_V_errno] = var_errno,
	[DL_V_vtimestamp] = var_vtimestamp,
	[DL_V_caller] = var_caller, [DL_V_ucaller] = var_ucaller,
	[DL_V_stackdepth] = var_stackdepth,
	[DL_V_ustackdepth] = var_ustackdepth,
};

/* ---- D variables: 8-byte cells ------------------------------------------ */

typedef struct cell {
	ir_ref_t base;
	int32_t off;
} cell_t;

static cell_t var_cell(lower_t *lx, const dl_varref_t *r)
{
	if (r->kind == DL_VK_GLOBAL) {
		lx->need_gbase = true;
		return (cell_t){ lx->gbase, (int32_t)r->idx };
	}
	if (lx->thisslot[r->idx] == 0)	/* zeroed by the prologue */
		lx->thisslot[r->idx] = stack_alloc(lx, 8);
	return (cell_t){ ir_reg(IR_FP), lx->thisslot[r->idx] };
}

static ir_ref_t cell_load(lower_t *lx, cell_t c)
{
	return ir_load(lx->fn, lx->b, 8, c.base, c.off);
}

static void cell_store(lower_t *lx, cell_t c, ir_ref_t v)
{
	ir_store(lx->fn, lx->b, 8, c.base, c.off, v);
}

/*
 * self-> variables: entries of DL_MAP_SELF keyed { tid, varid }.  A missing
 * entry reads as 0; storing 0 deletes the entry; a store the map has no
 * room for counts a dynamic variable drop and the clause goes on.
 */
static void count_drop(lower_t *lx, int kind, ir_blk_t *cont);

/* The address of this thread's key for self-> variable varid. */
static ir_ref_t self_key(lower_t *lx, uint32_t varid)
{
	if (lx->selfkey == 0)
		lx->selfkey = stack_alloc(lx, sizeof(dl_selfkey_t));
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP),
		 lx->selfkey + (int32_t)offsetof(dl_selfkey_t, tid),
		 pid_tgid(lx));
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP),
		 lx->selfkey + (int32_t)offsetof(dl_selfkey_t, varid),
		 con(lx, varid));
	return bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, lx->selfkey));
}

/* The 8-byte value a map lookup found (p), or 0 when p is NULL. */
static ir_ref_t int_or_zero(lower_t *lx, ir_ref_t p)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_blk_t *hit = new_blk(lx), *miss = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, p, hit, miss);
	ir_emit(lx->fn, hit, IR_COPY, res, ir_load(lx->fn, hit, 8, p, 0),
		IR_NONE);
	ir_jmp(hit, join);
	ir_emit(lx->fn, miss, IR_COPY, res, con(lx, 0), IR_NONE);
	ir_jmp(miss, join);
	lx->b = join;
	return res;
}

static ir_ref_t self_load(lower_t *lx, uint32_t varid)
{
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_SELF),
			  self_key(lx, varid) };

	return int_or_zero(lx, call(lx, 1, 2, a));	/* map_lookup_elem */
}

/* map_update_elem(map, key, from): a dynamic variable store; a full map
   counts a dynamic variable drop and the clause goes on. */
static void dyn_update(lower_t *lx, int map, ir_ref_t key, ir_ref_t from)
{
	ir_ref_t ua[4] = { ir_ldmap(lx->fn, lx->b, map), key, from,
			   con(lx, 0) };
	ir_ref_t rc = call(lx, 2, 4, ua);	/* map_update_elem */
	ir_blk_t *drop = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, rc, drop, join);
	lx->b = drop;
	count_drop(lx, DL_DROP_DYNVAR, join);
	lx->b = join;
}

/* An integer dynamic variable (self-> variable, array element): 0
   deletes its entry, anything else is stored through the stack slot. */
static void dyn_store(lower_t *lx, int map, ir_ref_t key, ir_ref_t v,
		      int32_t slot)
{
	ir_blk_t *set = new_blk(lx), *del = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, v, set, del);
	ir_ref_t da[2] = { ir_ldmap(lx->fn, del, map), key };
	ir_call(lx->fn, del, 3, 2, da);		/* map_delete_elem */
	ir_jmp(del, join);
	lx->b = set;
	ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP), slot, v);
	dyn_update(lx, map, key, bin(lx, IR_ADD, ir_reg(IR_FP),
				     con(lx, slot)));
	ir_jmp(lx->b, join);
	lx->b = join;
}

static void self_store(lower_t *lx, uint32_t varid, ir_ref_t v)
{
	ir_ref_t key = self_key(lx, varid);

	if (lx->selfval == 0)
		lx->selfval = stack_alloc(lx, 8);
	dyn_store(lx, DL_MAP_SELF, key, v, lx->selfval);
}

/* Read or write any D variable. */
static ir_ref_t var_load(lower_t *lx, const dl_varref_t *r)
{
	if (r->kind == DL_VK_SELF)
		return self_load(lx, r->idx);
	return cell_load(lx, var_cell(lx, r));
}

static void var_store(lower_t *lx, const dl_varref_t *r, ir_ref_t v)
{
	if (r->kind == DL_VK_SELF)
		self_store(lx, r->idx, v);
	else
		cell_store(lx, var_cell(lx, r), v);
}

/* Where a firing that cannot go on with its clause goes: the clause's
   record, if it has one, is discarded (the verifier wants every reserved
   record released on every path, even ones that cannot happen), then the
   next clause. */
static ir_blk_t *bail_blk(lower_t *lx)
{
	ir_blk_t *b = new_blk(lx);

	if (lx->have_rec) {
		ir_ref_t a[2] = { lx->rec, con(lx, 0) };
		ir_call(lx->fn, b, 133, 2, a);		/* ringbuf_discard */
	}
	ir_jmp(b, lx->next);
	return b;
}

/*
 * Strings being built and string variables: the per-CPU scratch value
 * (DL_MAP_SCRATCH) holds them while a firing runs, each at an offset fixed
 * when the program is compiled.  A string global is strsize bytes of the
 * globals' value, a this-> string a scratch slot, a self-> string an entry
 * of DL_MAP_SELFSTR (an unset one reads as DL_MAP_ZERO's zeros).
 */
static uint32_t scratch_reserve(lower_t *lx, const dl_node_t *n,
				uint32_t size)
{
	uint32_t off = lx->scratchoff;

	if (off + size > DL_SCRATCH_SIZE)
		dl_error(lx->cx, n->loc, D_LIMIT, "out of scratch space for "
			 "strings (limit is %d bytes per program)",
			 DL_SCRATCH_SIZE);
	lx->scratchoff += (size + 7) & ~7u;
	lx->need_scratch = true;
	return off;
}

static ir_ref_t scratch_alloc(lower_t *lx, const dl_node_t *n, uint32_t size)
{
	return bin(lx, IR_ADD, lx->scratch,
		   con(lx, scratch_reserve(lx, n, size)));
}

/* Copy the string s into size bytes at dst (NUL-terminated there). */
static void str_copy(lower_t *lx, ir_ref_t dst, uint32_t size, val_t s)
{
	ir_ref_t a[3] = { dst, con(lx, size), s.v };

	call(lx, 115, 3, a);			/* probe_read_kernel_str */
}

/* Entry 0 of an array map (DL_MAP_ZERO, a per-CPU one), which is never
   absent: the lookup's NULL branch only satisfies the verifier. */
static ir_ref_t map_entry0(lower_t *lx, int map)
{
	int32_t zk = stack_alloc(lx, 8);

	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), zk, con(lx, 0));
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, map),
			  bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, zk)) };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
	ir_blk_t *ok = new_blk(lx);

	ir_jnz(lx->b, p, ok, bail_blk(lx));
	lx->b = ok;
	return p;
}

/* The string a map lookup found (p), or "" (DL_MAP_ZERO's zeros, as
   large as any string value) when p is NULL. */
static val_t str_or_empty(lower_t *lx, ir_ref_t p, uint32_t size)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_blk_t *hit = new_blk(lx), *miss = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, p, hit, miss);
	ir_emit(lx->fn, hit, IR_COPY, res, p, IR_NONE);
	ir_jmp(hit, join);
	lx->b = miss;
	ir_emit(lx->fn, lx->b, IR_COPY, res, map_entry0(lx, DL_MAP_ZERO),
		IR_NONE);
	ir_jmp(lx->b, join);
	lx->b = join;
	return (val_t){ res, size };
}

/* The bytes of a string, struct or union variable: strsize for a string,
   a struct's or union's size. */
static uint32_t blob_size(lower_t *lx, const dl_type_t *t)
{
	return dl_type_is_sou(t) ? t->size : lx->cx->strsize;
}

static val_t str_var_load(lower_t *lx, const dl_node_t *n,
			  const dl_varref_t *r)
{
	uint32_t size = blob_size(lx, n->type);

	if (r->kind == DL_VK_GLOBAL) {
		lx->need_gbase = true;
		return (val_t){ bin(lx, IR_ADD, lx->gbase, con(lx, r->idx)),
				size };
	}
	if (r->kind == DL_VK_THIS) {
		if (lx->thisstr[r->idx] == 0)
			lx->thisstr[r->idx] = (int32_t)scratch_reserve(lx, n,
								      size) + 1;
		return (val_t){ bin(lx, IR_ADD, lx->scratch,
				    con(lx, lx->thisstr[r->idx] - 1)), size };
	}
	/* self-> */
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_SELFSTR),
			  self_key(lx, r->idx) };
	return str_or_empty(lx, call(lx, 1, 2, a), size);	/* lookup */
}

static void str_var_store(lower_t *lx, const dl_node_t *n,
			  const dl_varref_t *r, val_t s)
{
	uint32_t size = lx->cx->strsize;

	if (r->kind != DL_VK_SELF) {
		str_copy(lx, str_var_load(lx, n, r).v, size, s);
		return;
	}
	ir_ref_t tmp = scratch_alloc(lx, n, size);
	str_copy(lx, tmp, size, s);
	dyn_update(lx, DL_MAP_SELFSTR, self_key(lx, r->idx), tmp);
}

static val_t lower_var(lower_t *lx, const dl_node_t *n)
{
	const dl_varref_t *r = n->sema;
	dl_var_t v = (dl_var_t)r->idx;

	if (r->kind != DL_VK_BUILTIN && (n->type->kind == TY_STRING ||
					 dl_type_is_sou(n->type)))
		return str_var_load(lx, n, r);
	if (r->kind != DL_VK_BUILTIN)
		return (val_t){ var_load(lx, r) };
	if (v >= DL_V_arg0 && v <= DL_V_arg11)	/* args[n]: as its type */
		return (val_t){ norm(lx, pvar(lx, DL_PV_ARG,
					      (int)(v - DL_V_arg0)), n->type) };
	/* sema refuses the variables dl_idents.h marks unsupported */
	if (var_fns[v] == NULL)
		dl_error(lx->cx, n->loc, D_UNSUPPORTED,
			 "built-in variable %s is not supported yet", n->name);
	return var_fns[v](lx, n);
}

/* ---- faults ------------------------------------------------------------- */

/* Branch to a new fault block when cond is nonzero; code continues in a
   fresh block.  The fault block reports kind and goes to the next clause. */
static void fault_if_val(lower_t *lx, ir_ref_t cond, uint32_t kind,
			 ir_ref_t val);

static void fault_if(lower_t *lx, ir_ref_t cond, uint32_t kind)
{
	fault_if_val(lx, cond, kind, con(lx, 0));
}

/* The same, with the value the fault is about (the bad address). */
static void fault_if_val(lower_t *lx, ir_ref_t cond, uint32_t kind,
			 ir_ref_t val)
{
	ir_blk_t *flt = new_blk(lx), *ok = new_blk(lx);

	ir_jnz(lx->b, cond, flt, ok);
	lx->b = flt;
	ir_ref_t pc = ir_tmp(lx->fn);	/* DTrace's "at BPF pc N" */
	ir_emit(lx->fn, lx->b, IR_PC, pc, IR_NONE, IR_NONE);
	if (lx->have_rec) {
		ir_ref_t a[2] = { lx->rec, con(lx, 0) };
		call(lx, 133, 2, a);		/* ringbuf_discard */
	}
	if (lx->hooks->nerrclauses > 0 && !lx->in_error) {
		/* the ERROR clauses report it */
		ir_ref_t ep = bin(lx, IR_SHL, bin(lx, IR_SUB, probe_id(lx),
						  con(lx, 1)),
				  con(lx, DL_EPID_SHIFT));
		ir_emit(lx->fn, lx->b, IR_ADD, lx->err_epid, ep,
			con(lx, lx->clause->id + 1));
		ir_emit(lx->fn, lx->b, IR_COPY, lx->err_act,
			con(lx, lx->action), IR_NONE);
		ir_emit(lx->fn, lx->b, IR_COPY, lx->err_kind, con(lx, kind),
			IR_NONE);
		ir_emit(lx->fn, lx->b, IR_COPY, lx->err_addr, val, IR_NONE);
		ir_emit(lx->fn, lx->b, IR_COPY, lx->err_pc, pc, IR_NONE);
		ir_emit(lx->fn, lx->b, IR_COPY, lx->err_resume,
			con(lx, lx->cidx), IR_NONE);
		if (lx->errentry == NULL)
			lx->errentry = new_blk(lx);
		ir_jmp(lx->b, lx->errentry);
		lx->b = ok;
		return;
	}
	ir_ref_t ra[3] = { ir_ldmap(lx->fn, lx->b, DL_MAP_RINGBUF),
			   con(lx, sizeof(dl_rechdr_t) + 16), con(lx, 0) };
	ir_ref_t frec = call(lx, 131, 3, ra);	/* ringbuf_reserve */
	ir_blk_t *fill = new_blk(lx);
	ir_jnz(lx->b, frec, fill, lx->next);
	lx->b = fill;
	ir_store(lx->fn, fill, 4, frec, 0, con(lx, DL_REC_FAULT |
						   lx->clause->id));
	ir_store(lx->fn, fill, 4, frec, 4, probe_id(lx));
	ir_store(lx->fn, fill, 4, frec, 8, call(lx, 8, 0, NULL));
	ir_store(lx->fn, lx->b, 4, frec, 12, con(lx, kind));
	ir_store(lx->fn, lx->b, 4, frec, 16, con(lx, lx->action));
	ir_store(lx->fn, lx->b, 4, frec, 20, pc);
	ir_store(lx->fn, lx->b, 8, frec, 24, val);
	ir_ref_t sa[2] = { frec, con(lx, 0) };
	call(lx, 132, 2, sa);			/* ringbuf_submit */
	ir_jmp(lx->b, lx->next);
	lx->b = ok;
}

/* ---- operators ---------------------------------------------------------- */

static const ir_op_t binop_ir[BOP_NOPS][2] = {	/* [op][is_signed] */
	[BOP_MUL] = { IR_MUL, IR_MUL },   [BOP_DIV] = { IR_UDIV, IR_SDIV },
	[BOP_MOD] = { IR_UREM, IR_SREM }, [BOP_ADD] = { IR_ADD, IR_ADD },
	[BOP_SUB] = { IR_SUB, IR_SUB },   [BOP_SHL] = { IR_SHL, IR_SHL },
	[BOP_SHR] = { IR_SHR, IR_SAR },   [BOP_LT] = { IR_CULT, IR_CSLT },
	[BOP_GT] = { IR_CUGT, IR_CSGT },  [BOP_LE] = { IR_CULE, IR_CSLE },
	[BOP_GE] = { IR_CUGE, IR_CSGE },  [BOP_EQ] = { IR_CEQ, IR_CEQ },
	[BOP_NE] = { IR_CNE, IR_CNE },    [BOP_AND] = { IR_AND, IR_AND },
	[BOP_XOR] = { IR_XOR, IR_XOR },   [BOP_OR] = { IR_OR, IR_OR },
};

/*
 * strcmp of two strings only known at run time (bpf_strncmp wants one of
 * them a constant): a loop over the bytes, at most the smaller buffer's
 * size, which the verifier follows iteration by iteration.  Returns
 * c1 - c2 at the first difference, 0 if none before the NUL.
 */
static ir_ref_t str_cmp_loop(lower_t *lx, const dl_node_t *x,
			     const dl_node_t *y)
{
	val_t a = lower_expr(lx, x), b = lower_expr(lx, y);
	uint32_t n = a.size < b.size ? a.size : b.size;
	ir_ref_t i = ir_tmp(lx->fn), res = ir_tmp(lx->fn);
	ir_blk_t *head = new_blk(lx), *body = new_blk(lx), *diff = new_blk(lx),
		 *same = new_blk(lx), *next = new_blk(lx), *done = new_blk(lx);

	ir_emit(lx->fn, lx->b, IR_COPY, i, con(lx, 0), IR_NONE);
	ir_emit(lx->fn, lx->b, IR_COPY, res, con(lx, 0), IR_NONE);
	ir_jmp(lx->b, head);
	ir_jnz(head, ir_bin(lx->fn, head, IR_CULT, i, con(lx, n)), body, done);
	lx->b = body;
	ir_ref_t c1 = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, a.v, i), 0);
	ir_ref_t c2 = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, b.v, i), 0);
	ir_jnz(lx->b, bin(lx, IR_CNE, c1, c2), diff, same);
	ir_emit(lx->fn, diff, IR_SUB, res, c1, c2);
	ir_jmp(diff, done);
	ir_jnz(same, c1, next, done);
	ir_emit(lx->fn, next, IR_ADD, i, i, con(lx, 1));
	ir_jmp(next, head);
	lx->b = done;
	return res;
}

/* Compare a string with a string constant: strncmp(s, size, lit). */
static ir_ref_t lower_strcmp(lower_t *lx, const dl_node_t *n)
{
	const dl_node_t *var = n->lhs, *lit = n->rhs;
	int op = n->op;

	if (var->kind == ND_STR) {
		static const int mirror[BOP_NOPS] = {
			[BOP_LT] = BOP_GT, [BOP_GT] = BOP_LT,
			[BOP_LE] = BOP_GE, [BOP_GE] = BOP_LE,
			[BOP_EQ] = BOP_EQ, [BOP_NE] = BOP_NE };
		var = n->rhs;
		lit = n->lhs;
		op = mirror[op];
	}
	if (var->kind == ND_STR) {	/* two constants */
		int c = strcmp(var->sval, lit->sval);
		int r = op == BOP_LT ? c < 0 : op == BOP_GT ? c > 0 :
			op == BOP_LE ? c <= 0 : op == BOP_GE ? c >= 0 :
			op == BOP_EQ ? c == 0 : c != 0;
		return con(lx, r);
	}
	if (lit->kind != ND_STR)		/* two strings at run time */
		return bin(lx, binop_ir[op][1], str_cmp_loop(lx, var, lit),
			   con(lx, 0));
	val_t s = lower_expr(lx, var);
	val_t l = str_const(lx, lit->sval, lit->slen);
	ir_ref_t a[3] = { s.v, con(lx, s.size), l.v };
	ir_ref_t r = call(lx, 182, 3, a);	/* strncmp */
	r = unop(lx, IR_SEXT32, r);
	return bin(lx, binop_ir[op][1], r, con(lx, 0));
}

/* a op b, op not a comparison, computed in type opt: C's conversions of
   the operands, a fault on division by zero, the result in opt's form. */
static ir_ref_t arith(lower_t *lx, int op, ir_ref_t a, ir_ref_t b,
		      const dl_type_t *opt)
{
	if (opt->size < 8) {
		a = norm(lx, a, opt);
		if (op != BOP_SHL && op != BOP_SHR)
			b = norm(lx, b, opt);
	}
	if (op == BOP_DIV || op == BOP_MOD)
		fault_if(lx, bin(lx, IR_CEQ, b, con(lx, 0)), DL_FLT_DIVZERO);
	return norm(lx, bin(lx, binop_ir[op][opt->is_signed], a, b), opt);
}

/* The bytes p + 1 is past p, a pointer of type pt (1 for void *). */
static int64_t ptr_scale(const dl_type_t *pt)
{
	return pt->base->size > 0 ? pt->base->size : 1;
}

/* p + i, i + p, p - i (i scaled by the pointee's size) and p - q (the
   count of elements between them), as sema typed them. */
static ir_ref_t ptr_arith(lower_t *lx, const dl_node_t *n, ir_ref_t a,
			  ir_ref_t b)
{
	const dl_type_t *l = n->lhs->type, *r = n->rhs->type;

	if (l->kind == TY_PTR && r->kind == TY_PTR)	/* p - q */
		return bin(lx, IR_SDIV, bin(lx, IR_SUB, a, b),
			   con(lx, ptr_scale(l)));
	if (l->kind == TY_PTR)
		b = bin(lx, IR_MUL, b, con(lx, ptr_scale(l)));
	else
		a = bin(lx, IR_MUL, a, con(lx, ptr_scale(r)));
	return bin(lx, n->op == BOP_ADD ? IR_ADD : IR_SUB, a, b);
}

static val_t lower_binary(lower_t *lx, const dl_node_t *n)
{
	if (n->lhs->type->kind == TY_STRING)
		return (val_t){ lower_strcmp(lx, n) };

	bool relop = n->op >= BOP_LT && n->op <= BOP_NE;
	ir_ref_t a = lower_expr(lx, n->lhs).v;
	ir_ref_t b = lower_expr(lx, n->rhs).v;

	if (!relop && (n->lhs->type->kind == TY_PTR ||
		       n->rhs->type->kind == TY_PTR))
		return (val_t){ ptr_arith(lx, n, a, b) };
	if (!relop)
		return (val_t){ arith(lx, n->op, a, b, n->type) };
	const dl_type_t *opt = dl_type_arith(&lx->cx->types, n->lhs->type,
					     n->rhs->type);
	return (val_t){ bin(lx, binop_ir[n->op][opt->is_signed], a, b) };
}

/* x = v and x op= v: the value stored, in x's form. */
/* What an assignment writes: a variable, or an element of an associative
   array whose key is computed once. */
typedef struct lval {
	const dl_node_t *n;
	const dl_varref_t *r;	/* NULL: a member of a struct variable */
	ir_ref_t key;		/* DL_VK_ASSOC */
	ir_ref_t addr;		/* a member: where it is */
} lval_t;

static bool is_mem(const dl_node_t *n);
static ir_ref_t mem_addr(lower_t *lx, const dl_node_t *n);
typedef struct sspace {	/* scratch space (alloca(), copyin()) */
	ir_ref_t w;		/* map pointer to write through */
	ir_ref_t addr;		/* the same as an integer */
	ir_ref_t size;		/* the size, masked */
} sspace_t;
static sspace_t scratch_dest(lower_t *lx, const dl_node_t *n, ir_ref_t dest,
			     ir_ref_t size);

/*
 * Memory inside a struct variable x: x.m, x.m.n, x.a[i], x.a[i].m, ...
 * Sema made x.a[i] *(&x.a + i), C's meaning; here the index is checked
 * against a's length before it is added to the address of the
 * variable's bytes (a map value or scratch, which the verifier lets a
 * program index only within bounds it can see), and an index out of
 * range is Oracle DTrace's "index out of bounds" fault (with the index),
 * as is a constant one at compile time (sema).  Reads and stores alike.
 */
static bool var_mem(const dl_node_t *n);

/* Is n x.a[i] of an array a inside a struct variable? */
static bool var_elem(const dl_node_t *n)
{
	if (n->kind != ND_UNARY || n->op != '*' || n->lhs->kind != ND_BINARY ||
	    n->lhs->op != BOP_ADD)
		return false;
	const dl_node_t *a = n->lhs->lhs;
	if (a->kind != ND_UNARY || a->op != '&' || !is_mem(a->lhs))
		return false;
	const dl_memref_t *m = a->lhs->sema;
	return m->type->kind == TY_ARRAY && var_mem(a->lhs);
}

/* Is memory node n inside a struct variable, rather than memory a
   pointer names? */
static bool var_mem(const dl_node_t *n)
{
	if (n->kind == ND_MEMBER)
		return var_mem(n->lhs);
	return var_elem(n) || !is_mem(n);
}

static ir_ref_t sou_store_addr(lower_t *lx, const dl_node_t *n);

/* The address of var_mem() node n: for a store (creating a dynamic
   variable's entry) or a read. */
static ir_ref_t var_addr(lower_t *lx, const dl_node_t *n, bool store)
{
	if (n->kind == ND_MEMBER) {
		const dl_memref_t *m = n->sema;
		ir_ref_t base = var_addr(lx, n->lhs, store);
		return m->off != 0 ? bin(lx, IR_ADD, base, con(lx, m->off)) :
				     base;
	}
	if (!var_elem(n))
		return store ? sou_store_addr(lx, n) : lower_expr(lx, n).v;
	const dl_node_t *arr = n->lhs->lhs->lhs;
	const dl_type_t *at = ((const dl_memref_t *)arr->sema)->type;
	ir_ref_t base = var_addr(lx, arr, store);
	ir_ref_t i = lower_expr(lx, n->lhs->rhs).v;

	fault_if_val(lx, bin(lx, IR_CUGE, i, con(lx, at->nelems)),
		     DL_FLT_BADINDEX, i);
	return bin(lx, IR_ADD, base, bin(lx, IR_MUL, i,
					 con(lx, at->base->size)));
}

static ir_ref_t ptr_store_addr(lower_t *lx, const dl_node_t *n);

static lval_t lval_of(lower_t *lx, const dl_node_t *n)
{
	lval_t l = { n, n->sema, IR_NONE, IR_NONE };

	if (is_mem(n)) {
		l.r = NULL;
		l.addr = var_mem(n) ? var_addr(lx, n, true) :
				      ptr_store_addr(lx, n);
		return l;
	}
	if (l.r->kind == DL_VK_ASSOC)
		l.key = assoc_key(lx, n);
	return l;
}

/*
 * A bit-field (t->bits != 0) is read as its container, t->size bytes
 * little-endian, shifted so that the field's top bit is bit 63 and back
 * down, arithmetically when its type is signed (the sign extension);
 * written by reading the container, replacing the field's bits and
 * writing it back.
 */
static ir_ref_t bf_extract(lower_t *lx, ir_ref_t v, const dl_type_t *t)
{
	v = bin(lx, IR_SHL, v, con(lx, 64 - t->bitoff - t->bits));
	return bin(lx, t->is_signed ? IR_SAR : IR_SHR, v,
		   con(lx, 64 - t->bits));
}

static ir_ref_t bf_insert(lower_t *lx, ir_ref_t old, ir_ref_t v,
			  const dl_type_t *t)
{
	uint64_t mask = (t->bits == 64 ? ~0ull : (1ull << t->bits) - 1) <<
			t->bitoff;
	ir_ref_t keep = bin(lx, IR_AND, old, con(lx, (int64_t)~mask));
	ir_ref_t put = bin(lx, IR_AND, bin(lx, IR_SHL, v, con(lx, t->bitoff)),
			   con(lx, (int64_t)mask));

	return bin(lx, IR_OR, keep, put);
}

static ir_ref_t lval_load(lower_t *lx, const lval_t *l)
{
	if (l->r == NULL) {
		const dl_type_t *t = ((const dl_memref_t *)l->n->sema)->type;
		ir_ref_t v = ir_load(lx->fn, lx->b, (int)t->size, l->addr, 0);
		return t->bits != 0 ? bf_extract(lx, v, t) : norm(lx, v, t);
	}
	if (l->r->kind == DL_VK_ASSOC)
		return assoc_load(lx, l->r, l->key);
	return var_load(lx, l->r);
}

/* Store v (canonical for the lvalue's type); returns the value stored,
   which for a bit-field is v cut to its width. */
static ir_ref_t lval_store(lower_t *lx, const lval_t *l, ir_ref_t v)
{
	if (l->r == NULL) {
		const dl_type_t *t = ((const dl_memref_t *)l->n->sema)->type;
		if (t->bits != 0) {
			ir_ref_t old = ir_load(lx->fn, lx->b, (int)t->size,
					       l->addr, 0);
			ir_ref_t nv = bf_insert(lx, old, v, t);
			ir_store(lx->fn, lx->b, (int)t->size, l->addr, 0, nv);
			return bf_extract(lx, nv, t);
		}
		ir_store(lx->fn, lx->b, (int)t->size, l->addr, 0, v);
	} else if (l->r->kind == DL_VK_ASSOC) {
		assoc_store(lx, l->r, l->key, v);
	} else {
		var_store(lx, l->r, v);
	}
	return v;
}

/*
 * Struct and union variables are bytes, like strings: a global's in the
 * globals' value, a this-> one in scratch (zeroed when the firing
 * starts), a self-> one an entry of DL_MAP_SELFSTR, an array element an
 * entry of its map; an unset dynamic one reads as DL_MAP_ZERO's zeros.
 * A member store into a dynamic one first creates its entry (zeroed).
 */

/* The entry of map for key, created from zeros if absent; a map with no
   room counts a dynamic variable drop and gives a scratch area the store
   goes to instead (size bytes), so the clause goes on. */
static ir_ref_t dyn_entry(lower_t *lx, const dl_node_t *n, int map,
			  ir_ref_t key, uint32_t size)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_ref_t la[2] = { ir_ldmap(lx->fn, lx->b, map), key };
	ir_ref_t p = call(lx, 1, 2, la);	/* map_lookup_elem */
	ir_blk_t *make = new_blk(lx), *join = new_blk(lx);

	ir_emit(lx->fn, lx->b, IR_COPY, res, p, IR_NONE);
	ir_jnz(lx->b, p, join, make);
	lx->b = make;
	ir_ref_t dummy = scratch_alloc(lx, n, size);
	ir_ref_t ua[4] = { ir_ldmap(lx->fn, lx->b, map), key,
			   map_entry0(lx, DL_MAP_ZERO), con(lx, 0) };
	ir_ref_t rc = call(lx, 2, 4, ua);	/* map_update_elem */
	ir_blk_t *made = new_blk(lx), *drop = new_blk(lx);
	ir_jnz(lx->b, rc, drop, made);
	lx->b = drop;
	ir_emit(lx->fn, lx->b, IR_COPY, res, dummy, IR_NONE);
	count_drop(lx, DL_DROP_DYNVAR, join);
	lx->b = made;
	ir_ref_t la2[2] = { ir_ldmap(lx->fn, lx->b, map), key };
	ir_ref_t q = call(lx, 1, 2, la2);	/* map_lookup_elem */
	ir_blk_t *found = new_blk(lx);
	ir_jnz(lx->b, q, found, bail_blk(lx));	/* just made */
	ir_emit(lx->fn, found, IR_COPY, res, q, IR_NONE);
	ir_jmp(found, join);
	lx->b = join;
	return res;
}

/* The bytes of struct variable n (a global, this->, self-> variable or
   array element), for a store. */
static ir_ref_t sou_store_addr(lower_t *lx, const dl_node_t *n)
{
	const dl_varref_t *r = n->sema;

	if (r->kind == DL_VK_SELF)
		return dyn_entry(lx, n, DL_MAP_SELFSTR, self_key(lx, r->idx),
				 n->type->size);
	if (r->kind == DL_VK_ASSOC) {
		const dl_assoc_t *a = assoc_of(lx, r);
		return dyn_entry(lx, n, DL_MAP_ASSOC0 + (int)a->id,
				 assoc_key(lx, n), a->valsize);
	}
	return str_var_load(lx, n, r).v;
}

/* *p = v, p->m = v, p[i] = v: DTrace allows stores through pointers
   only into scratch memory this clause allocated (alloca()); any other
   address, kernel memory above all, is the invalid address fault, and
   nothing is written.  The store goes through the scratch map's pointer,
   so the verifier sees it inside the scratch area. */
static ir_ref_t ptr_store_addr(lower_t *lx, const dl_node_t *n)
{
	const dl_memref_t *m = n->sema;
	ir_ref_t addr = mem_addr(lx, n);

	return scratch_dest(lx, n, addr, con(lx, m->type->size)).w;
}

/* x = y of structs or unions: y's bytes (a variable's, or kernel memory
   read safely) copied into x, a variable or memory a store may write. */
static val_t lower_sou_assign(lower_t *lx, const dl_node_t *n)
{
	const dl_node_t *x = n->lhs;
	const dl_varref_t *r = x->sema;
	uint32_t size = x->type->size;
	val_t src = lower_expr(lx, n->rhs);

	if (is_mem(x)) {	/* x.m = y, *p = y, p->m = y: lval_of checks
				   the destination, as for a scalar */
		lval_t l = lval_of(lx, x);
		ir_ref_t a[3] = { l.addr, con(lx, size), src.v };
		call(lx, 113, 3, a);		/* probe_read_kernel */
		return (val_t){ l.addr, size };
	}

	if (r->kind == DL_VK_GLOBAL || r->kind == DL_VK_THIS) {
		ir_ref_t dst = str_var_load(lx, x, r).v;
		ir_ref_t a[3] = { dst, con(lx, size), src.v };
		call(lx, 113, 3, a);		/* probe_read_kernel */
		return (val_t){ dst, size };
	}
	/* a dynamic variable: the whole map value from scratch */
	int map = DL_MAP_SELFSTR;
	uint32_t vsize = dl_vars_strsize(lx->cx->selfvars);
	ir_ref_t key;
	if (r->kind == DL_VK_ASSOC) {
		const dl_assoc_t *a = assoc_of(lx, r);
		map = DL_MAP_ASSOC0 + (int)a->id;
		vsize = a->valsize;
		key = assoc_key(lx, x);
	} else {
		key = self_key(lx, r->idx);
	}
	ir_ref_t tmp = scratch_alloc(lx, n, vsize);
	ir_ref_t a[3] = { tmp, con(lx, size), src.v };
	call(lx, 113, 3, a);			/* probe_read_kernel */
	dyn_update(lx, map, key, tmp);
	return (val_t){ tmp, size };
}

static val_t lower_str_assign(lower_t *lx, const dl_node_t *n)
{
	val_t s = lower_expr(lx, n->rhs);
	lval_t l = lval_of(lx, n->lhs);

	if (l.r == NULL) {	/* a char array in memory: the string's first
				   bytes, NUL-terminated within it */
		uint32_t size = ((const dl_memref_t *)n->lhs->sema)->strsize;
		str_copy(lx, l.addr, size, s);
		return (val_t){ l.addr, size };
	}

	if (l.r->kind != DL_VK_ASSOC) {
		str_var_store(lx, n->lhs, l.r, s);
		return str_var_load(lx, n->lhs, l.r);
	}
	assoc_str_store(lx, n->lhs, l.r, l.key, s);
	return assoc_str_load(lx, l.r, l.key);
}

static val_t lower_assign(lower_t *lx, const dl_node_t *n)
{
	const dl_type_t *xt = n->lhs->type, *rt = n->rhs->type;

	if (xt->kind == TY_STRING)
		return lower_str_assign(lx, n);
	if (dl_type_is_sou(xt))
		return lower_sou_assign(lx, n);
	ir_ref_t v = lower_expr(lx, n->rhs).v;
	lval_t l = lval_of(lx, n->lhs);

	if (n->op != BOP_NONE && xt->kind == TY_PTR) {	/* p += i */
		v = bin(lx, IR_MUL, v, con(lx, ptr_scale(xt)));
		v = bin(lx, n->op == BOP_ADD ? IR_ADD : IR_SUB,
			lval_load(lx, &l), v);
	} else if (n->op != BOP_NONE) {
		const dl_types_t *t = &lx->cx->types;
		bool shift = n->op == BOP_SHL || n->op == BOP_SHR;
		v = arith(lx, n->op, lval_load(lx, &l), v, shift ?
			  dl_type_promote(t, xt) : dl_type_arith(t, xt, rt));
	}
	v = norm(lx, v, xt);
	return (val_t){ lval_store(lx, &l, v) };
}

/* a[keys] read. */
static val_t lower_index(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t key = assoc_key(lx, n);

	if (n->type->kind == TY_STRING || dl_type_is_sou(n->type))
		return assoc_str_load(lx, n->sema, key);
	return (val_t){ assoc_load(lx, n->sema, key) };
}

/* ++x, --x (the new value) and x++, x-- (the old one). */
static val_t lower_incdec(lower_t *lx, const dl_node_t *n)
{
	bool inc = n->kind == ND_PREINC || n->kind == ND_POSTINC;
	bool pre = n->kind == ND_PREINC || n->kind == ND_PREDEC;
	lval_t l = lval_of(lx, n->lhs);
	ir_ref_t old = lval_load(lx, &l);
	ir_ref_t v = norm(lx, bin(lx, inc ? IR_ADD : IR_SUB, old,
				  con(lx, n->type->kind == TY_PTR ?
					  ptr_scale(n->type) : 1)), n->type);

	v = lval_store(lx, &l, v);
	return (val_t){ pre ? v : old };
}

/* && || ^^ and the ternary: a result temp assigned on every path. */
static val_t lower_logical(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_ref_t a = lower_expr(lx, n->lhs).v;

	if (n->kind == ND_LOGXOR) {
		ir_ref_t b = lower_expr(lx, n->rhs).v;
		a = bin(lx, IR_CNE, a, con(lx, 0));
		b = bin(lx, IR_CNE, b, con(lx, 0));
		return (val_t){ bin(lx, IR_XOR, a, b) };
	}
	ir_blk_t *rhs = new_blk(lx), *shortc = new_blk(lx),
		 *join = new_blk(lx);
	if (n->kind == ND_LOGAND)
		ir_jnz(lx->b, a, rhs, shortc);
	else
		ir_jnz(lx->b, a, shortc, rhs);
	ir_emit(lx->fn, shortc, IR_COPY, res,
		con(lx, n->kind == ND_LOGOR), IR_NONE);
	ir_jmp(shortc, join);
	lx->b = rhs;
	ir_ref_t b = lower_expr(lx, n->rhs).v;
	ir_emit(lx->fn, lx->b, IR_CNE, res, b, con(lx, 0));
	ir_jmp(lx->b, join);
	lx->b = join;
	return (val_t){ res };
}

/* One arm of a ternary: its value, converted to the result type rt (a
   string's copy into res and the jump to join are the caller's). */
static val_t lower_arm(lower_t *lx, const dl_node_t *arm,
		       const dl_type_t *rt, ir_ref_t res, ir_blk_t *join)
{
	val_t v = lower_expr(lx, arm);

	if (rt->kind == TY_STRING)
		return v;
	v.v = norm(lx, v.v, rt);
	ir_emit(lx->fn, lx->b, IR_COPY, res, v.v, IR_NONE);
	ir_jmp(lx->b, join);
	return v;
}

/* A string arm of size bytes, ending in block b, made size bytes long
   (a constant padded with NULs, anything else copied into scratch), so
   that the ternary's value is as long as its longer arm, then into res. */
static void str_arm_end(lower_t *lx, const dl_node_t *arm, ir_blk_t *b,
			val_t v, uint32_t size, ir_ref_t res, ir_blk_t *join)
{
	lx->b = b;
	if (v.size < size && arm->kind == ND_STR) {
		char *pad = dl_alloc(lx->cx->arena, size);

		memcpy(pad, arm->sval, arm->slen);	/* dl_alloc zeroes */
		v = str_const(lx, pad, size - 1);
	} else if (v.size < size) {
		ir_ref_t dst = scratch_alloc(lx, arm, size);

		str_copy(lx, dst, size, v);
		v.v = dst;
	}
	ir_emit(lx->fn, lx->b, IR_COPY, res, v.v, IR_NONE);
	ir_jmp(lx->b, join);
}

static val_t lower_ternary(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_ref_t c = lower_expr(lx, n->cond).v;
	ir_blk_t *t = new_blk(lx), *f = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, c, t, f);
	lx->b = t;
	val_t a = lower_arm(lx, n->lhs, n->type, res, join);
	ir_blk_t *tend = lx->b;
	lx->b = f;
	val_t b = lower_arm(lx, n->rhs, n->type, res, join);
	if (n->type->kind == TY_STRING) {
		uint32_t size = a.size > b.size ? a.size : b.size;

		str_arm_end(lx, n->rhs, lx->b, b, size, res, join);
		str_arm_end(lx, n->lhs, tend, a, size, res, join);
		lx->b = join;
		return (val_t){ res, size };
	}
	lx->b = join;
	return (val_t){ norm(lx, res, n->type) };
}

/* ---- kernel memory: *p, p->m, s.m ------------------------------------- */

/* The address a dereference or member access reads. */
static bool is_mem(const dl_node_t *n)
{
	return n->kind == ND_MEMBER || n->kind == ND_PTRMEMBER ||
	       (n->kind == ND_UNARY && n->op == '*');
}

static ir_ref_t mem_addr(lower_t *lx, const dl_node_t *n)
{
	const dl_memref_t *m = n->sema;

	if (var_mem(n))
		return var_addr(lx, n, false);
	ir_ref_t base = n->kind == ND_MEMBER && is_mem(n->lhs) ?
		mem_addr(lx, n->lhs) :	/* s.m of kernel memory s */
		lower_expr(lx, n->lhs).v;	/* p->m, *p; x.m of a struct
						   variable x: its bytes */

	return m->off != 0 ? bin(lx, IR_ADD, base, con(lx, m->off)) : base;
}

/*
 * Read kernel memory, safely: bpf_probe_read_kernel into the stack (or,
 * for a char array read as a string, probe_read_kernel_str into scratch);
 * an address the kernel cannot read is DTrace's invalid address fault.
 */
static val_t mem_read(lower_t *lx, const dl_node_t *n)
{
	const dl_memref_t *m = n->sema;
	ir_ref_t addr = mem_addr(lx, n);

	if (dl_type_is_sou(m->type)) {	/* a struct value: its bytes */
		ir_ref_t dst = scratch_alloc(lx, n, m->type->size);
		ir_ref_t a[3] = { dst, con(lx, m->type->size), addr };
		ir_ref_t r = call(lx, 113, 3, a);	/* probe_read_kernel */
		fault_if_val(lx, r, DL_FLT_BADADDR, addr);
		return (val_t){ dst, m->type->size };
	}
	if (m->strsize != 0) {
		ir_ref_t dst = scratch_alloc(lx, n, m->strsize + 1);
		ir_ref_t a[3] = { dst, con(lx, m->strsize + 1), addr };
		ir_ref_t r = call(lx, 115, 3, a);	/* probe_read_kernel_str */
		fault_if_val(lx, bin(lx, IR_CSLT, unop(lx, IR_SEXT32, r),
				     con(lx, 0)), DL_FLT_BADADDR, addr);
		return (val_t){ dst, m->strsize + 1 };
	}
	int32_t slot = stack_alloc(lx, 8);
	ir_ref_t a[3] = { bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot)),
			  con(lx, m->type->size), addr };
	ir_ref_t r = call(lx, 113, 3, a);	/* probe_read_kernel */
	fault_if_val(lx, r, DL_FLT_BADADDR, addr);
	ir_ref_t v = ir_load(lx->fn, lx->b, (int)m->type->size,
			     ir_reg(IR_FP), slot);
	if (m->type->bits != 0)
		return (val_t){ bf_extract(lx, v, m->type) };
	return (val_t){ norm(lx, v, m->type) };
}

/* stringof(addr): the kernel string at addr, into scratch. */
static val_t lower_stringof(lower_t *lx, const dl_node_t *n)
{
	val_t v = lower_expr(lx, n->lhs);
	uint32_t size = lx->cx->strsize;

	if (n->lhs->type->kind == TY_STRING)
		return v;
	ir_ref_t dst = scratch_alloc(lx, n, size);
	ir_ref_t a[3] = { dst, con(lx, size), v.v };
	ir_ref_t r = call(lx, 115, 3, a);	/* probe_read_kernel_str */
	fault_if_val(lx, bin(lx, IR_CSLT, unop(lx, IR_SEXT32, r), con(lx, 0)),
		     DL_FLT_BADADDR, v.v);
	return (val_t){ dst, size };
}

static val_t lower_unary(lower_t *lx, const dl_node_t *n)
{
	if (n->op == '*')
		return mem_read(lx, n);
	if (n->op == '&')	/* &*p, &`sym are p; &s.m, &p->m addresses */
		return (val_t){ n->lhs->kind == ND_UNARY && !var_elem(n->lhs) ?
				lower_expr(lx, n->lhs->lhs).v :
				mem_addr(lx, n->lhs) };
	ir_ref_t a = lower_expr(lx, n->lhs).v;

	switch (n->op) {
	case '!':
		return (val_t){ bin(lx, IR_CEQ, a, con(lx, 0)) };
	case '-':
		return (val_t){ norm(lx, unop(lx, IR_NEG, a), n->type) };
	case '~':
		return (val_t){ norm(lx, bin(lx, IR_XOR, a, con(lx, -1)),
				     n->type) };
	default:	/* '+' */
		return (val_t){ norm(lx, a, n->type) };
	}
}

/* ---- subroutines: one function each, by dl_func_t (sema left it in
   the call's ival) ------------------------------------------------------ */

/* copyinstr(addr[, maxlen]): the user string at addr, into scratch; a
   bad address is DTrace's invalid address fault. */
static val_t subr_copyinstr(lower_t *lx, const dl_node_t *n)
{
	uint32_t size = lx->cx->strsize;
	ir_ref_t addr = lower_expr(lx, n->args).v;

	not_other_task(lx, n->loc, "copyinstr( )");
	if (n->args->next != NULL && n->args->next->ival >= 0 &&
	    (uint64_t)n->args->next->ival + 1 < size)
		size = (uint32_t)n->args->next->ival + 1;
	ir_ref_t dst = scratch_alloc(lx, n, size);
	ir_ref_t a[3] = { dst, con(lx, size), addr };
	ir_ref_t r = call(lx, 114, 3, a);	/* probe_read_user_str */
	fault_if_val(lx, bin(lx, IR_CSLT, unop(lx, IR_SEXT32, r), con(lx, 0)),
		     DL_FLT_BADADDR, addr);
	return (val_t){ dst, size };
}

/* The length of s: copying it tells (probe_read_kernel_str returns the
   bytes copied, NUL included). */
static ir_ref_t str_len(lower_t *lx, const dl_node_t *n, val_t s,
			ir_ref_t dst, uint32_t size)
{
	ir_ref_t a[3] = { dst, con(lx, size), s.v };
	ir_ref_t r = unop(lx, IR_SEXT32, call(lx, 115, 3, a));
	ir_ref_t len = bin(lx, IR_SUB, r, con(lx, 1));

	/* 0 .. size - 1, where the verifier can see it */
	set_if(lx, bin(lx, IR_CSLT, len, con(lx, 0)), len, con(lx, 0));
	set_if(lx, bin(lx, IR_CSGT, len, con(lx, size - 1)), len,
	       con(lx, size - 1));
	return len;
}

static val_t subr_strlen(lower_t *lx, const dl_node_t *n)
{
	val_t s = lower_expr(lx, n->args);
	uint32_t size = s.size < lx->cx->strsize ? s.size : lx->cx->strsize;

	return (val_t){ str_len(lx, n, s, scratch_alloc(lx, n, size), size) };
}

/* strjoin(a, b): a, then as much of b as fits in strsize.  The buffer is
   twice that, so the verifier can see the second copy in bounds. */
static val_t subr_strjoin(lower_t *lx, const dl_node_t *n)
{
	uint32_t size = lx->cx->strsize;
	val_t a = lower_expr(lx, n->args), b = lower_expr(lx, n->args->next);
	ir_ref_t dst = scratch_alloc(lx, n, 2 * size);
	ir_ref_t la = str_len(lx, n, a, dst, size);
	ir_ref_t ba[3] = { bin(lx, IR_ADD, dst, la),
			   bin(lx, IR_SUB, con(lx, size), la), b.v };

	call(lx, 115, 3, ba);			/* probe_read_kernel_str */
	return (val_t){ dst, size };
}

/* speculation(): a free id from DL_MAP_SPECQ, or 0 (counted as a failed
   speculation) when every one is in use. */
static val_t subr_speculation(lower_t *lx, const dl_node_t *n)
{
	int32_t slot = stack_alloc(lx, 8);
	ir_ref_t res = ir_tmp(lx->fn);
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_SPECQ),
			  bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot)) };
	ir_ref_t rc = call(lx, 88, 2, a);	/* map_pop_elem */
	ir_blk_t *got = new_blk(lx), *none = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, rc, none, got);
	ir_emit(lx->fn, got, IR_COPY, res,
		ir_load(lx->fn, got, 4, ir_reg(IR_FP), slot), IR_NONE);
	ir_jmp(got, join);
	lx->b = none;
	ir_emit(lx->fn, lx->b, IR_COPY, res, con(lx, 0), IR_NONE);
	count_drop(lx, DL_DROP_SPECUNAVAIL, join);
	lx->b = join;
	return (val_t){ res };
}

/*
 * Loops the verifier can follow.  A loop runs at most a constant number of
 * times, counted in a register the verifier follows iteration by
 * iteration (so a loop costs its bound times its body in verified
 * instructions: bounds here are strsize or less).  Whatever else a loop
 * carries from one iteration to the next, or hands to the code after it,
 * lives in 8-byte scratch cells: the verifier does not track map
 * contents, so the paths through an iteration end in the same state and
 * are verified once, and the code after a loop once rather than once per
 * iteration it may leave at.  Inside a loop, comparisons that are values
 * are computed without branches (a_eq(), a_lt(), sel()): a branch whose
 * both sides the verifier must see stays on its stack of pending states
 * for the rest of the path, and a loop would pile them up.  For the same reason values a loop compares
 * are loaded from their cells where they are used, and offsets into
 * buffers are bounded with a mask (buffers are sized for it).
 */
typedef struct sloop {
	ir_ref_t i;		/* the counter, 0 .. n - 1 */
	ir_blk_t *head, *done;
	int32_t mark;		/* a scratch cell exits write */
} sloop_t;

static sloop_t sloop_begin(lower_t *lx, const dl_node_t *nd, int64_t n)
{
	sloop_t l = { ir_tmp(lx->fn), new_blk(lx), new_blk(lx),
		      (int32_t)scratch_reserve(lx, nd, 8) };
	ir_blk_t *body = new_blk(lx);

	ir_emit(lx->fn, lx->b, IR_COPY, l.i, con(lx, 0), IR_NONE);
	ir_jmp(lx->b, l.head);
	ir_jnz(l.head, ir_bin(lx->fn, l.head, IR_CULT, l.i, con(lx, n)), body,
	       l.done);
	lx->b = body;
	return l;
}

/* Leave the loop when a cmp b.  The exit is laid out as the fall-through
   (a block of its own, made first, that a store keeps from being jumped
   over), which the verifier follows first: the iteration after it waits on
   the verifier's stack of pending branches alone, where a loop that went
   on first would leave one exit per iteration there (it holds 8192). */
static void sloop_exit_if(lower_t *lx, sloop_t *l, ir_op_t cmp, ir_ref_t a,
			  ir_ref_t b)
{
	ir_blk_t *out = new_blk(lx), *go = new_blk(lx);

	ir_jnz(lx->b, bin(lx, ir_cmp_negate(cmp), a, b), go, out);
	ir_store(lx->fn, out, 8, lx->scratch, l->mark, l->i);
	ir_jmp(out, l->done);
	lx->b = go;
}

static void sloop_exit_nz(lower_t *lx, sloop_t *l, ir_ref_t v)
{
	sloop_exit_if(lx, l, IR_CNE, v, con(lx, 0));
}

/* The end of the body: the next iteration; code goes on after the loop. */
static void sloop_end(lower_t *lx, sloop_t *l)
{
	ir_emit(lx->fn, lx->b, IR_ADD, l->i, l->i, con(lx, 1));
	ir_jmp(lx->b, l->head);
	lx->b = l->done;
}

static int32_t scell(lower_t *lx, const dl_node_t *n, ir_ref_t init)
{
	int32_t off = (int32_t)scratch_reserve(lx, n, 8);

	ir_store(lx->fn, lx->b, 8, lx->scratch, off, init);
	return off;
}

static ir_ref_t scell_get(lower_t *lx, int32_t c)
{
	return ir_load(lx->fn, lx->b, 8, lx->scratch, c);
}

static void scell_set(lower_t *lx, int32_t c, ir_ref_t v)
{
	ir_store(lx->fn, lx->b, 8, lx->scratch, c, v);
}

static uint32_t pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* v & (pow2(size) - 1): an offset the verifier sees below pow2(size). */
static ir_ref_t bound(lower_t *lx, ir_ref_t v, uint32_t size)
{
	return bin(lx, IR_AND, v, con(lx, pow2(size) - 1));
}

/* Comparisons as 0 or 1 without a branch. */
static ir_ref_t a_nz(lower_t *lx, ir_ref_t x)
{
	return bin(lx, IR_SHR, bin(lx, IR_OR, x, unop(lx, IR_NEG, x)),
		   con(lx, 63));
}

static ir_ref_t a_not(lower_t *lx, ir_ref_t c)
{
	return bin(lx, IR_XOR, c, con(lx, 1));
}

static ir_ref_t a_eq(lower_t *lx, ir_ref_t a, ir_ref_t b)
{
	return a_not(lx, a_nz(lx, bin(lx, IR_XOR, a, b)));
}

/* a < b, signed, for values far from the ends of the range (positions,
   lengths, 32-bit arguments) */
static ir_ref_t a_lt(lower_t *lx, ir_ref_t a, ir_ref_t b)
{
	return bin(lx, IR_SHR, bin(lx, IR_SUB, a, b), con(lx, 63));
}

/* c ? a : b without a branch (c is 0 or 1). */
static ir_ref_t sel(lower_t *lx, ir_ref_t c, ir_ref_t a, ir_ref_t b)
{
	ir_ref_t m = unop(lx, IR_NEG, c);

	return bin(lx, IR_XOR, b, bin(lx, IR_AND, bin(lx, IR_XOR, a, b), m));
}

static ir_ref_t smin(lower_t *lx, ir_ref_t a, ir_ref_t b)
{
	return sel(lx, a_lt(lx, a, b), a, b);
}

static ir_ref_t smax(lower_t *lx, ir_ref_t a, ir_ref_t b)
{
	return sel(lx, a_lt(lx, b, a), a, b);
}

/* The bytes a string subroutine reads of its argument s. */
static uint32_t str_size(lower_t *lx, val_t s)
{
	return s.size < lx->cx->strsize ? s.size : lx->cx->strsize;
}

/*
 * s copied into a fresh scratch buffer of pow2(size) + extra bytes (so
 * that bounded offsets and a little lookahead stay inside it), and its
 * length into a new cell.
 */
static ir_ref_t str_in(lower_t *lx, const dl_node_t *n, val_t s,
		       uint32_t size, uint32_t extra, int32_t *clen)
{
	ir_ref_t buf = scratch_alloc(lx, n, pow2(size) + extra);
	ir_ref_t a[3] = { buf, con(lx, size), s.v };
	ir_ref_t r = unop(lx, IR_SEXT32, call(lx, 115, 3, a));

	/* r >= 1: the source is always readable (ours) */
	*clen = scell(lx, n, smax(lx, bin(lx, IR_SUB, r, con(lx, 1)),
				  con(lx, 0)));
	return buf;
}

/* dst = the string at buf + the offset in cell cpos, "" if that is -1
   (DTrace's NULL). */
static void str_from(lower_t *lx, ir_ref_t dst, uint32_t size, ir_ref_t buf,
		     uint32_t bufsize, int32_t cpos)
{
	ir_ref_t p = scell_get(lx, cpos);
	ir_blk_t *copy = new_blk(lx), *none = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, bin(lx, IR_CSLT, p, con(lx, 0)), none, copy);
	ir_store(lx->fn, none, 1, dst, 0, con(lx, 0));
	ir_jmp(none, join);
	lx->b = copy;
	ir_ref_t a[3] = { dst, con(lx, size),
			  bin(lx, IR_ADD, buf, bound(lx, p, bufsize)) };
	call(lx, 115, 3, a);			/* probe_read_kernel_str */
	ir_jmp(lx->b, join);
	lx->b = join;
}

/* toupper(s), tolower(s): a copy, then the letters flipped in place. */
static val_t subr_case(lower_t *lx, const dl_node_t *n, bool upper)
{
	val_t s = lower_expr(lx, n->args);
	uint32_t size = str_size(lx, s);
	ir_ref_t dst = scratch_alloc(lx, n, size);

	str_copy(lx, dst, size, s);
	sloop_t l = sloop_begin(lx, n, size);
	ir_ref_t p = bin(lx, IR_ADD, dst, l.i);
	ir_ref_t c = ir_load(lx->fn, lx->b, 1, p, 0);
	sloop_exit_if(lx, &l, IR_CEQ, c, con(lx, 0));
	ir_ref_t off = bin(lx, IR_SUB, c, con(lx, upper ? 'a' : 'A'));
	ir_ref_t letter = bin(lx, IR_AND, a_lt(lx, off, con(lx, 26)),
			      a_not(lx, a_lt(lx, off, con(lx, 0))));
	ir_store(lx->fn, lx->b, 1, p, 0, bin(lx, IR_XOR, c,
		 bin(lx, IR_SHL, letter, con(lx, 5))));
	sloop_end(lx, &l);
	return (val_t){ dst, size };
}

static val_t subr_toupper(lower_t *lx, const dl_node_t *n)
{
	return subr_case(lx, n, true);
}

static val_t subr_tolower(lower_t *lx, const dl_node_t *n)
{
	return subr_case(lx, n, false);
}

/*
 * __psargs(task): the command line of task's process, its arguments
 * separated by spaces, at most strsize - 1 bytes (psinfo_t's pr_psargs).
 * The arguments are in the process's memory between mm->arg_start and
 * mm->arg_end, NUL-terminated each: read as user memory, which is the
 * current process's, so another task's (or a kernel thread's, or one
 * whose pages are not there) reads as "".
 */
static val_t subr_psargs(lower_t *lx, const dl_node_t *n)
{
	uint32_t size = lx->cx->strsize, toff, soff, eoff;
	ir_ref_t task = lower_expr(lx, n->args).v;
	const dl_type_t *ts = dl_btf_struct(lx->cx, n->loc, "task_struct",
					    false);
	const dl_type_t *ms = dl_btf_struct(lx->cx, n->loc, "mm_struct",
					    false);

	if (dl_btf_member(lx->cx, n->loc, ts, "mm", &toff) == NULL ||
	    dl_btf_member(lx->cx, n->loc, ms, "arg_start", &soff) == NULL ||
	    dl_btf_member(lx->cx, n->loc, ms, "arg_end", &eoff) == NULL)
		dl_error(lx->cx, n->loc, D_UNSUPPORTED, "__psargs( ): this "
			 "kernel's task_struct or mm_struct lacks mm, "
			 "arg_start or arg_end");
	ir_ref_t dst = scratch_alloc(lx, n, pow2(size) + 1);
	int32_t clen = scell(lx, n, con(lx, 0));
	ir_blk_t *rd = new_blk(lx), *mmok = new_blk(lx), *done = new_blk(lx);

	ir_store(lx->fn, lx->b, 1, dst, 0, con(lx, 0));
	ir_jnz(lx->b, bin(lx, IR_CEQ, task, call(lx, 35, 0, NULL)), rd, done);
	lx->b = rd;			/* get_current_task: ours */
	ir_ref_t mm = kread(lx, bin(lx, IR_ADD, task, con(lx, toff)), 8);
	ir_jnz(lx->b, mm, mmok, done);
	lx->b = mmok;
	ir_ref_t start = kread(lx, bin(lx, IR_ADD, mm, con(lx, soff)), 8);
	ir_ref_t end = kread(lx, bin(lx, IR_ADD, mm, con(lx, eoff)), 8);
	ir_ref_t len = smax(lx, smin(lx, bin(lx, IR_SUB, end, start),
				     con(lx, size - 1)), con(lx, 0));
	len = bound(lx, len, size);
	ir_ref_t a[3] = { dst, len, start };
	ir_ref_t r = call(lx, 112, 3, a);	/* probe_read_user */
	scell_set(lx, clen, sel(lx, a_eq(lx, r, con(lx, 0)), len, con(lx, 0)));
	sloop_t l = sloop_begin(lx, n, size);
	sloop_exit_if(lx, &l, IR_CSGE, l.i, scell_get(lx, clen));
	ir_ref_t p = bin(lx, IR_ADD, dst, bound(lx, l.i, size));
	ir_ref_t c = ir_load(lx->fn, lx->b, 1, p, 0);
	ir_store(lx->fn, lx->b, 1, p, 0, bin(lx, IR_OR, c,
		 bin(lx, IR_SHL, a_eq(lx, c, con(lx, 0)), con(lx, 5))));
	sloop_end(lx, &l);
	/* the last argument's NUL (now a space) ends the string */
	ir_ref_t k = scell_get(lx, clen);
	ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, dst, bound(lx, k, size)), 0,
		 con(lx, 0));
	ir_ref_t lp = bin(lx, IR_ADD, dst, bound(lx, bin(lx, IR_SUB, k,
						   con(lx, 1)), size));
	ir_ref_t last = ir_load(lx->fn, lx->b, 1, lp, 0);
	ir_store(lx->fn, lx->b, 1, lp, 0, sel(lx, a_eq(lx, last, con(lx, ' ')),
					      con(lx, 0), last));
	ir_jmp(lx->b, done);
	lx->b = done;
	return (val_t){ dst, size };
}

/* strchr(s, c), strrchr(s, c): s from the first (last) c on, NULL if
   there is none; c may be the terminating NUL. */
static val_t subr_strchr_dir(lower_t *lx, const dl_node_t *n, bool last)
{
	val_t s = lower_expr(lx, n->args);
	ir_ref_t ch = unop(lx, IR_ZEXT8, lower_expr(lx, n->args->next).v);
	uint32_t size = str_size(lx, s);
	int32_t clen, cch = scell(lx, n, ch), cpos = scell(lx, n, con(lx, -1));
	ir_ref_t buf = str_in(lx, n, s, size, 0, &clen);
	ir_ref_t dst = scratch_alloc(lx, n, size);

	sloop_t l = sloop_begin(lx, n, size);
	ir_ref_t c = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, buf, l.i), 0);
	ir_ref_t hit = a_eq(lx, c, scell_get(lx, cch));
	scell_set(lx, cpos, sel(lx, hit, l.i, scell_get(lx, cpos)));
	if (!last)
		sloop_exit_nz(lx, &l, hit);
	sloop_exit_if(lx, &l, IR_CEQ, c, con(lx, 0));
	sloop_end(lx, &l);
	str_from(lx, dst, size, buf, size, cpos);
	return (val_t){ dst, size };
}

static val_t subr_strchr(lower_t *lx, const dl_node_t *n)
{
	return subr_strchr_dir(lx, n, false);
}

static val_t subr_strrchr(lower_t *lx, const dl_node_t *n)
{
	return subr_strchr_dir(lx, n, true);
}

/*
 * substr(s, index[, count]), DTrace's way (Perl's): a negative index
 * counts from the end, a negative count leaves that many characters off
 * the end; without a count, the rest of s.  Computed without branches,
 * then one bounded copy.
 */
static val_t subr_substr(lower_t *lx, const dl_node_t *n)
{
	const dl_types_t *t = &lx->cx->types;
	const dl_node_t *a = n->args;
	val_t s = lower_expr(lx, a);
	ir_ref_t idx = norm(lx, lower_expr(lx, a->next).v, &t->t_int);
	ir_ref_t rem = a->next->next == NULL ?
		con(lx, lx->cx->strsize) :
		norm(lx, lower_expr(lx, a->next->next).v, &t->t_int);
	uint32_t size = str_size(lx, s), strsize = lx->cx->strsize;
	int32_t clen;
	ir_ref_t buf = str_in(lx, n, s, size, 0, &clen);
	ir_ref_t dst = scratch_alloc(lx, n, pow2(size));
	ir_ref_t len = scell_get(lx, clen);

	/* a negative index counts from the end; one still before the start
	   shortens the count instead */
	ir_ref_t neg = bin(lx, IR_CSLT, idx, con(lx, 0));
	idx = bin(lx, IR_ADD, idx, sel(lx, neg, len, con(lx, 0)));
	ir_ref_t before = bin(lx, IR_AND, neg, bin(lx, IR_AND,
		bin(lx, IR_CSLT, idx, con(lx, 0)),
		bin(lx, IR_CSGT, bin(lx, IR_ADD, idx, rem), con(lx, 0))));
	rem = sel(lx, before, bin(lx, IR_ADD, rem, idx), rem);
	idx = sel(lx, before, con(lx, 0), idx);
	ir_ref_t out = bin(lx, IR_OR, bin(lx, IR_CSGE, idx, len),
			   bin(lx, IR_CSLT, idx, con(lx, 0)));
	ir_ref_t negc = bin(lx, IR_CSLT, rem, con(lx, 0));
	ir_ref_t big = bin(lx, IR_CSGT, bin(lx, IR_ADD, idx, rem),
			   con(lx, strsize));
	ir_ref_t r = sel(lx, big, bin(lx, IR_SUB, con(lx, strsize), idx), rem);
	r = sel(lx, negc, bin(lx, IR_ADD, rem, bin(lx, IR_SUB, len, idx)), r);
	r = sel(lx, out, con(lx, 0), r);
	r = smin(lx, smax(lx, r, con(lx, 0)), con(lx, size - 1));
	ir_ref_t ca[3] = { dst, bin(lx, IR_ADD, bound(lx, r, size), con(lx, 1)),
			   bin(lx, IR_ADD, buf, bound(lx, idx, size)) };
	call(lx, 115, 3, ca);			/* probe_read_kernel_str */
	return (val_t){ dst, size };
}

/*
 * The search of index(), rindex() and strstr(): the first position at or
 * after the start in cell cst (backwards: the last at or before it) at
 * which sub occurs in buf, into cell cres (-1: none).  A constant sub is
 * compared with the bpf_strncmp helper, one call per position.  One known
 * only at run time is found by Knuth-Morris-Pratt, one step per
 * iteration of a single loop (at most 2 * strsize of them, where a
 * position-by-position comparison would cost the verifier strsize
 * squared); backwards, every occurrence is found and the last one before
 * the start kept.
 */
typedef struct needle {
	const dl_node_t *lit;	/* a string constant, or NULL */
	val_t litv;		/* its address in the string table */
	ir_ref_t buf;		/* else: a copy, pow2(size) bytes ... */
	ir_ref_t fail;		/* ... and its KMP table, u16 by position */
	uint32_t size;
	int32_t clen;		/* its length */
} needle_t;

/* fail[x - 1] */
static ir_ref_t kmp_fail(lower_t *lx, const needle_t *nd, ir_ref_t x)
{
	ir_ref_t at = bound(lx, bin(lx, IR_SUB, x, con(lx, 1)), nd->size);

	return ir_load(lx->fn, lx->b, 2, bin(lx, IR_ADD, nd->fail,
			bin(lx, IR_SHL, at, con(lx, 1))), 0);
}

/* fail[q]: the length of the longest proper prefix of sub[0..q] that is
   also a suffix of it. */
static void kmp_table(lower_t *lx, const dl_node_t *n, needle_t *nd)
{
	int32_t cq = scell(lx, n, con(lx, 1)), ck = scell(lx, n, con(lx, 0));

	nd->fail = scratch_alloc(lx, n, 2 * pow2(nd->size));
	ir_store(lx->fn, lx->b, 2, nd->fail, 0, con(lx, 0));
	sloop_t l = sloop_begin(lx, n, 2 * (int64_t)nd->size);
	ir_ref_t q = scell_get(lx, cq), k = scell_get(lx, ck);
	sloop_exit_if(lx, &l, IR_CSGE, q, scell_get(lx, nd->clen));
	ir_ref_t a = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, nd->buf,
					bound(lx, q, nd->size)), 0);
	ir_ref_t b = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, nd->buf,
					bound(lx, k, nd->size)), 0);
	ir_ref_t eq = a_eq(lx, a, b), k0 = a_eq(lx, k, con(lx, 0));
	ir_ref_t k1 = bin(lx, IR_ADD, k, con(lx, 1));
	/* fail[q] is final when q moves on; a value written while it does
	   not is rewritten before anything reads it */
	ir_store(lx->fn, lx->b, 2, bin(lx, IR_ADD, nd->fail, bin(lx, IR_SHL,
		 bound(lx, q, nd->size), con(lx, 1))), 0,
		 sel(lx, eq, k1, con(lx, 0)));
	scell_set(lx, ck, sel(lx, eq, k1, sel(lx, k0, k, kmp_fail(lx, nd, k))));
	scell_set(lx, cq, bin(lx, IR_ADD, q, bin(lx, IR_OR, eq, k0)));
	sloop_end(lx, &l);
}

static needle_t needle_of(lower_t *lx, const dl_node_t *n,
			  const dl_node_t *sub, val_t v)
{
	needle_t nd = { 0 };

	if (sub->kind == ND_STR) {
		nd.lit = sub;
		nd.litv = v;
		nd.clen = scell(lx, n, con(lx, (int64_t)sub->slen));
		return nd;
	}
	nd.size = str_size(lx, v);
	nd.buf = str_in(lx, n, v, nd.size, 0, &nd.clen);
	kmp_table(lx, n, &nd);
	return nd;
}

/* The bytes after a haystack's pow2(size) the search may read. */
static uint32_t needle_extra(const needle_t *nd)
{
	return nd->lit != NULL ? (uint32_t)nd->lit->slen + 8 : 0;
}

static void kmp_search(lower_t *lx, const dl_node_t *n, ir_ref_t buf,
		       uint32_t size, int32_t clen, const needle_t *nd,
		       int32_t cst, int32_t cres, bool back)
{
	ir_blk_t *empty = new_blk(lx), *search = new_blk(lx),
		 *out = new_blk(lx);

	ir_jnz(lx->b, scell_get(lx, nd->clen), search, empty);
	lx->b = empty;		/* "" is found at the start */
	scell_set(lx, cres, scell_get(lx, cst));
	ir_jmp(lx->b, out);
	lx->b = search;
	int32_t ci = scell(lx, n, back ? con(lx, 0) : scell_get(lx, cst));
	int32_t cj = scell(lx, n, con(lx, 0));
	sloop_t l = sloop_begin(lx, n, 2 * (int64_t)size + 2);
	ir_ref_t i = scell_get(lx, ci), j = scell_get(lx, cj);
	ir_ref_t m = scell_get(lx, nd->clen);
	ir_ref_t found = a_eq(lx, j, m), pos = bin(lx, IR_SUB, i, m);
	if (back) {	/* keep the last match at or before the start */
		sloop_exit_nz(lx, &l, bin(lx, IR_AND, found,
				a_lt(lx, scell_get(lx, cst), pos)));
		scell_set(lx, cres, sel(lx, found, pos, scell_get(lx, cres)));
		j = sel(lx, found, kmp_fail(lx, nd, m), j);
	} else {
		scell_set(lx, cres, sel(lx, found, pos, con(lx, -1)));
		sloop_exit_nz(lx, &l, found);
	}
	sloop_exit_if(lx, &l, IR_CSGE, i, scell_get(lx, clen));
	ir_ref_t h = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, buf,
					bound(lx, i, size)), 0);
	ir_ref_t c = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, nd->buf,
					bound(lx, j, nd->size)), 0);
	ir_ref_t eq = a_eq(lx, h, c), j0 = a_eq(lx, j, con(lx, 0));
	/* a byte matched: both on; else back along fail[], or on in s */
	scell_set(lx, cj, sel(lx, eq, bin(lx, IR_ADD, j, con(lx, 1)),
			      sel(lx, j0, j, kmp_fail(lx, nd, j))));
	scell_set(lx, ci, bin(lx, IR_ADD, i, bin(lx, IR_OR, eq, j0)));
	sloop_end(lx, &l);
	ir_jmp(lx->b, out);
	lx->b = out;
}

/* A constant sub at each position: the bpf_strncmp helper. */
static void lit_search(lower_t *lx, const dl_node_t *n, ir_ref_t buf,
		       uint32_t size, int32_t clen, const needle_t *nd,
		       int32_t cst, int32_t cres, bool back)
{
	sloop_t l = sloop_begin(lx, n, size);
	ir_ref_t at = bin(lx, back ? IR_SUB : IR_ADD, scell_get(lx, cst), l.i);
	ir_ref_t over = a_lt(lx, scell_get(lx, clen), bin(lx, IR_ADD, at,
					scell_get(lx, nd->clen)));
	ir_ref_t hit;

	if (back)
		sloop_exit_if(lx, &l, IR_CSLT, at, con(lx, 0));
	else
		sloop_exit_nz(lx, &l, over);
	if (nd->lit->slen == 0) {
		hit = con(lx, 1);
	} else {	/* past the end it compares bytes of the buffer */
		ir_ref_t a[3] = { bin(lx, IR_ADD, buf, bound(lx, at, size)),
				  con(lx, (int64_t)nd->lit->slen),
				  nd->litv.v };
		ir_ref_t r = unop(lx, IR_SEXT32, call(lx, 182, 3, a));
		hit = a_eq(lx, r, con(lx, 0));		/* strncmp */
	}
	hit = bin(lx, IR_AND, hit, a_not(lx, over));
	at = bin(lx, back ? IR_SUB : IR_ADD, scell_get(lx, cst), l.i);
	scell_set(lx, cres, sel(lx, hit, at, scell_get(lx, cres)));
	sloop_exit_nz(lx, &l, hit);
	sloop_end(lx, &l);
}

static void str_search(lower_t *lx, const dl_node_t *n, ir_ref_t buf,
		       uint32_t size, int32_t clen, const needle_t *nd,
		       int32_t cst, int32_t cres, bool back)
{
	if (nd->lit != NULL)
		lit_search(lx, n, buf, size, clen, nd, cst, cres, back);
	else
		kmp_search(lx, n, buf, size, clen, nd, cst, cres, back);
}

/* index(s, sub[, start]), rindex(s, sub[, start]): Perl's semantics as
   DTrace has them (the start clamped to the string; a negative one finds
   nothing backwards, except an empty sub at 0). */
static val_t subr_index_dir(lower_t *lx, const dl_node_t *n, bool back)
{
	const dl_node_t *a = n->args, *sub = a->next;
	val_t s = lower_expr(lx, a), sv = lower_expr(lx, sub);
	ir_ref_t start = sub->next == NULL ? IR_NONE :
		norm(lx, lower_expr(lx, sub->next).v, &lx->cx->types.t_int);
	uint32_t size = str_size(lx, s);
	needle_t nd = needle_of(lx, n, sub, sv);
	int32_t clen;
	ir_ref_t buf = str_in(lx, n, s, size, needle_extra(&nd), &clen);
	ir_ref_t len = scell_get(lx, clen), st;

	if (!back) {
		st = ir_is_none(start) ? con(lx, 0) :
		     smin(lx, smax(lx, start, con(lx, 0)), len);
	} else if (ir_is_none(start)) {
		st = len;
	} else {
		ir_ref_t empty = bin(lx, IR_CEQ, scell_get(lx, nd.clen),
				     con(lx, 0));
		st = sel(lx, bin(lx, IR_CSLT, start, con(lx, 0)),
			 bin(lx, IR_SUB, empty, con(lx, 1)),
			 smin(lx, start, len));
	}
	int32_t cst = scell(lx, n, st), cres = scell(lx, n, con(lx, -1));
	str_search(lx, n, buf, size, clen, &nd, cst, cres, back);
	return (val_t){ scell_get(lx, cres) };
}

static val_t subr_index(lower_t *lx, const dl_node_t *n)
{
	return subr_index_dir(lx, n, false);
}

static val_t subr_rindex(lower_t *lx, const dl_node_t *n)
{
	return subr_index_dir(lx, n, true);
}

/* strstr(s, sub): s from the first sub on, NULL if none. */
static val_t subr_strstr(lower_t *lx, const dl_node_t *n)
{
	const dl_node_t *sub = n->args->next;
	val_t s = lower_expr(lx, n->args), sv = lower_expr(lx, sub);
	uint32_t size = str_size(lx, s);
	needle_t nd = needle_of(lx, n, sub, sv);
	int32_t clen;
	ir_ref_t buf = str_in(lx, n, s, size, needle_extra(&nd), &clen);
	ir_ref_t dst = scratch_alloc(lx, n, size);
	int32_t cst = scell(lx, n, con(lx, 0)), cres = scell(lx, n,
							     con(lx, -1));

	str_search(lx, n, buf, size, clen, &nd, cst, cres, false);
	str_from(lx, dst, size, buf, size, cres);
	return (val_t){ dst, size };
}

/* Whether byte c is in the 256-bit set at bits. */
static ir_ref_t in_set(lower_t *lx, ir_ref_t bits, ir_ref_t c)
{
	ir_ref_t byte = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, bits,
				bin(lx, IR_SHR, c, con(lx, 3))), 0);

	return bin(lx, IR_AND, bin(lx, IR_SHR, byte, bin(lx, IR_AND, c,
							  con(lx, 7))),
		   con(lx, 1));
}

/* The bytes of the string s as a 256-bit set at a new scratch buffer. */
static ir_ref_t byte_set(lower_t *lx, const dl_node_t *n, val_t s)
{
	uint32_t size = str_size(lx, s);
	int32_t clen;
	ir_ref_t buf = str_in(lx, n, s, size, 0, &clen);
	ir_ref_t bits = scratch_alloc(lx, n, 32);

	for (int32_t w = 0; w < 32; w += 8)
		ir_store(lx->fn, lx->b, 8, bits, w, con(lx, 0));
	sloop_t l = sloop_begin(lx, n, size);
	ir_ref_t c = ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, buf, l.i), 0);
	sloop_exit_if(lx, &l, IR_CEQ, c, con(lx, 0));
	ir_ref_t p = bin(lx, IR_ADD, bits, bin(lx, IR_SHR, c, con(lx, 3)));
	ir_store(lx->fn, lx->b, 1, p, 0, bin(lx, IR_OR,
		 ir_load(lx->fn, lx->b, 1, p, 0),
		 bin(lx, IR_SHL, con(lx, 1), bin(lx, IR_AND, c, con(lx, 7)))));
	sloop_end(lx, &l);
	return bits;
}

/* Scan buf from the position in cell cpos (forwards or backwards) to the
   first byte for which stop(byte) holds; its position into cpos, -1 if
   the scan leaves the string.  stop: a '/' (slash), not a '/' (!slash),
   or (bits != NONE) NUL or a byte of the set bits, or (inv) NUL or a byte
   not in it. */
typedef struct scan {
	bool back, slash, inv;
	ir_ref_t bits;
} scan_t;

static void str_scan(lower_t *lx, const dl_node_t *n, ir_ref_t buf,
		     uint32_t size, int32_t cpos, scan_t how)
{
	int32_t cs = scell(lx, n, scell_get(lx, cpos));

	scell_set(lx, cpos, con(lx, -1));
	sloop_t l = sloop_begin(lx, n, size);
	ir_ref_t at = bin(lx, how.back ? IR_SUB : IR_ADD, scell_get(lx, cs),
			  l.i);
	sloop_exit_if(lx, &l, IR_CSLT, at, con(lx, 0));
	ir_ref_t c = ir_load(lx->fn, lx->b, 1,
			     bin(lx, IR_ADD, buf, bound(lx, at, size)), 0);
	ir_ref_t stop;
	if (ir_is_none(how.bits)) {
		stop = a_eq(lx, c, con(lx, '/'));
		if (!how.slash)
			stop = a_not(lx, stop);
	} else {
		stop = in_set(lx, how.bits, c);
		if (how.inv)
			stop = a_not(lx, stop);
		stop = bin(lx, IR_OR, stop, a_eq(lx, c, con(lx, 0)));
	}
	scell_set(lx, cpos, sel(lx, stop, at, scell_get(lx, cpos)));
	sloop_exit_nz(lx, &l, stop);
	sloop_end(lx, &l);
}

/*
 * strtok(s, delim): the next token of s, DTrace's way: the string and the
 * position after the last token are kept per CPU (DL_MAP_STRTOK:
 * { u64 position + 1, or 0 for none; char string[strsize] }), and
 * strtok(NULL, delim) goes on from there with any delimiters; NULL when
 * no token is left, and strtok(NULL, ...) with no string is DTrace's
 * invalid address fault.
 */
static val_t subr_strtok(lower_t *lx, const dl_node_t *n)
{
	const dl_node_t *a = n->args;
	uint32_t size = lx->cx->strsize;
	val_t s = { IR_NONE, 0 };

	if (a->kind != ND_INT)
		s = lower_expr(lx, a);
	ir_ref_t bits = byte_set(lx, n, lower_expr(lx, a->next));
	ir_ref_t st = map_entry0(lx, DL_MAP_STRTOK);
	ir_ref_t str = bin(lx, IR_ADD, st, con(lx, 8));
	if (!ir_is_none(s.v)) {
		str_copy(lx, str, size, s);
		ir_store(lx->fn, lx->b, 8, st, 0, con(lx, 1));
	}
	ir_ref_t at = ir_load(lx->fn, lx->b, 8, st, 0);
	fault_if_val(lx, bin(lx, IR_CEQ, at, con(lx, 0)), DL_FLT_BADADDR,
		     con(lx, 0));
	int32_t clen, cpos = scell(lx, n, bin(lx, IR_SUB, at, con(lx, 1)));
	ir_ref_t buf = str_in(lx, n, (val_t){ str, size }, size, 0, &clen);
	ir_ref_t dst = scratch_alloc(lx, n, pow2(size));

	/* the token starts at the first byte not a delimiter ... */
	str_scan(lx, n, buf, size, cpos, (scan_t){ .bits = bits,
						   .inv = true });
	int32_t cstart = scell(lx, n, scell_get(lx, cpos));
	/* ... and ends at the next delimiter or the end */
	str_scan(lx, n, buf, size, cpos, (scan_t){ .bits = bits });
	ir_ref_t from = scell_get(lx, cstart), to = scell_get(lx, cpos);
	ir_ref_t empty = bin(lx, IR_CEQ, ir_load(lx->fn, lx->b, 1,
				bin(lx, IR_ADD, buf, bound(lx, from, size)), 0),
			     con(lx, 0));
	ir_ref_t ca[3] = { dst, bin(lx, IR_ADD, bound(lx, bin(lx, IR_SUB, to,
								from), size),
				    con(lx, 1)),
			   bin(lx, IR_ADD, buf, bound(lx, from, size)) };
	call(lx, 115, 3, ca);			/* probe_read_kernel_str */
	/* no token left: NULL, and no string for strtok(NULL, ...) */
	st = map_entry0(lx, DL_MAP_STRTOK);
	ir_store(lx->fn, lx->b, 8, st, 0,
		 sel(lx, empty, con(lx, 0), bin(lx, IR_ADD, to, con(lx, 1))));
	return (val_t){ dst, size };
}

/*
 * basename(s), dirname(s): DTrace's (and POSIX's) rules, from three
 * backward scans: the last byte of the base name (the last not a '/'),
 * the '/' before it, and the last byte of the directory before that.
 * "" gives "." for both, a string of slashes "/"; a name without a '/'
 * has the dirname ".".
 */
static val_t subr_pathpart(lower_t *lx, const dl_node_t *n, bool dir)
{
	val_t s = lower_expr(lx, n->args);
	uint32_t size = str_size(lx, s);
	int32_t clen;
	ir_ref_t buf = str_in(lx, n, s, size, 0, &clen);
	ir_ref_t dst = scratch_alloc(lx, n, pow2(size) + 8);
	int32_t cpos = scell(lx, n, bin(lx, IR_SUB, scell_get(lx, clen),
					con(lx, 1)));

	str_scan(lx, n, buf, size, cpos, (scan_t){ true, false, false,
						   IR_NONE });
	int32_t clast = scell(lx, n, scell_get(lx, cpos));
	str_scan(lx, n, buf, size, cpos, (scan_t){ true, true, false,
						   IR_NONE });
	int32_t cslash = scell(lx, n, scell_get(lx, cpos));
	str_scan(lx, n, buf, size, cpos, (scan_t){ true, false, false,
						   IR_NONE });
	ir_ref_t len = scell_get(lx, clen), last = scell_get(lx, clast);
	ir_ref_t slash = scell_get(lx, cslash), ldir = scell_get(lx, cpos);
	ir_ref_t noslash = bin(lx, IR_CSLT, slash, con(lx, 0));
	ir_ref_t from, to, special;

	if (dir) {
		from = con(lx, 0);
		to = smax(lx, ldir, con(lx, 0));
		special = sel(lx, noslash, con(lx, '.'), con(lx, 0));
	} else {
		from = bin(lx, IR_ADD, slash, con(lx, 1));
		to = last;
		special = con(lx, 0);
	}
	special = sel(lx, bin(lx, IR_CSLT, last, con(lx, 0)), con(lx, '/'),
		      special);
	special = sel(lx, bin(lx, IR_CEQ, len, con(lx, 0)), con(lx, '.'),
		      special);
	ir_ref_t ca[3] = { dst, bin(lx, IR_ADD, bound(lx, bin(lx, IR_SUB,
				to, from), size), con(lx, 2)),
			   bin(lx, IR_ADD, buf, bound(lx, from, size)) };
	call(lx, 115, 3, ca);			/* probe_read_kernel_str */
	ir_blk_t *sp = new_blk(lx), *join = new_blk(lx);
	ir_jnz(lx->b, special, sp, join);
	ir_store(lx->fn, sp, 1, dst, 0, special);
	ir_store(lx->fn, sp, 1, dst, 1, con(lx, 0));
	ir_jmp(sp, join);
	lx->b = join;
	return (val_t){ dst, size };
}

static val_t subr_basename(lower_t *lx, const dl_node_t *n)
{
	return subr_pathpart(lx, n, false);
}

static val_t subr_dirname(lower_t *lx, const dl_node_t *n)
{
	return subr_pathpart(lx, n, true);
}

/*
 * cleanpath(s): s with "//", "/./" and "name/.." removed, as Oracle's
 * DTrace has it (and Go's path.Clean): no trailing '/', ".." kept at the
 * start of a relative path and dropped at the root, "." for a path that
 * cleans to nothing ("" stays "").  One pass over s, each iteration
 * taking one byte, or the first of a name with the '/' it needs before
 * it, or a ".."; the case is computed without branches and the output
 * written ahead of its end and kept or not.  Where every name written
 * began is kept on a stack, so ".." goes back to it without a loop.
 */
typedef struct cpath {
	ir_ref_t in, out, stack;
	int32_t r, w, d, inelem, rooted;
	uint32_t size;
} cpath_t;

static ir_ref_t cp_in(lower_t *lx, const cpath_t *cp, ir_ref_t r, int k)
{
	ir_ref_t at = bin(lx, IR_ADD, r, con(lx, k));

	return ir_load(lx->fn, lx->b, 1, bin(lx, IR_ADD, cp->in,
					     bound(lx, at, cp->size)), 0);
}

static ir_ref_t cp_at(lower_t *lx, ir_ref_t base, ir_ref_t i, uint32_t size,
		      int scale)
{
	return bin(lx, IR_ADD, base, bin(lx, IR_SHL, bound(lx, i, size),
					 con(lx, scale)));
}

static ir_ref_t or3(lower_t *lx, ir_ref_t a, ir_ref_t b, ir_ref_t c)
{
	return bin(lx, IR_OR, bin(lx, IR_OR, a, b), c);
}

static ir_ref_t and3(lower_t *lx, ir_ref_t a, ir_ref_t b, ir_ref_t c)
{
	return bin(lx, IR_AND, bin(lx, IR_AND, a, b), c);
}

/* One step at in[r] = c, not NUL. */
static void cp_step(lower_t *lx, const cpath_t *cp, ir_ref_t c)
{
	ir_ref_t r = scell_get(lx, cp->r), w = scell_get(lx, cp->w);
	ir_ref_t d = scell_get(lx, cp->d), in = scell_get(lx, cp->inelem);
	ir_ref_t rooted = scell_get(lx, cp->rooted);
	ir_ref_t n1 = cp_in(lx, cp, r, 1), n2 = cp_in(lx, cp, r, 2);
	ir_ref_t slash = a_eq(lx, c, con(lx, '/')), out = a_not(lx, in);
	ir_ref_t dot = bin(lx, IR_AND, out, a_eq(lx, c, con(lx, '.')));
	ir_ref_t end1 = bin(lx, IR_OR, a_eq(lx, n1, con(lx, 0)),
			    a_eq(lx, n1, con(lx, '/')));
	ir_ref_t end2 = bin(lx, IR_OR, a_eq(lx, n2, con(lx, 0)),
			    a_eq(lx, n2, con(lx, '/')));
	/* the cases: a byte of a name, ".", "..", a name beginning */
	ir_ref_t byte = bin(lx, IR_AND, in, a_not(lx, slash));
	ir_ref_t d1 = bin(lx, IR_AND, dot, end1);
	ir_ref_t d2 = and3(lx, dot, a_eq(lx, n1, con(lx, '.')), end2);
	ir_ref_t name = bin(lx, IR_AND, bin(lx, IR_AND, out, a_not(lx, slash)),
			    a_not(lx, bin(lx, IR_OR, d1, d2)));
	ir_ref_t pop = bin(lx, IR_AND, d2, a_nz(lx, d));
	ir_ref_t keep = and3(lx, d2, a_not(lx, a_nz(lx, d)),
			     a_not(lx, rooted));
	ir_ref_t sepn = bin(lx, IR_AND, name, a_nz(lx, bin(lx, IR_XOR, w,
							      rooted)));
	ir_ref_t sepk = bin(lx, IR_AND, keep, a_nz(lx, w));
	/* what may be written at w, w + 1, w + 2, and how much of it counts */
	ir_ref_t x0 = sel(lx, keep, sel(lx, sepk, con(lx, '/'), con(lx, '.')),
			  sel(lx, sepn, con(lx, '/'), c));
	ir_ref_t x1 = sel(lx, name, c, con(lx, '.'));
	ir_ref_t adv = or3(lx, byte, bin(lx, IR_MUL, name,
					 bin(lx, IR_ADD, sepn, con(lx, 1))),
			   bin(lx, IR_MUL, keep, bin(lx, IR_ADD, sepk,
						      con(lx, 2))));
	ir_store(lx->fn, lx->b, 1, cp_at(lx, cp->out, w, cp->size, 0), 0, x0);
	ir_store(lx->fn, lx->b, 1, cp_at(lx, cp->out, bin(lx, IR_ADD, w,
			con(lx, 1)), cp->size, 0), 0, x1);
	ir_store(lx->fn, lx->b, 1, cp_at(lx, cp->out, bin(lx, IR_ADD, w,
			con(lx, 2)), cp->size, 0), 0, con(lx, '.'));
	/* the stack: push where a name begins, pop on ".." */
	ir_store(lx->fn, lx->b, 2, cp_at(lx, cp->stack, d, cp->size, 1), 0, w);
	ir_ref_t back = ir_load(lx->fn, lx->b, 2, cp_at(lx, cp->stack,
				bin(lx, IR_SUB, d, con(lx, 1)), cp->size, 1),
				0);
	scell_set(lx, cp->w, sel(lx, pop, back, bin(lx, IR_ADD, w, adv)));
	scell_set(lx, cp->d, bin(lx, IR_SUB, bin(lx, IR_ADD, d, name), pop));
	scell_set(lx, cp->inelem, bin(lx, IR_OR, byte, name));
	scell_set(lx, cp->r, bin(lx, IR_ADD, bin(lx, IR_ADD, r, con(lx, 1)),
				 d2));
}

static val_t subr_cleanpath(lower_t *lx, const dl_node_t *n)
{
	val_t s = lower_expr(lx, n->args);
	cpath_t cp = { .size = str_size(lx, s) };
	int32_t clen;

	cp.in = str_in(lx, n, s, cp.size, 8, &clen);
	cp.out = scratch_alloc(lx, n, pow2(cp.size) + 8);
	cp.stack = scratch_alloc(lx, n, 2 * pow2(cp.size));
	ir_ref_t rooted = bin(lx, IR_CEQ, ir_load(lx->fn, lx->b, 1, cp.in, 0),
			      con(lx, '/'));
	ir_store(lx->fn, lx->b, 1, cp.out, 0, con(lx, '/'));
	cp.rooted = scell(lx, n, rooted);
	cp.r = scell(lx, n, rooted);
	cp.w = scell(lx, n, rooted);
	cp.d = scell(lx, n, con(lx, 0));
	cp.inelem = scell(lx, n, con(lx, 0));

	sloop_t l = sloop_begin(lx, n, cp.size);
	ir_ref_t c = cp_in(lx, &cp, scell_get(lx, cp.r), 0);
	sloop_exit_if(lx, &l, IR_CEQ, c, con(lx, 0));
	cp_step(lx, &cp, c);
	sloop_end(lx, &l);
	/* nothing left of a non-empty path: "." */
	ir_ref_t w = scell_get(lx, cp.w);
	ir_ref_t dot = bin(lx, IR_AND, bin(lx, IR_CEQ, w, con(lx, 0)),
			   bin(lx, IR_CNE, scell_get(lx, clen), con(lx, 0)));
	ir_store(lx->fn, lx->b, 1, cp.out, 0, sel(lx, dot, con(lx, '.'),
		 ir_load(lx->fn, lx->b, 1, cp.out, 0)));
	ir_store(lx->fn, lx->b, 1, cp_at(lx, cp.out, bin(lx, IR_ADD, w, dot),
					 cp.size, 0), 0, con(lx, 0));
	return (val_t){ cp.out, cp.size };
}

/* lltostr(v[, base]): v in base 2..36 (else an illegal operation fault),
   digits past 9 in lower case; negative only in base 10, base 16 with
   "0x" and base 8 with "0" before the digits (0 is "0x0" in base 16). */
#define LLTOSTR_BUF 128	/* 64 binary digits, "0x", sign, NUL; a power of 2 */
static val_t subr_lltostr(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t v = lower_expr(lx, n->args).v;
	ir_ref_t base = n->args->next == NULL ? con(lx, 10) :
		norm(lx, lower_expr(lx, n->args->next).v, &lx->cx->types.t_int);
	uint32_t size = lx->cx->strsize < 72 ? lx->cx->strsize : 72;

	if (n->args->next != NULL)
		fault_if(lx, bin(lx, IR_OR, bin(lx, IR_CSLE, base, con(lx, 1)),
				 bin(lx, IR_CSGT, base, con(lx, 36))),
			 DL_FLT_ILLOP);
	ir_ref_t tmp = scratch_alloc(lx, n, LLTOSTR_BUF);
	ir_ref_t dst = scratch_alloc(lx, n, size);
	ir_ref_t b10 = bin(lx, IR_CEQ, base, con(lx, 10));
	ir_ref_t b16 = bin(lx, IR_CEQ, base, con(lx, 16));
	ir_ref_t neg = bin(lx, IR_AND, b10, bin(lx, IR_CSLT, v, con(lx, 0)));
	ir_ref_t zero = bin(lx, IR_CEQ, v, con(lx, 0));
	int32_t cval = scell(lx, n, sel(lx, neg, unop(lx, IR_NEG, v), v));
	int32_t cbase = scell(lx, n, base);
	int32_t cpos = scell(lx, n, con(lx, LLTOSTR_BUF - 1));

	ir_store(lx->fn, lx->b, 1, tmp, LLTOSTR_BUF - 1, con(lx, 0));
	sloop_t l = sloop_begin(lx, n, 64);
	ir_ref_t val = scell_get(lx, cval), bs = scell_get(lx, cbase);
	sloop_exit_if(lx, &l, IR_CEQ, val, con(lx, 0));
	ir_ref_t dig = bin(lx, IR_UREM, val, bs);
	ir_ref_t ch = bin(lx, IR_ADD, bin(lx, IR_ADD, dig, con(lx, '0')),
			  bin(lx, IR_MUL, a_lt(lx, con(lx, 9), dig),
			      con(lx, 'a' - '0' - 10)));
	ir_ref_t pos = bin(lx, IR_SUB, scell_get(lx, cpos), con(lx, 1));
	ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, tmp,
		 bound(lx, pos, LLTOSTR_BUF)), 0, ch);
	scell_set(lx, cpos, pos);
	scell_set(lx, cval, bin(lx, IR_UDIV, val, bs));
	sloop_end(lx, &l);
	/* the prefixes, each written before the string and kept if wanted */
	ir_ref_t b8 = bin(lx, IR_CEQ, scell_get(lx, cbase), con(lx, 8));
	struct { ir_ref_t want; int ch; } pre[] = {
		{ bin(lx, IR_AND, zero, b16), '0' }, { b16, 'x' },
		{ bin(lx, IR_OR, zero, bin(lx, IR_OR, b8, b16)), '0' },
		{ neg, '-' },
	};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		ir_ref_t p = bin(lx, IR_SUB, scell_get(lx, cpos), con(lx, 1));
		ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, tmp,
			 bound(lx, p, LLTOSTR_BUF)), 0, con(lx, pre[i].ch));
		scell_set(lx, cpos, bin(lx, IR_SUB, scell_get(lx, cpos),
					pre[i].want));
	}
	ir_ref_t ca[3] = { dst, con(lx, size), bin(lx, IR_ADD, tmp,
			   bound(lx, scell_get(lx, cpos), LLTOSTR_BUF)) };
	call(lx, 115, 3, ca);			/* probe_read_kernel_str */
	return (val_t){ dst, size };
}

/* htons() and the others: byte order swaps (the machine is little-endian;
   network order is big-endian), of the argument in its prototype's type. */
static val_t subr_byteorder(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t v = norm(lx, lower_expr(lx, n->args).v, n->type);
	ir_ref_t r = con(lx, 0);
	int bytes = (int)n->type->size;

	for (int i = 0; i < bytes; i++) {
		ir_ref_t b = bin(lx, IR_AND, bin(lx, IR_SHR, v, con(lx, 8 * i)),
				 con(lx, 0xff));
		r = bin(lx, IR_OR, r, bin(lx, IR_SHL, b,
					  con(lx, 8 * (bytes - 1 - i))));
	}
	return (val_t){ r };
}

/* rand(): a pseudo-random non-negative int. */
static val_t subr_rand(lower_t *lx, const dl_node_t *n)
{
	return (val_t){ bin(lx, IR_AND, call(lx, 7, 0, NULL),
			    con(lx, 0x7fffffff)) };	/* get_prandom_u32 */
}

/* getmajor(), getminor(): the kernel's dev_t, 12 bits of major over 20
   of minor (MINORBITS). */
static val_t subr_getmajor(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t v = unop(lx, IR_ZEXT32, lower_expr(lx, n->args).v);

	return (val_t){ bin(lx, IR_SHR, v, con(lx, 20)) };
}

static val_t subr_getminor(lower_t *lx, const dl_node_t *n)
{
	return (val_t){ bin(lx, IR_AND, lower_expr(lx, n->args).v,
			    con(lx, 0xfffff)) };
}

/* progenyof(pid): whether the current process is pid or descends from
   it, following real_parent (offsets from BTF) at most
   DL_PROGENY_DEPTH generations up. */
#define DL_PROGENY_DEPTH 128
static val_t subr_progenyof(lower_t *lx, const dl_node_t *n)
{
	uint32_t parent_off = dl_btf_member_off(lx->cx, n->loc, "task_struct",
						"real_parent");
	uint32_t tgid_off = dl_btf_member_off(lx->cx, n->loc, "task_struct",
					      "tgid");
	ir_ref_t want = unop(lx, IR_ZEXT32, lower_expr(lx, n->args).v);
	int32_t cwant = scell(lx, n, want), cres = scell(lx, n, con(lx, 0));
	int32_t ctask = scell(lx, n, cur_task(lx));

	sloop_t l = sloop_begin(lx, n, DL_PROGENY_DEPTH);
	ir_ref_t t = scell_get(lx, ctask);
	ir_ref_t tgid = kread(lx, bin(lx, IR_ADD, t, con(lx, tgid_off)), 4);
	ir_ref_t hit = a_eq(lx, tgid, scell_get(lx, cwant));
	scell_set(lx, cres, hit);
	sloop_exit_nz(lx, &l, hit);
	t = scell_get(lx, ctask);
	ir_ref_t p = kread(lx, bin(lx, IR_ADD, t, con(lx, parent_off)), 8);
	/* the top (init_task is its own parent) or a failed read */
	sloop_exit_nz(lx, &l, bin(lx, IR_OR, a_eq(lx, p, t),
				  a_eq(lx, p, con(lx, 0))));
	scell_set(lx, ctask, p);
	sloop_end(lx, &l);
	return (val_t){ scell_get(lx, cres) };
}

/* Append the decimal digits of byte b at dst + the offset in cell cpos. */
static void put_byte_dec(lower_t *lx, ir_ref_t dst, int32_t cpos, ir_ref_t b)
{
	ir_ref_t d[3] = { bin(lx, IR_UDIV, b, con(lx, 100)),
			  bin(lx, IR_UREM, bin(lx, IR_UDIV, b, con(lx, 10)),
			      con(lx, 10)),
			  bin(lx, IR_UREM, b, con(lx, 10)) };
	ir_ref_t want[3] = { bin(lx, IR_CUGE, b, con(lx, 100)),
			     bin(lx, IR_CUGE, b, con(lx, 10)), con(lx, 1) };

	for (int i = 0; i < 3; i++) {
		ir_ref_t pos = scell_get(lx, cpos);
		ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, dst,
			 bin(lx, IR_AND, pos, con(lx, 15))), 0,
			 bin(lx, IR_ADD, d[i], con(lx, '0')));
		scell_set(lx, cpos, bin(lx, IR_ADD, pos, want[i]));
	}
}

/* inet_ntoa(ipaddr_t *): the IPv4 address (network order) at a kernel
   address, dotted; a bad address is DTrace's invalid address fault. */
static val_t subr_inet_ntoa(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t addr = lower_expr(lx, n->args).v;
	int32_t slot = stack_alloc(lx, 8);
	ir_ref_t a[3] = { bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot)),
			  con(lx, 4), addr };
	ir_ref_t r = call(lx, 113, 3, a);	/* probe_read_kernel */

	fault_if_val(lx, bin(lx, IR_CNE, r, con(lx, 0)), DL_FLT_BADADDR, addr);
	ir_ref_t ip = ir_load(lx->fn, lx->b, 4, ir_reg(IR_FP), slot);
	ir_ref_t dst = scratch_alloc(lx, n, 16);
	int32_t cpos = scell(lx, n, con(lx, 0));

	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			ir_ref_t pos = scell_get(lx, cpos);
			ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, dst,
				 bin(lx, IR_AND, pos, con(lx, 15))), 0,
				 con(lx, '.'));
			scell_set(lx, cpos, bin(lx, IR_ADD, pos, con(lx, 1)));
		}
		put_byte_dec(lx, dst, cpos, bin(lx, IR_AND, bin(lx, IR_SHR, ip,
						con(lx, 8 * i)), con(lx, 0xff)));
	}
	ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, dst, bin(lx, IR_AND,
		 scell_get(lx, cpos), con(lx, 15))), 0, con(lx, 0));
	return (val_t){ dst, 16 };
}

/*
 * Scratch space (alloca(), copyin()): DTrace's per-clause allocator, as a
 * region of DL_MAP_SCRATCH: a u64 of bytes handed out in this clause
 * (reset when the clause ends, whichever way), then an area 4 x S bytes,
 * S the power of 2 at or above -x scratchsize.  An allocation that does
 * not fit in scratchsize bytes is DTrace's "out of scratch space" fault;
 * each is 8-aligned.  What D code gets is the plain address (saddr +
 * offset: a value the verifier lets scripts compute with); what helpers
 * write through is the map pointer plus the offset masked to 2S - 1 and
 * the size masked to 2S - 1, which the verifier can see inside the area.
 */
static uint32_t alloc_cell(lower_t *lx, const dl_node_t *n, uint32_t *S)
{
	uint32_t want = lx->cx->scratchsize ? lx->cx->scratchsize :
					      DL_SCRATCHSIZE;

	*S = pow2(want);
	if (lx->allocoff == 0)
		lx->allocoff = scratch_reserve(lx, n, 8 + 4 * *S) + 1;
	lx->alloc_clause = true;
	lx->need_saddr = true;
	return lx->allocoff - 1;
}



/* The place of an allocation at offset off (< 2S) of size (<= S). */
static sspace_t sspace_at(lower_t *lx, uint32_t cell, uint32_t S,
			  ir_ref_t off, ir_ref_t size)
{
	ir_ref_t m = bin(lx, IR_AND, off, con(lx, 2 * S - 1));
	ir_ref_t base = bin(lx, IR_ADD, lx->scratch, con(lx, cell + 8));

	return (sspace_t){ bin(lx, IR_ADD, base, m),
			   bin(lx, IR_ADD, bin(lx, IR_ADD, lx->saddr,
					       con(lx, cell + 8)), off),
			   bin(lx, IR_AND, size, con(lx, 2 * S - 1)) };
}

/* size bytes of scratch space, or the out of scratch space fault. */
static sspace_t scratch_get(lower_t *lx, const dl_node_t *n, ir_ref_t size)
{
	uint32_t S, cell = alloc_cell(lx, n, &S);
	uint32_t limit = lx->cx->scratchsize ? lx->cx->scratchsize :
					       DL_SCRATCHSIZE;
	ir_ref_t used = ir_load(lx->fn, lx->b, 8, lx->scratch, (int32_t)cell);
	ir_ref_t r8 = bin(lx, IR_AND, bin(lx, IR_ADD, size, con(lx, 7)),
			  con(lx, -8));

	fault_if_val(lx, bin(lx, IR_OR, bin(lx, IR_CUGT, size,
					    con(lx, limit)),
			     bin(lx, IR_CUGT, r8, bin(lx, IR_SUB,
					 con(lx, limit), used))),
		     DL_FLT_NOSCRATCH, size);
	ir_store(lx->fn, lx->b, 8, lx->scratch, (int32_t)cell,
		 bin(lx, IR_ADD, used, r8));
	return sspace_at(lx, cell, S, used, size);
}

/* dest .. dest + size must be scratch space this clause was given, or
   it is DTrace's invalid address fault. */
static sspace_t scratch_dest(lower_t *lx, const dl_node_t *n, ir_ref_t dest,
			     ir_ref_t size)
{
	uint32_t S, cell = alloc_cell(lx, n, &S);
	ir_ref_t used = ir_load(lx->fn, lx->b, 8, lx->scratch, (int32_t)cell);
	ir_ref_t off = bin(lx, IR_SUB, dest, bin(lx, IR_ADD, lx->saddr,
						 con(lx, cell + 8)));

	fault_if_val(lx, bin(lx, IR_OR, bin(lx, IR_CUGT, off, used),
			     bin(lx, IR_CUGT, size, bin(lx, IR_SUB, used,
							off))),
		     DL_FLT_BADADDR, dest);
	return sspace_at(lx, cell, S, off, size);
}

/* A read into scratch space by helper (probe_read_user or _kernel) of
   sp.size bytes at src; a bad source is the invalid address fault. */
static void scratch_fill(lower_t *lx, int helper, sspace_t sp, ir_ref_t src)
{
	ir_ref_t a[3] = { sp.w, sp.size, src };
	ir_ref_t r = call(lx, helper, 3, a);

	fault_if_val(lx, bin(lx, IR_CNE, r, con(lx, 0)), DL_FLT_BADADDR, src);
}

static val_t subr_alloca(lower_t *lx, const dl_node_t *n)
{
	return (val_t){ scratch_get(lx, n, lower_expr(lx, n->args).v).addr };
}

/* copyin(addr, size): size bytes of user memory at addr, in scratch. */
static val_t subr_copyin(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t addr = lower_expr(lx, n->args).v;
	sspace_t sp = scratch_get(lx, n, lower_expr(lx, n->args->next).v);

	not_other_task(lx, n->loc, "copyin( )");
	scratch_fill(lx, 112, sp, addr);	/* probe_read_user */
	return (val_t){ sp.addr };
}

/* copyinto(addr, size, dest) */
static val_t subr_copyinto(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t addr = lower_expr(lx, n->args).v;
	ir_ref_t size = lower_expr(lx, n->args->next).v;
	ir_ref_t dest = lower_expr(lx, n->args->next->next).v;

	not_other_task(lx, n->loc, "copyinto( )");
	scratch_fill(lx, 112, scratch_dest(lx, n, dest, size), addr);
	return (val_t){ con(lx, 0) };
}

/* bcopy(src, dest, size): kernel memory into scratch space. */
static val_t subr_bcopy(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t src = lower_expr(lx, n->args).v;
	ir_ref_t dest = lower_expr(lx, n->args->next).v;
	ir_ref_t size = lower_expr(lx, n->args->next->next).v;

	scratch_fill(lx, 113, scratch_dest(lx, n, dest, size), src);
	return (val_t){ con(lx, 0) };
}

/*
 * inet_ntop(af, addr) and inet_ntoa6(addr): the address at addr in
 * kernel memory as inet_ntop(3) writes it: dotted IPv4; IPv6 in hex
 * groups, the longest run of two or more zero groups (the first of equal
 * ones) as "::", and the last 32 bits dotted for IPv4-compatible
 * (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses.  Straight-line
 * code: every character is stored at the position (a register, masked
 * into the 64-byte buffer) and the position moves on only if it is
 * wanted.
 */
#define NTOP_MASK 63

static ir_ref_t ntop_put(lower_t *lx, ir_ref_t dst, ir_ref_t pos, ir_ref_t c,
			 ir_ref_t want)
{
	ir_store(lx->fn, lx->b, 1, bin(lx, IR_ADD, dst, bin(lx, IR_AND, pos,
		 con(lx, NTOP_MASK))), 0, c);
	return bin(lx, IR_ADD, pos, want);
}

/* The decimal digits of byte b. */
static ir_ref_t ntop_dec(lower_t *lx, ir_ref_t dst, ir_ref_t pos, ir_ref_t b,
			 ir_ref_t want)
{
	ir_ref_t d[3] = { bin(lx, IR_UDIV, b, con(lx, 100)),
			  bin(lx, IR_UREM, bin(lx, IR_UDIV, b, con(lx, 10)),
			      con(lx, 10)),
			  bin(lx, IR_UREM, b, con(lx, 10)) };
	ir_ref_t big[3] = { a_lt(lx, con(lx, 99), b), a_lt(lx, con(lx, 9), b),
			    con(lx, 1) };

	for (int i = 0; i < 3; i++)
		pos = ntop_put(lx, dst, pos, bin(lx, IR_ADD, d[i],
						 con(lx, '0')),
			       bin(lx, IR_AND, want, big[i]));
	return pos;
}

/* a.b.c.d of the 4 bytes at buf + off. */
static ir_ref_t ntop_v4(lower_t *lx, ir_ref_t dst, ir_ref_t pos, int32_t buf,
			int32_t off, ir_ref_t want)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			pos = ntop_put(lx, dst, pos, con(lx, '.'), want);
		pos = ntop_dec(lx, dst, pos, ir_load(lx->fn, lx->b, 1,
			       ir_reg(IR_FP), buf + off + i), want);
	}
	return pos;
}

/* The hex digits of 16-bit w, without leading zeros. */
static ir_ref_t ntop_hex(lower_t *lx, ir_ref_t dst, ir_ref_t pos, ir_ref_t w,
			 ir_ref_t want)
{
	for (int sh = 12; sh >= 0; sh -= 4) {
		ir_ref_t d = bin(lx, IR_AND, bin(lx, IR_SHR, w, con(lx, sh)),
				 con(lx, 15));
		ir_ref_t c = bin(lx, IR_ADD, bin(lx, IR_ADD, d, con(lx, '0')),
				 bin(lx, IR_MUL, a_lt(lx, con(lx, 9), d),
				     con(lx, 'a' - '0' - 10)));
		ir_ref_t lead = sh == 0 ? con(lx, 1) :
				a_lt(lx, con(lx, (1 << sh) - 1), w);
		pos = ntop_put(lx, dst, pos, c, bin(lx, IR_AND, want, lead));
	}
	return pos;
}

static ir_ref_t ntop_v6(lower_t *lx, ir_ref_t dst, ir_ref_t pos, int32_t buf)
{
	ir_ref_t w[8], run[9], bl = con(lx, 0), bb = con(lx, -1);

	for (int i = 0; i < 8; i++)
		w[i] = bin(lx, IR_OR, bin(lx, IR_SHL, ir_load(lx->fn, lx->b, 1,
			   ir_reg(IR_FP), buf + 2 * i), con(lx, 8)),
			   ir_load(lx->fn, lx->b, 1, ir_reg(IR_FP),
				   buf + 2 * i + 1));
	run[8] = con(lx, 0);
	for (int i = 7; i >= 0; i--)	/* zero groups from i on */
		run[i] = bin(lx, IR_MUL, a_eq(lx, w[i], con(lx, 0)),
			     bin(lx, IR_ADD, run[i + 1], con(lx, 1)));
	for (int i = 0; i < 8; i++) {	/* the first longest */
		ir_ref_t better = a_lt(lx, bl, run[i]);
		bl = sel(lx, better, run[i], bl);
		bb = sel(lx, better, con(lx, i), bb);
	}
	ir_ref_t none = a_lt(lx, bl, con(lx, 2));
	bl = sel(lx, none, con(lx, 0), bl);
	bb = sel(lx, none, con(lx, -1), bb);
	ir_ref_t v4 = bin(lx, IR_AND, a_eq(lx, bb, con(lx, 0)),
			  bin(lx, IR_OR, a_eq(lx, bl, con(lx, 6)),
			      bin(lx, IR_AND, a_eq(lx, bl, con(lx, 5)),
				  a_eq(lx, w[5], con(lx, 0xffff)))));
	ir_ref_t end = bin(lx, IR_ADD, bb, bl);
	for (int i = 0; i < 8; i++) {
		ir_ref_t in = bin(lx, IR_AND, a_not(lx, a_lt(lx, con(lx, i),
							      bb)),
				  a_lt(lx, con(lx, i), end));
		ir_ref_t out = a_not(lx, in);
		ir_ref_t colon = bin(lx, IR_AND, in, a_eq(lx, bb, con(lx, i)));
		if (i > 0)
			colon = bin(lx, IR_OR, colon, out);
		if (i == 7)	/* after the IPv4 part, nothing */
			colon = bin(lx, IR_AND, colon, a_not(lx, v4));
		pos = ntop_put(lx, dst, pos, con(lx, ':'), colon);
		if (i == 6)
			pos = ntop_v4(lx, dst, pos, buf, 12,
				      bin(lx, IR_AND, out, v4));
		pos = ntop_hex(lx, dst, pos, w[i], i < 6 ? out :
			       bin(lx, IR_AND, out, a_not(lx, v4)));
	}
	return ntop_put(lx, dst, pos, con(lx, ':'), a_eq(lx, end, con(lx, 8)));
}

/* Read len bytes at addr into the stack slot buf, or the fault. */
static void ntop_read(lower_t *lx, int32_t buf, ir_ref_t addr, int len)
{
	ir_ref_t a[3] = { bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, buf)),
			  con(lx, len), addr };
	ir_ref_t r = call(lx, 113, 3, a);	/* probe_read_kernel */

	fault_if_val(lx, bin(lx, IR_CNE, r, con(lx, 0)), DL_FLT_BADADDR, addr);
}

static val_t inet_fmt(lower_t *lx, const dl_node_t *n, ir_ref_t af,
		      ir_ref_t addr)
{
	ir_ref_t dst = scratch_alloc(lx, n, NTOP_MASK + 1);
	int32_t buf = stack_alloc(lx, 16);
	ir_ref_t is4 = bin(lx, IR_CEQ, af, con(lx, 2));	/* AF_INET */
	ir_blk_t *v4 = new_blk(lx), *v6 = new_blk(lx), *join = new_blk(lx);
	ir_ref_t end = ir_tmp(lx->fn);

	fault_if_val(lx, bin(lx, IR_AND, a_not(lx, is4),
			     bin(lx, IR_CNE, af, con(lx, 10))),  /* AF_INET6 */
		     DL_FLT_ILLOP, af);
	ir_jnz(lx->b, is4, v4, v6);
	lx->b = v4;
	ntop_read(lx, buf, addr, 4);
	ir_emit(lx->fn, lx->b, IR_COPY, end, ntop_v4(lx, dst, con(lx, 0), buf,
						     0, con(lx, 1)), IR_NONE);
	ir_jmp(lx->b, join);
	lx->b = v6;
	ntop_read(lx, buf, addr, 16);
	ir_emit(lx->fn, lx->b, IR_COPY, end, ntop_v6(lx, dst, con(lx, 0), buf),
		IR_NONE);
	ir_jmp(lx->b, join);
	lx->b = join;
	ntop_put(lx, dst, end, con(lx, 0), con(lx, 0));
	return (val_t){ dst, NTOP_MASK + 1 };
}

static val_t subr_inet_ntop(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t af = lower_expr(lx, n->args).v;

	return inet_fmt(lx, n, af, lower_expr(lx, n->args->next).v);
}

static val_t subr_inet_ntoa6(lower_t *lx, const dl_node_t *n)
{
	return inet_fmt(lx, n, con(lx, 10), lower_expr(lx, n->args).v);
}

/* d_path(path): the walk is dpath.c's, through these two hooks. */
static uint32_t dpath_reserve(dl_dpath_env_t *e, uint32_t size)
{
	lower_t *lx = e->lx;

	return scratch_reserve(lx, lx->cur, size);
}

static void dpath_fault(dl_dpath_env_t *e, ir_ref_t cond, uint32_t kind,
			ir_ref_t val)
{
	lower_t *lx = e->lx;

	lx->b = e->b;
	fault_if_val(lx, cond, kind, val);
	e->b = lx->b;
}

static val_t subr_d_path(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t path = lower_expr(lx, n->args).v;
	dl_dpath_env_t e = { lx->cx, lx->fn, lx->b, lx->scratch, lx,
			     dpath_reserve, dpath_fault };

	lx->cur = n;
	lx->need_scratch = true;
	ir_ref_t s = dl_dpath_lower(&e, n->loc, path);
	lx->b = e.b;
	return (val_t){ s, lx->cx->strsize };
}

typedef val_t lower_subr_fn(lower_t *lx, const dl_node_t *n);

static lower_subr_fn *const subr_fns[DL_NFUNCS] = {
	[DL_FN_copyinstr] = subr_copyinstr,
	[DL_FN_strlen] = subr_strlen, [DL_FN_strjoin] = subr_strjoin,
	[DL_FN_speculation] = subr_speculation,
	[DL_FN_substr] = subr_substr, [DL_FN_index] = subr_index,
	[DL_FN_rindex] = subr_rindex, [DL_FN_strchr] = subr_strchr,
	[DL_FN_strrchr] = subr_strrchr, [DL_FN_strstr] = subr_strstr,
	[DL_FN_strtok] = subr_strtok, [DL_FN_basename] = subr_basename,
	[DL_FN_dirname] = subr_dirname, [DL_FN_cleanpath] = subr_cleanpath,
	[DL_FN_lltostr] = subr_lltostr, [DL_FN_toupper] = subr_toupper,
	[DL_FN_tolower] = subr_tolower, [DL_FN_htons] = subr_byteorder,
	[DL_FN_htonl] = subr_byteorder, [DL_FN_htonll] = subr_byteorder,
	[DL_FN_ntohs] = subr_byteorder, [DL_FN_ntohl] = subr_byteorder,
	[DL_FN_ntohll] = subr_byteorder, [DL_FN_inet_ntoa] = subr_inet_ntoa,
	[DL_FN_progenyof] = subr_progenyof, [DL_FN_rand] = subr_rand,
	[DL_FN_getmajor] = subr_getmajor, [DL_FN_getminor] = subr_getminor,
	[DL_FN___psargs] = subr_psargs,
	[DL_FN_alloca] = subr_alloca, [DL_FN_copyin] = subr_copyin,
	[DL_FN_copyinto] = subr_copyinto, [DL_FN_bcopy] = subr_bcopy,
	[DL_FN_inet_ntop] = subr_inet_ntop, [DL_FN_inet_ntoa6] = subr_inet_ntoa6,
	[DL_FN_d_path] = subr_d_path,
};

/*
 * The verifier follows a subroutine's loops iteration by iteration: about
 * this many instructions per call at strsize 256 (measured), scaled by
 * strsize.  A program whose calls add up to more than the verifier's
 * budget would compile but not load, so it is refused here instead.
 */
static const uint32_t subr_vcost[DL_NFUNCS] = {
	[DL_FN_substr] = 200, [DL_FN_lltostr] = 2000,
	[DL_FN_toupper] = 5000, [DL_FN_tolower] = 5000,
	[DL_FN___psargs] = 5000, [DL_FN_d_path] = 75000,
	[DL_FN_strchr] = 6000, [DL_FN_strrchr] = 6000,
	[DL_FN_progenyof] = 6000, [DL_FN_basename] = 25000,
	[DL_FN_dirname] = 25000, [DL_FN_strtok] = 26000,
	[DL_FN_index] = 80000, [DL_FN_rindex] = 80000,
	[DL_FN_strstr] = 80000, [DL_FN_cleanpath] = 150000,
};
#define DL_VERIFIER_BUDGET 800000	/* of the kernel's 1000000 */

static void subr_budget(lower_t *lx, const dl_node_t *n)
{
	uint64_t c = subr_vcost[n->ival];

	/* a literal needle is searched with bpf_strncmp, far cheaper */
	if ((n->ival == DL_FN_index || n->ival == DL_FN_rindex ||
	     n->ival == DL_FN_strstr) && n->args->next->kind == ND_STR)
		c = 11000;
	lx->vcost += c * lx->cx->strsize / 256;
	if (lx->vcost > DL_VERIFIER_BUDGET)
		dl_error(lx->cx, n->loc, D_LIMIT, "%s( ): the string "
			 "subroutines of this probe's clauses need more "
			 "verifier steps than the kernel allows (about %llu; "
			 "limit is %d)", n->name, (unsigned long long)lx->vcost,
			 DL_VERIFIER_BUDGET);
}

static val_t lower_subr(lower_t *lx, const dl_node_t *n)
{
	if (n->ival < 0 || n->ival >= DL_NFUNCS || subr_fns[n->ival] == NULL)
		dl_error(lx->cx, n->loc, D_UNSUPPORTED, "%s( ) cannot be "
			 "compiled yet", n->name);
	subr_budget(lx, n);
	return subr_fns[n->ival](lx, n);
}

static val_t lower_expr(lower_t *lx, const dl_node_t *n)
{
	switch (n->kind) {
	case ND_INT:
		return (val_t){ norm(lx, con(lx, n->ival), n->type) };
	case ND_STR:
		return str_const(lx, n->sval, n->slen);
	case ND_IDENT: case ND_THIS: case ND_SELF:
		return lower_var(lx, n);
	case ND_ASSIGN:
		return lower_assign(lx, n);
	case ND_PREINC: case ND_PREDEC: case ND_POSTINC: case ND_POSTDEC:
		return lower_incdec(lx, n);
	case ND_BINARY:
		return lower_binary(lx, n);
	case ND_LOGAND: case ND_LOGOR: case ND_LOGXOR:
		return lower_logical(lx, n);
	case ND_TERNARY:
		return lower_ternary(lx, n);
	case ND_UNARY:
		return lower_unary(lx, n);
	case ND_CAST:
		return (val_t){ norm(lx, lower_expr(lx, n->lhs).v, n->type) };
	case ND_COMMA:
		lower_expr(lx, n->lhs);
		return lower_expr(lx, n->rhs);
	case ND_CALL:
		return lower_subr(lx, n);
	case ND_INDEX:
		return lower_index(lx, n);
	case ND_MEMBER: case ND_PTRMEMBER:
		return mem_read(lx, n);
	case ND_STRINGOF:
		return lower_stringof(lx, n);
	case ND_SYMADDR:
		return (val_t){ con(lx, n->ival) };
	default:
		/* sema refused everything else */
		dl_error(lx->cx, n->loc, D_UNSUPPORTED,
			 "%s cannot be compiled yet",
			 dl_nodekind_name(n->kind));
	}
}

/* ---- actions and records ------------------------------------------------- */

static void record(lower_t *lx, const dl_field_t *f, const dl_node_t *n)
{
	if (f->kind == DL_F_STACK || f->kind == DL_F_USTACK) {	/* %k */
		stack_store(lx, f->kind, f->size, lx->rec, (int32_t)f->off,
			    IR_NONE);
		return;
	}
	val_t v = lower_expr(lx, n);

	if (f->kind == DL_F_STRING) {
		ir_ref_t dst = bin(lx, IR_ADD, lx->rec, con(lx, f->off));
		ir_ref_t a[3] = { dst, con(lx, f->size), v.v };
		call(lx, 115, 3, a);		/* probe_read_kernel_str */
		return;
	}
	if (f->kind == DL_F_MEM) {		/* a struct's bytes */
		ir_ref_t dst = bin(lx, IR_ADD, lx->rec, con(lx, f->off));
		ir_ref_t a[3] = { dst, con(lx, f->size), v.v };
		call(lx, 113, 3, a);		/* probe_read_kernel */
		return;
	}
	ir_store(lx->fn, lx->b, (int)f->size, lx->rec, (int32_t)f->off, v.v);
}

/* size bytes of kernel memory at the value of n into the record at off;
   an address the kernel cannot read is the invalid address fault. */
static void record_mem_at(lower_t *lx, uint32_t off, uint32_t size,
			  ir_ref_t addr)
{
	ir_ref_t a[3] = { bin(lx, IR_ADD, lx->rec, con(lx, off)),
			  con(lx, size), addr };
	ir_ref_t r = call(lx, 113, 3, a);	/* probe_read_kernel */
	fault_if_val(lx, r, DL_FLT_BADADDR, addr);
}

static void record_mem(lower_t *lx, uint32_t off, uint32_t size,
		       const dl_node_t *n)
{
	record_mem_at(lx, off, size, lower_expr(lx, n).v);
}

/*
 * chill(ns): spin in the probe for ns nanoseconds, within DTrace's budget
 * of DL_CHILL_MAX ns per DL_CHILL_INTERVAL per CPU (dl_chill_t in
 * DL_MAP_CHILL); asking for more (or a negative time) is DTrace's
 * "illegal operation" fault and no spin.  The spin is bpf_loop() calls
 * of the callback that stops at the deadline (emit.c's DL_CB_SPIN): each
 * runs at most 2^23 iterations of a bpf_ktime_get_ns() call, so
 * DL_CHILL_CALLS of them cover DL_CHILL_MAX at 3 ns an iteration.
 */
#define DL_CHILL_LOOPS (1 << 23)
#define DL_CHILL_CALLS 20
static void lower_chill(lower_t *lx, ir_ref_t ns)
{
	int32_t slot = stack_alloc(lx, 8);
	ir_ref_t key = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot));

	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), slot, con(lx, 0));
	ir_ref_t la[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_CHILL), key };
	ir_ref_t p = call(lx, 1, 2, la);	/* map_lookup_elem */
	ir_blk_t *have = new_blk(lx), *done = new_blk(lx);
	ir_jnz(lx->b, p, have, done);
	lx->b = have;
	ir_ref_t now = call(lx, 5, 0, NULL);	/* ktime_get_ns */
	ir_ref_t mark = ir_load(lx->fn, lx->b, 8, p,
				offsetof(dl_chill_t, mark));
	ir_blk_t *fresh = new_blk(lx), *in = new_blk(lx);
	ir_jnz(lx->b, bin(lx, IR_CUGT, bin(lx, IR_SUB, now, mark),
			  con(lx, DL_CHILL_INTERVAL)), fresh, in);
	ir_store(lx->fn, fresh, 8, p, offsetof(dl_chill_t, mark), now);
	ir_store(lx->fn, fresh, 8, p, offsetof(dl_chill_t, chilled),
		 con(lx, 0));
	ir_jmp(fresh, in);
	lx->b = in;
	ir_ref_t was = ir_load(lx->fn, lx->b, 8, p,
			       offsetof(dl_chill_t, chilled));
	ir_ref_t sum = bin(lx, IR_ADD, was, ns);
	fault_if(lx, bin(lx, IR_OR, bin(lx, IR_CUGT, sum,
					con(lx, (int64_t)DL_CHILL_MAX)),
			 bin(lx, IR_CULT, sum, was)), DL_FLT_ILLOP);
	ir_store(lx->fn, lx->b, 8, p, offsetof(dl_chill_t, chilled), sum);
	ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP), slot,
		 bin(lx, IR_ADD, now, ns));	/* the deadline */
	for (int i = 0; i < DL_CHILL_CALLS; i++) {
		ir_ref_t cb = ir_tmp(lx->fn);
		ir_emit(lx->fn, lx->b, IR_LDFN, cb, IR_NONE, IR_NONE)->off = 0;
		ir_ref_t a[4] = { con(lx, DL_CHILL_LOOPS), cb,
				  bin(lx, IR_ADD, ir_reg(IR_FP),
				      con(lx, slot)), con(lx, 0) };
		call(lx, 181, 4, a);		/* loop */
	}
	ir_jmp(lx->b, done);
	lx->b = done;
}

/*
 * copyout(buf, addr, nbytes): nbytes of the clause's scratch space at buf
 * (alloca(), copyin(): anything else is the invalid address fault, as in
 * DTrace) written to the current process at addr by
 * bpf_probe_write_user; copyoutstr(str, addr, maxlen): str and its NUL,
 * at most maxlen bytes.  An address the kernel cannot write is the
 * invalid address fault.  The helper wants a length the verifier sees
 * in 1 .. the buffer: ((n - 1) & (P - 1)) + 1, P the buffer's power of
 * 2, after n == 0 has skipped it all.
 */
static void write_user(lower_t *lx, ir_ref_t addr, ir_ref_t src,
		       ir_ref_t n, uint32_t P)
{
	ir_blk_t *go = new_blk(lx), *done = new_blk(lx);

	ir_jnz(lx->b, n, go, done);
	lx->b = go;
	ir_ref_t len = bin(lx, IR_ADD, bin(lx, IR_AND, bin(lx, IR_SUB, n,
							   con(lx, 1)),
					   con(lx, P - 1)), con(lx, 1));
	ir_ref_t a[3] = { addr, src, len };
	ir_ref_t r = call(lx, 36, 3, a);	/* probe_write_user */
	fault_if_val(lx, bin(lx, IR_CNE, r, con(lx, 0)), DL_FLT_BADADDR,
		     addr);
	ir_jmp(lx->b, done);
	lx->b = done;
}

static void lower_copyout(lower_t *lx, const dl_node_t *call_node)
{
	const dl_node_t *arg = call_node->args;
	val_t src = lower_expr(lx, arg);
	ir_ref_t addr = lower_expr(lx, arg->next).v;
	ir_ref_t n = lower_expr(lx, arg->next->next).v;

	if (strcmp(call_node->name, "copyout") == 0) {
		uint32_t S;
		(void)alloc_cell(lx, call_node, &S);
		sspace_t sp = scratch_dest(lx, call_node, src.v, n);
		write_user(lx, addr, sp.w, n, 2 * S);
		return;
	}
	uint32_t size = pow2(src.size < lx->cx->strsize ? src.size :
			     lx->cx->strsize);
	ir_ref_t dst = scratch_alloc(lx, call_node, size);
	ir_ref_t len = bin(lx, IR_ADD, str_len(lx, call_node, src, dst, size),
			   con(lx, 1));	/* 1 .. size, with its NUL */
	set_if(lx, bin(lx, IR_CULT, n, len), len, n);
	write_user(lx, addr, dst, len, size);
}

static void lower_action(lower_t *lx, const dl_node_t *call_node)
{
	const dl_action_t *a = call_node->sema;
	const dl_node_t *arg = call_node->args;

	lx->action++;
	if (a->kind == DL_ACT_STACK) {
		lower_stack_action(lx, call_node, &a->fields[0]);
		return;
	}
	if (a->kind == DL_ACT_COPYOUT) {
		lower_copyout(lx, call_node);
		return;
	}
	if (a->kind == DL_ACT_CHILL) {
		lower_chill(lx, lower_expr(lx, arg).v);
		return;
	}
	if (a->kind == DL_ACT_RAISE) {	/* raise(sig), stop() */
		ir_ref_t sig = arg != NULL ? lower_expr(lx, arg).v :
					     con(lx, 19);	/* SIGSTOP */
		ir_ref_t sa[1] = { sig };
		not_other_task(lx, call_node->loc, arg != NULL ? "raise( )" :
			       "stop( )");
		call(lx, 109, 1, sa);		/* send_signal */
		return;
	}
	if (a->kind == DL_ACT_TRACEMEM) {
		record_mem(lx, a->fields[0].off, a->fields[0].size, arg);
		if (a->nfields > 1)
			record(lx, &a->fields[1], arg->next->next);
		return;
	}
	if (a->kind == DL_ACT_PRINT && a->nfields == 2) { /* p, then *p */
		ir_ref_t p = lower_expr(lx, arg).v;
		ir_store(lx->fn, lx->b, 8, lx->rec, (int32_t)a->fields[0].off,
			 p);
		record_mem_at(lx, a->fields[1].off, a->fields[1].size, p);
		return;
	}
	if (a->kind == DL_ACT_SPECULATE) {	/* the header says so */
		ir_ref_t id = unop(lx, IR_ZEXT32, lower_expr(lx, arg).v);
		ir_store(lx->fn, lx->b, 4, lx->rec,
			 (int32_t)offsetof(dl_rechdr_t, spec),
			 bin(lx, IR_OR, id, con(lx, DL_REC_SPEC)));
		return;
	}
	if (a->kind == DL_ACT_PRINTF || a->kind == DL_ACT_SYSTEM ||
	    a->kind == DL_ACT_FREOPEN)
		arg = arg->next;	/* the format lives in the consumer */
	if (a->naggs > 0)		/* trunc(@a, n), normalize(@a, n) */
		arg = arg->next;
	for (size_t i = 0; i < a->nfields; i++, arg = arg->next)
		record(lx, &a->fields[i], arg);
}

static void lower_stmts(lower_t *lx, const dl_node_t *s);
static void lower_agg(lower_t *lx, const dl_node_t *s);

static void lower_if(lower_t *lx, const dl_node_t *s)
{
	ir_ref_t c = lower_expr(lx, s->cond).v;
	ir_blk_t *t = new_blk(lx), *f = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, c, t, f);
	lx->b = t;
	lower_stmts(lx, s->body);
	ir_jmp(lx->b, join);
	lx->b = f;
	lower_stmts(lx, s->els);
	ir_jmp(lx->b, join);
	lx->b = join;
}

static void lower_stmts(lower_t *lx, const dl_node_t *s)
{
	for (; s != NULL; s = s->next) {
		lx->loc = s->loc;
		if (s->kind == ND_EXPR_STMT && s->lhs->sema != NULL &&
		    s->lhs->kind == ND_CALL)
			lower_action(lx, s->lhs);
		else if (s->kind == ND_EXPR_STMT)	/* an action too */
			lx->action++, lower_expr(lx, s->lhs);
		else if (s->kind == ND_IF)
			lower_if(lx, s);
		else if (s->kind == ND_BLOCK)
			lower_stmts(lx, s->body);
		else if (s->kind == ND_AGG_STMT)
			lx->action++, lower_agg(lx, s);
	}
}

/* ---- aggregations --------------------------------------------------------- */

/* floor(log2(u)) of u > 0, by halving: six diamonds, no loop. */
static ir_ref_t ilog2(lower_t *lx, ir_ref_t u0)
{
	ir_ref_t u = ir_tmp(lx->fn), r = ir_tmp(lx->fn);

	ir_emit(lx->fn, lx->b, IR_COPY, u, u0, IR_NONE);
	ir_emit(lx->fn, lx->b, IR_COPY, r, con(lx, 0), IR_NONE);
	for (int sh = 32; sh > 0; sh >>= 1) {
		ir_ref_t t = bin(lx, IR_SHR, u, con(lx, sh));
		ir_blk_t *y = new_blk(lx), *join = new_blk(lx);
		ir_jnz(lx->b, t, y, join);
		ir_emit(lx->fn, y, IR_COPY, u, t, IR_NONE);
		ir_emit(lx->fn, y, IR_ADD, r, r, con(lx, sh));
		ir_jmp(y, join);
		lx->b = join;
	}
	return r;
}

/* The bucket of v, bounded by nbuckets - 1 where the verifier sees it. */
static ir_ref_t bucket_clamp(lower_t *lx, ir_ref_t b, uint32_t nbuckets)
{
	set_if(lx, bin(lx, IR_CUGT, b, con(lx, nbuckets - 1)), b,
	       con(lx, nbuckets - 1));
	return b;
}

/* quantize: dl_quantize_bucket() in BPF. */
static ir_ref_t quantize_bucket(lower_t *lx, ir_ref_t v)
{
	ir_ref_t b = ir_tmp(lx->fn);
	ir_blk_t *zero = new_blk(lx), *nz = new_blk(lx), *pos = new_blk(lx),
		 *neg = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, v, nz, zero);
	ir_emit(lx->fn, zero, IR_COPY, b, con(lx, DL_QUANTIZE_ZEROBUCKET),
		IR_NONE);
	ir_jmp(zero, join);
	ir_jnz(nz, ir_bin(lx->fn, nz, IR_CSGT, v, con(lx, 0)), pos, neg);
	lx->b = pos;
	ir_emit(lx->fn, lx->b, IR_ADD, b, ilog2(lx, v),
		con(lx, DL_QUANTIZE_ZEROBUCKET + 1));
	ir_jmp(lx->b, join);
	lx->b = neg;
	ir_ref_t k = ilog2(lx, unop(lx, IR_NEG, v));
	ir_emit(lx->fn, lx->b, IR_SUB, b, con(lx, DL_QUANTIZE_ZEROBUCKET - 1),
		k);
	set_if(lx, bin(lx, IR_CUGE, k, con(lx, DL_QUANTIZE_ZEROBUCKET - 1)),
	       b, con(lx, 0));
	ir_jmp(lx->b, join);
	lx->b = join;
	return bucket_clamp(lx, b, DL_QUANTIZE_NBUCKETS);
}

/* lquantize: dl_lquantize_bucket() in BPF. */
static ir_ref_t lquantize_bucket(lower_t *lx, const dl_agg_t *a, ir_ref_t v)
{
	ir_ref_t b = ir_tmp(lx->fn);
	ir_blk_t *below = new_blk(lx), *ge = new_blk(lx), *above = new_blk(lx),
		 *in = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, bin(lx, IR_CSLT, v, con(lx, a->base)), below, ge);
	ir_emit(lx->fn, below, IR_COPY, b, con(lx, 0), IR_NONE);
	ir_jmp(below, join);
	ir_jnz(ge, ir_bin(lx->fn, ge, IR_CSGE, v, con(lx, a->limit)), above,
	       in);
	ir_emit(lx->fn, above, IR_COPY, b, con(lx, a->nbuckets - 1), IR_NONE);
	ir_jmp(above, join);
	lx->b = in;
	ir_ref_t off = bin(lx, IR_SUB, v, con(lx, a->base));
	ir_emit(lx->fn, lx->b, IR_ADD, b,
		bin(lx, IR_UDIV, off, con(lx, a->step)), con(lx, 1));
	ir_jmp(lx->b, join);
	lx->b = join;
	return bucket_clamp(lx, b, a->nbuckets);
}

/* llquantize: dl_llquantize_bucket() in BPF, one test per order of
   magnitude with the bounds computed here. */
static ir_ref_t llquantize_bucket(lower_t *lx, const dl_agg_t *a, ir_ref_t v)
{
	ir_ref_t t = ir_tmp(lx->fn), off = ir_tmp(lx->fn), b = ir_tmp(lx->fn);
	int64_t sf = a->nsteps / a->factor, n = a->nsteps - sf;
	uint32_t b0 = dl_llquantize_zero(a);
	ir_blk_t *join = new_blk(lx);
	uint64_t max = 1;

	for (int64_t m = 0; m < a->low; m++)
		max *= (uint64_t)a->factor;
	ir_emit(lx->fn, lx->b, IR_COPY, t, v, IR_NONE);
	set_if(lx, bin(lx, IR_CSLT, v, con(lx, 0)), t, unop(lx, IR_NEG, v));
	ir_emit(lx->fn, lx->b, IR_COPY, off, con(lx, 0), IR_NONE);
	ir_blk_t *more = new_blk(lx);
	ir_jnz(lx->b, bin(lx, IR_CULT, t, con(lx, (int64_t)max)), join, more);
	lx->b = more;
	for (int64_t m = a->low; m <= a->high; m++) {
		max *= (uint64_t)a->factor;
		ir_blk_t *in = new_blk(lx), *up = new_blk(lx);
		ir_jnz(lx->b, bin(lx, IR_CULT, t, con(lx, (int64_t)max)), in,
		       up);
		lx->b = in;
		ir_ref_t ind = m != 0 ?
			bin(lx, IR_UDIV, t, con(lx, (int64_t)(max /
					(uint64_t)a->nsteps))) :
			bin(lx, IR_UDIV, bin(lx, IR_MUL, t,
					     con(lx, a->nsteps)),
			    con(lx, (int64_t)max));
		ir_emit(lx->fn, lx->b, IR_ADD, off, ind,
			con(lx, (m - a->low) * n - sf + 1));
		ir_jmp(lx->b, join);
		lx->b = up;
	}
	ir_emit(lx->fn, lx->b, IR_COPY, off,
		con(lx, (a->high - a->low + 1) * n + 1), IR_NONE);
	ir_jmp(lx->b, join);
	lx->b = join;
	ir_emit(lx->fn, lx->b, IR_ADD, b, off, con(lx, b0));
	set_if(lx, bin(lx, IR_CSLT, v, con(lx, 0)), b,
	       bin(lx, IR_SUB, con(lx, b0), off));
	return bucket_clamp(lx, b, a->nbuckets);
}

/* The key tuple in a zeroed stack slot: integers as 8-byte values, strings
   copied NUL-padded.  Returns the slot's address. */
/* A stack slot for key tuples of this size, shared by every key of the
   program: a key is used right after it is built, and the key
   expressions are all evaluated before it is. */
static int32_t key_slot(lower_t *lx, uint32_t size)
{
	for (int i = 0; i < lx->nkeyslots; i++)
		if (lx->keyslots[i].size == (int32_t)size)
			return lx->keyslots[i].off;
	int32_t off = stack_alloc(lx, (int32_t)size);
	if (lx->nkeyslots < (int)(sizeof(lx->keyslots) /
				  sizeof(lx->keyslots[0]))) {
		lx->keyslots[lx->nkeyslots].size = (int32_t)size;
		lx->keyslots[lx->nkeyslots++].off = off;
	}
	return off;
}

/* Is n the built-in execname?  As a key it is written into the zeroed
   key by bpf_get_current_comm itself, without the copy every other
   string key needs (probe_read_kernel_str, a third of the program's time
   in @[execname] = count()).  The zeroing stays: 6.1's helper does not
   pad the name with NULs (6.18's does). */
static bool is_execname(const dl_node_t *n)
{
	const dl_varref_t *r = n->sema;

	return n->kind == ND_IDENT && r != NULL &&
	       r->kind == DL_VK_BUILTIN && r->idx == DL_V_execname;
}

static ir_ref_t tuple_key(lower_t *lx, const dl_tuple_t *t,
			  const dl_node_t *ref, bool tid)
{
	val_t vals[DL_AGG_KEYS_MAX];
	const dl_node_t *k = ref->args;
	bool stacks = false;

	for (uint32_t i = 0; i < t->nkeys; i++, k = k->next) {
		if (t->keys[i].stk != DL_F_INT) {
			vals[i] = (val_t){ stack_arg(lx, t->keys[i].stk, k) };
			stacks = true;
			continue;
		}
		vals[i] = t->keys[i].is_str && is_execname(k) &&
			  t->keys[i].size >= TASK_COMM_LEN ? (val_t){ IR_NONE } :
			  lower_expr(lx, k);
	}
	/* keys with stacks, or long strings, are built in scratch: they
	   outgrow BPF's stack */
	ir_ref_t base = ir_reg(IR_FP);
	int32_t slot = 0;
	if (stacks || t->keysize > DL_KEY_STACKMAX)
		base = scratch_alloc(lx, ref, t->keysize);
	else
		slot = key_slot(lx, t->keysize);
	if (tid)	/* a self-> array: the thread first */
		ir_store(lx->fn, lx->b, 8, base, slot,
			 unop(lx, IR_ZEXT32, pid_tgid(lx)));
	for (uint32_t i = 0; i < t->nkeys; i++) {
		const dl_aggkey_t *ak = &t->keys[i];
		int32_t off = slot + (int32_t)ak->off;
		val_t v = vals[i];
		if (ak->stk != DL_F_INT) {
			stack_store(lx, ak->stk, ak->size, base, off, v.v);
			continue;
		}
		if (!ak->is_str) {
			ir_store(lx->fn, lx->b, 8, base, off, v.v);
			continue;
		}
		if (ir_is_none(v.v)) {		/* execname: see is_execname */
			for (uint32_t z = 0; z < ak->size; z += 8)
				ir_store(lx->fn, lx->b, 8, base,
					 off + (int32_t)z, con(lx, 0));
			ir_ref_t ca[2] = { bin(lx, IR_ADD, base,
					       con(lx, off)),
					   con(lx, TASK_COMM_LEN) };
			call(lx, 16, 2, ca);	/* get_current_comm */
			continue;
		}
		for (uint32_t z = 0; z < ak->size; z += 8)
			ir_store(lx->fn, lx->b, 8, base,
				 off + (int32_t)z, con(lx, 0));
		uint32_t n = v.size < ak->size ? v.size : ak->size;
		ir_ref_t ra[3] = { bin(lx, IR_ADD, base,
				       con(lx, off)), con(lx, n), v.v };
		call(lx, 115, 3, ra);		/* probe_read_kernel_str */
	}
	return bin(lx, IR_ADD, base, con(lx, slot));
}

/* map_lookup_elem into res; jump to miss when absent. */
static void agg_lookup(lower_t *lx, int map, ir_ref_t key, ir_ref_t res,
		       ir_blk_t *miss)
{
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, map), key };
	ir_blk_t *hit = new_blk(lx);

	ir_emit(lx->fn, lx->b, IR_COPY, res, call(lx, 1, 2, a), IR_NONE);
	ir_jnz(lx->b, res, hit, miss);
	lx->b = hit;
}

/*
 * This CPU's value for the key, created (zeroed, from DL_MAP_ZERO) if
 * the key is new; a full map counts an aggregation drop and skips the
 * update (goes to done).
 */
static ir_ref_t agg_entry(lower_t *lx, const dl_agg_t *a, const dl_node_t *ref,
			  ir_blk_t *done)
{
	int map = DL_MAP_AGG0 + (int)a->id;
	ir_ref_t p = ir_tmp(lx->fn);

	if (a->tup.nkeys == 0) {	/* a per-CPU array of one entry */
		int32_t slot = stack_alloc(lx, 8);
		ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), slot, con(lx, 0));
		agg_lookup(lx, map, bin(lx, IR_ADD, ir_reg(IR_FP),
					con(lx, slot)), p, done);
		return p;
	}
	ir_ref_t key = tuple_key(lx, &a->tup, ref, false);
	ir_blk_t *miss = new_blk(lx), *have = new_blk(lx);
	agg_lookup(lx, map, key, p, miss);
	ir_jmp(lx->b, have);
	/* a new key */
	lx->b = miss;
	int32_t zslot = stack_alloc(lx, 8);
	ir_ref_t zero = ir_tmp(lx->fn);
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), zslot, con(lx, 0));
	agg_lookup(lx, DL_MAP_ZERO, bin(lx, IR_ADD, ir_reg(IR_FP),
					   con(lx, zslot)), zero, done);
	ir_ref_t ua[4] = { ir_ldmap(lx->fn, lx->b, map), key, zero,
			   con(lx, 1) };		/* BPF_NOEXIST */
	ir_ref_t rc = call(lx, 2, 4, ua);		/* map_update_elem */
	ir_blk_t *full = new_blk(lx), *added = new_blk(lx);
	/* -EEXIST: another CPU added it first, which is fine */
	ir_ref_t bad = bin(lx, IR_AND, bin(lx, IR_CNE, rc, con(lx, 0)),
			   bin(lx, IR_CNE, rc, con(lx, -17)));
	ir_jnz(lx->b, bad, full, added);
	lx->b = full;
	count_drop(lx, DL_DROP_AGG, done);
	lx->b = added;
	agg_lookup(lx, map, key, p, done);
	ir_jmp(lx->b, have);
	lx->b = have;
	return p;
}

/* Values of a cleared aggregation from an older generation are restarted
   (zeroed) before this update. */
static void agg_generation(lower_t *lx, const dl_agg_t *a, ir_ref_t p)
{
	lx->need_genbase = true;
	ir_ref_t g = ir_load(lx->fn, lx->b, 8, lx->genbase,
			     (int32_t)a->id * 8);
	ir_blk_t *stale = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, bin(lx, IR_CNE, ir_load(lx->fn, lx->b, 8, p, 8), g),
	       stale, join);
	lx->b = stale;
	for (uint32_t w = 0; w < dl_agg_nwords(a); w++)
		ir_store(lx->fn, lx->b, 8, p, (int32_t)w * 8,
			 w == 1 ? g : con(lx, 0));
	ir_jmp(lx->b, join);
	lx->b = join;
}

/* p[w] += v */
static void add_word(lower_t *lx, ir_ref_t p, int32_t w, ir_ref_t v)
{
	ir_store(lx->fn, lx->b, 8, p, w * 8,
		 bin(lx, IR_ADD, ir_load(lx->fn, lx->b, 8, p, w * 8), v));
}

/* stddev's sum of squares += v * v, in 128 bits at p[w] (low), p[w + 1]. */
static void add_square(lower_t *lx, ir_ref_t p, int32_t w, ir_ref_t v)
{
	ir_ref_t x = ir_tmp(lx->fn);

	ir_emit(lx->fn, lx->b, IR_COPY, x, v, IR_NONE);
	set_if(lx, bin(lx, IR_CSLT, v, con(lx, 0)), x, unop(lx, IR_NEG, v));
	ir_ref_t hi32 = bin(lx, IR_SHR, x, con(lx, 32));
	ir_ref_t lo32 = unop(lx, IR_ZEXT32, x);
	ir_ref_t lo = bin(lx, IR_MUL, lo32, lo32);
	ir_ref_t mid = bin(lx, IR_MUL, hi32, lo32);
	ir_ref_t hi = bin(lx, IR_MUL, hi32, hi32);
	/* x*x = hi * 2^64 + mid * 2^33 + lo */
	ir_ref_t sqlo = bin(lx, IR_ADD, lo, bin(lx, IR_SHL, mid, con(lx, 33)));
	ir_ref_t sqhi = bin(lx, IR_ADD, hi, bin(lx, IR_SHR, mid, con(lx, 31)));
	sqhi = bin(lx, IR_ADD, sqhi, bin(lx, IR_CULT, sqlo, lo));
	ir_ref_t old = ir_load(lx->fn, lx->b, 8, p, w * 8);
	ir_ref_t nlo = bin(lx, IR_ADD, old, sqlo);
	ir_store(lx->fn, lx->b, 8, p, w * 8, nlo);
	add_word(lx, p, w + 1, bin(lx, IR_ADD, sqhi,
				   bin(lx, IR_CULT, nlo, old)));
}

/* min/max: p[w] = v if this CPU has no value yet or v beats it. */
static void agg_extreme(lower_t *lx, ir_ref_t p, int32_t w, ir_ref_t v,
			bool min)
{
	ir_ref_t cur = ir_load(lx->fn, lx->b, 8, p, w * 8);
	ir_ref_t beats = bin(lx, min ? IR_CSLT : IR_CSGT, v, cur);
	ir_ref_t first = bin(lx, IR_CEQ, ir_load(lx->fn, lx->b, 8, p, 0),
			     con(lx, 0));
	ir_blk_t *set = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, bin(lx, IR_OR, beats, first), set, join);
	ir_store(lx->fn, set, 8, p, w * 8, v);
	ir_jmp(set, join);
	lx->b = join;
}

/* The bucket's word: p + (data + b) * 8. */
static void add_bucket(lower_t *lx, ir_ref_t p, uint32_t data, ir_ref_t b,
		       ir_ref_t incr)
{
	ir_ref_t addr = bin(lx, IR_ADD, p, bin(lx, IR_SHL, b, con(lx, 3)));

	add_word(lx, addr, (int32_t)data, incr);
}

/* @name[keys] = func(args) */
static void lower_agg(lower_t *lx, const dl_node_t *s)
{
	dl_agg_t *a = s->sema;
	const dl_node_t *call = s->rhs, *arg = call->args;
	ir_ref_t v = IR_NONE, incr = con(lx, 1), b = IR_NONE;
	ir_blk_t *done = new_blk(lx);
	int32_t d = (int32_t)DL_AGG_DATA(a);

	a->lowered = true;
	if (a->fn != DL_AGG_COUNT)
		v = lower_expr(lx, arg).v;
	if (a->fn >= DL_AGG_QUANTIZE) {
		const dl_node_t *in = arg->next;
		int skip = a->fn == DL_AGG_QUANTIZE ? 0 :
			   a->fn == DL_AGG_LQUANTIZE ? 3 : 4;
		for (int i = 0; i < skip && in != NULL; i++)
			in = in->next;
		if (in != NULL)
			incr = lower_expr(lx, in).v;
		b = a->fn == DL_AGG_QUANTIZE ? quantize_bucket(lx, v) :
		    a->fn == DL_AGG_LQUANTIZE ? lquantize_bucket(lx, a, v) :
						llquantize_bucket(lx, a, v);
	}
	ir_ref_t p = agg_entry(lx, a, s->lhs, done);
	if (a->gen)
		agg_generation(lx, a, p);
	switch (a->fn) {
	case DL_AGG_COUNT:
		break;
	case DL_AGG_SUM: case DL_AGG_AVG:
		add_word(lx, p, d, v);
		break;
	case DL_AGG_MIN: case DL_AGG_MAX:
		agg_extreme(lx, p, d, v, a->fn == DL_AGG_MIN);
		break;
	case DL_AGG_STDDEV:
		add_word(lx, p, d, v);
		add_square(lx, p, d + 1, v);
		break;
	default:
		add_bucket(lx, p, (uint32_t)d, b, incr);
		break;
	}
	add_word(lx, p, 0, con(lx, 1));
	ir_jmp(lx->b, done);
	lx->b = done;
}

/* ---- associative arrays ------------------------------------------------ */

static const dl_assoc_t *assoc_of(lower_t *lx, const dl_varref_t *r)
{
	dl_assoc_t *a = lx->cx->assocs->v[r->idx];

	a->lowered = true;
	return a;
}

/* The element's value: a pointer into the map, or NULL when absent. */
static ir_ref_t assoc_lookup(lower_t *lx, const dl_assoc_t *a, ir_ref_t key)
{
	ir_ref_t la[2] = { ir_ldmap(lx->fn, lx->b,
				    DL_MAP_ASSOC0 + (int)a->id), key };

	return call(lx, 1, 2, la);		/* map_lookup_elem */
}

static ir_ref_t assoc_load(lower_t *lx, const dl_varref_t *r, ir_ref_t key)
{
	return int_or_zero(lx, assoc_lookup(lx, assoc_of(lx, r), key));
}

static void assoc_store(lower_t *lx, const dl_varref_t *r, ir_ref_t key,
			ir_ref_t v)
{
	const dl_assoc_t *a = assoc_of(lx, r);

	dyn_store(lx, DL_MAP_ASSOC0 + (int)a->id, key, v, stack_alloc(lx, 8));
}

static val_t assoc_str_load(lower_t *lx, const dl_varref_t *r, ir_ref_t key)
{
	const dl_assoc_t *a = assoc_of(lx, r);

	return str_or_empty(lx, assoc_lookup(lx, a, key), a->valsize);
}

static void assoc_str_store(lower_t *lx, const dl_node_t *n,
			    const dl_varref_t *r, ir_ref_t key, val_t s)
{
	const dl_assoc_t *a = assoc_of(lx, r);
	ir_ref_t tmp = scratch_alloc(lx, n, a->valsize);

	str_copy(lx, tmp, a->valsize, s);
	dyn_update(lx, DL_MAP_ASSOC0 + (int)a->id, key, tmp);
}

/* The key of a[...] (computed once for x op= v and x++). */
static ir_ref_t assoc_key(lower_t *lx, const dl_node_t *n)
{
	const dl_assoc_t *a = assoc_of(lx, n->sema);

	return tuple_key(lx, &a->tup, n, a->self);
}

/* Count a drop in the per-CPU drop counters, then go on at cont. */
static void count_drop(lower_t *lx, int kind, ir_blk_t *cont)
{
	if (lx->dropkey == 0)
		lx->dropkey = stack_alloc(lx, 8);
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), lx->dropkey, con(lx, kind));
	ir_ref_t key = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, lx->dropkey));
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_DROPS), key };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
	ir_blk_t *inc = new_blk(lx);
	ir_jnz(lx->b, p, inc, cont);
	if (kind == DL_DROP_NESTED && lx->hooks->preempt) {
		/* outside the guard: firings that found the CPU busy may
		   preempt each other here too (lower_guard) */
		ir_emit(lx->fn, inc, IR_XADD8, IR_NONE, con(lx, 1), p);
	} else {
		ir_ref_t v = ir_load(lx->fn, inc, 8, p, 0);
		ir_store(lx->fn, inc, 8, p, 0,
			 ir_bin(lx->fn, inc, IR_ADD, v, con(lx, 1)));
	}
	ir_jmp(inc, cont);
}

/*
 * -x bufpolicy=fill: the record's bytes come out of what is left of this
 * CPU's buffer (DL_MAP_BUFLEFT); a record that does not fit is a drop,
 * and the consumer, seeing it, stops tracing.
 */
static void fill_check(lower_t *lx, uint32_t recsize)
{
	int64_t sz = ((int64_t)recsize + 7) & ~7;

	if (lx->dropkey == 0)
		lx->dropkey = stack_alloc(lx, 8);
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), lx->dropkey, con(lx, 0));
	ir_ref_t key = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, lx->dropkey));
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_BUFLEFT), key };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
	ir_blk_t *have = new_blk(lx), *fits = new_blk(lx), *full = new_blk(lx),
		 *go = new_blk(lx);
	ir_jnz(lx->b, p, have, go);
	ir_ref_t left = ir_load(lx->fn, have, 8, p, 0);
	ir_jnz(have, ir_bin(lx->fn, have, IR_CUGT, con(lx, sz), left), full,
	       fits);
	ir_store(lx->fn, fits, 8, p, 0, ir_bin(lx->fn, fits, IR_SUB, left,
					       con(lx, sz)));
	ir_jmp(fits, go);
	lx->b = full;
	count_drop(lx, DL_DROP_RINGBUF, lx->next);
	lx->b = go;
}

static void reserve_record(lower_t *lx)
{
	dl_clause_t *c = lx->clause;

	if (lx->hooks->fill)
		fill_check(lx, c->recsize);
	ir_ref_t a[3] = { ir_ldmap(lx->fn, lx->b, DL_MAP_RINGBUF),
			  con(lx, c->recsize), con(lx, 0) };

	lx->rec = call(lx, 131, 3, a);		/* ringbuf_reserve */
	ir_blk_t *ok = new_blk(lx), *drop = new_blk(lx);
	ir_jnz(lx->b, lx->rec, ok, drop);
	lx->b = drop;
	count_drop(lx, DL_DROP_RINGBUF, lx->next);
	lx->b = ok;
	lx->have_rec = true;
	ir_store(lx->fn, ok, 4, lx->rec, 0, con(lx, c->id));
	ir_store(lx->fn, ok, 4, lx->rec, 4, probe_id(lx));
	ir_store(lx->fn, lx->b, 4, lx->rec, 8, call(lx, 8, 0, NULL));
	ir_store(lx->fn, lx->b, 4, lx->rec, 12, con(lx, 0));
}

/*
 * Waking the consumer for every record costs more than the rest of a
 * firing (an irq_work and a wakeup, about a microsecond), so records are
 * submitted without a wakeup (BPF_RB_NO_WAKEUP) and the consumer reads
 * the buffer at least every 100 ms; a firing that finds the buffer more
 * than a quarter full (hooks->wakeup_at) wakes it (BPF_RB_FORCE_WAKEUP),
 * and so does exit(), which should end tracing at once.
 */
static ir_ref_t submit_flags(lower_t *lx, const dl_clause_t *c)
{
	for (size_t i = 0; i < c->nacts; i++)	/* exit(), and what frees
						   a speculation */
		if (c->acts[i].kind == DL_ACT_EXIT ||
		    c->acts[i].kind == DL_ACT_COMMIT ||
		    c->acts[i].kind == DL_ACT_DISCARD)
			return con(lx, 2);	/* BPF_RB_FORCE_WAKEUP */
	if (lx->hooks->wakeup_at == 0)
		return con(lx, 1);		/* BPF_RB_NO_WAKEUP */
	ir_ref_t qa[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_RINGBUF),
			   con(lx, 0) };	/* BPF_RB_AVAIL_DATA */
	ir_ref_t avail = call(lx, 134, 2, qa);	/* ringbuf_query */
	ir_ref_t full = bin(lx, IR_CUGT, avail,
			    con(lx, (int64_t)lx->hooks->wakeup_at));
	/* 1 (NO_WAKEUP) + full: 2 (FORCE_WAKEUP) when full */
	return bin(lx, IR_ADD, full, con(lx, 1));
}

static void lower_clause(lower_t *lx, dl_clause_t *c)
{
	const dl_node_t *n = c->node;

	lx->clause = c;
	lx->loc = n->loc;
	lx->have_rec = false;
	lx->action = 0;
	lx->next = new_blk(lx);
	if (n->cond != NULL) {
		ir_ref_t p = lower_expr(lx, n->cond).v;
		ir_blk_t *body = new_blk(lx);
		if (lx->defer_id && !lx->need_probeid && !lx->need_pinfo) {
			lx->idblk = new_blk(lx);
			lx->idbody = body;
			ir_jnz(lx->b, p, lx->idblk, lx->next);
		} else {
			ir_jnz(lx->b, p, body, lx->next);
		}
		lx->b = body;
	}
	/* an empty clause's record prints the probe's line, which -q does
	   not: then it writes none */
	bool rec = c->recsize > 0 && !(lx->hooks->quiet && c->nacts == 0);
	if (rec)
		reserve_record(lx);
	lower_stmts(lx, n->body);
	if (rec) {
		ir_ref_t a[2] = { lx->rec, submit_flags(lx, c) };
		call(lx, 132, 2, a);		/* ringbuf_submit */
	}
	lx->have_rec = false;
	ir_jmp(lx->b, lx->next);
	lx->b = lx->next;
	if (lx->alloc_clause)	/* every path of the clause comes here */
		ir_store(lx->fn, lx->b, 8, lx->scratch,
			 (int32_t)lx->allocoff - 1, con(lx, 0));
	lx->alloc_clause = false;
}

/*
 * The ERROR clauses, once, where the program's faults jump to: they run
 * as the ERROR probe (probe id 3, dtrace:::ERROR's names, DTrace's
 * arguments: arg1 the faulting enabled probe id, arg2 the action, arg4
 * the fault, arg5 the address), in the faulting thread's context; then
 * the firing goes on after the clause that faulted.  A fault in an ERROR
 * clause is reported to the consumer instead.
 */
static void lower_error(lower_t *lx, size_t n)
{
	lx->b = lx->errentry;
	lx->in_error = true;
	for (size_t i = 0; i < lx->hooks->nerrclauses; i++)
		lower_clause(lx, lx->hooks->errclauses[i]);
	for (size_t i = 0; i < n; i++) {
		ir_blk_t *no = new_blk(lx);
		ir_jnz(lx->b, bin(lx, IR_CEQ, lx->err_resume, con(lx, i)),
		       lx->resume[i], no);
		lx->b = no;
	}
	ir_jmp(lx->b, lx->exit);
	lx->in_error = false;
}

/* A map's only value (key 0) into res, or leave the firing if absent. */
static void lookup_one(lower_t *lx, int map, int32_t key, ir_ref_t keyval,
		       ir_ref_t res)
{
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), key, keyval);
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, map),
			  bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, key)) };
	ir_emit(lx->fn, lx->b, IR_COPY, res, call(lx, 1, 2, a), IR_NONE);
	ir_blk_t *ok = new_blk(lx);
	ir_jnz(lx->b, res, ok, lx->exit);
	lx->b = ok;
}

/*
 * Nested firings.  A program may start on a CPU while another of ours is
 * running there: a profile or cpc probe in an interrupt or NMI, an sdt
 * or fbt probe in kernel code that a helper of the running program calls
 * (a copyin() that faults fires exceptions:page_fault_kernel).  The
 * kernel stops a program only from nesting in itself (it counts those in
 * the program's recursion_misses, which the consumer reports too); one
 * program in another would share the CPU's scratch space, strtok() state
 * and aggregation values with the firing it interrupted, half-way
 * through.  So where the script has probes that can nest (hooks->guard),
 * every firing marks its CPU busy in DL_MAP_DROPS' DL_DROP_BUSY entry
 * until it returns (lx->exit clears it), and a firing that finds the
 * mark set returns at once, counted as a DL_DROP_NESTED drop: nothing is
 * corrupted, and nothing is lost without a word.  No atomics are needed
 * for nesting: a firing that interrupts this one runs to its end before
 * this one goes on, so the mark read is the mark of this CPU's outer
 * firings only.  Preemption is another matter (hooks->preempt: programs
 * on uprobe_multi links, 6.6+, run with only migration disabled, and a
 * kernel with preempt=full switches tasks in the middle of them; 6.1's
 * classic uprobes were not seen preempted): two
 * firings could each read the mark clear before either sets it, so the
 * mark is set and its old value read in one atomic exchange.  A firing
 * that found it set leaves it set (its owner, preempted, clears it).
 */
static void lower_guard(lower_t *lx, int32_t key)
{
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), key, con(lx, DL_DROP_BUSY));
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_DROPS),
			  bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, key)) };
	ir_emit(lx->fn, lx->b, IR_COPY, lx->busy, call(lx, 1, 2, a), IR_NONE);
	ir_blk_t *have = new_blk(lx), *nested = new_blk(lx),
		 *run = new_blk(lx);
	ir_jnz(lx->b, lx->busy, have, lx->ret);
	if (lx->hooks->preempt) {
		ir_ref_t old = ir_tmp(lx->fn);
		ir_emit(lx->fn, have, IR_XCHG8, old, con(lx, 1), lx->busy);
		ir_jnz(have, old, nested, run);
	} else {
		ir_jnz(have, ir_load(lx->fn, have, 8, lx->busy, 0), nested,
		       run);
	}
	lx->b = nested;
	lx->dropkey = key;
	count_drop(lx, DL_DROP_NESTED, lx->ret);
	lx->b = run;
	if (!lx->hooks->preempt)
		ir_store(lx->fn, run, 8, lx->busy, 0, con(lx, 1));
}

/* Whatever the clauses needed once per firing, computed up front. */
static void lower_prologue(lower_t *lx, ir_blk_t *pro, ir_blk_t *body)
{
	lx->b = pro;
	ir_emit(lx->fn, pro, IR_COPY, lx->ctx, ir_reg(1), IR_NONE);
	/* the provider's check that this firing is ours, if it has one */
	ir_ref_t id = lx->hooks->pvar(lx->hooks->arg, lx->fn, &lx->b, lx->ctx,
				      lx->ret, DL_PV_ENTRY, 0);
	if (lx->hooks->only_cpu > 0) {		/* -x cpu */
		ir_blk_t *mine = new_blk(lx);
		ir_jnz(lx->b, bin(lx, IR_CEQ, call(lx, 8, 0, NULL),
				  con(lx, lx->hooks->only_cpu - 1)), mine,
		       lx->ret);
		lx->b = mine;
	}
	int32_t key = (lx->need_strbase || lx->need_pinfo ||
		       lx->need_gbase || lx->need_genbase ||
		       lx->need_scratch || lx->hooks->guard) ?
		      stack_alloc(lx, 8) : 0;
	if (lx->hooks->guard)
		lower_guard(lx, key);
	bool defer = lx->idblk != NULL && ir_is_none(id);
	if (!defer && ir_is_none(id) && (lx->need_probeid || lx->need_pinfo))
		id = pvar(lx, DL_PV_PROBEID, 0);
	if (!ir_is_none(id))
		ir_emit(lx->fn, lx->b, IR_COPY, lx->probeid, id, IR_NONE);
	if (lx->need_strbase)
		lookup_one(lx, DL_MAP_STRTAB, key, con(lx, 0), lx->strbase);
	if (lx->need_pinfo && !defer)
		lookup_one(lx, DL_MAP_PROBES, key, lx->probeid, lx->pinfo);
	if (lx->idblk != NULL) {	/* after the predicate passed */
		ir_blk_t *b = lx->b;
		lx->b = lx->idblk;
		if (defer && (lx->need_probeid || lx->need_pinfo))
			ir_emit(lx->fn, lx->b, IR_COPY, lx->probeid,
				pvar(lx, DL_PV_PROBEID, 0), IR_NONE);
		if (defer && lx->need_pinfo)
			lookup_one(lx, DL_MAP_PROBES, key, lx->probeid,
				   lx->pinfo);
		ir_jmp(lx->b, lx->idbody);
		lx->b = b;
	}
	if (lx->need_gbase)
		lookup_one(lx, DL_MAP_GLOBALS, key, con(lx, 0), lx->gbase);
	if (lx->need_genbase)
		lookup_one(lx, DL_MAP_AGGGEN, key, con(lx, 0), lx->genbase);
	if (lx->need_scratch)
		lookup_one(lx, DL_MAP_SCRATCH, key, con(lx, 0), lx->scratch);
	if (lx->allocoff != 0)
		ir_store(lx->fn, lx->b, 8, lx->scratch,
			 (int32_t)lx->allocoff - 1, con(lx, 0));
	if (lx->need_saddr) {	/* the map pointer, read back as a number */
		int32_t p = stack_alloc(lx, 8), q = stack_alloc(lx, 8);
		ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP), p, lx->scratch);
		ir_ref_t a[3] = { bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, q)),
				  con(lx, 8), bin(lx, IR_ADD, ir_reg(IR_FP),
						  con(lx, p)) };
		call(lx, 113, 3, a);		/* probe_read_kernel */
		ir_emit(lx->fn, lx->b, IR_COPY, lx->saddr,
			ir_load(lx->fn, lx->b, 8, ir_reg(IR_FP), q), IR_NONE);
	}
	for (size_t i = 0; i < lx->cx->thisvars.n; i++) {
		const dl_dvar_t *v = &lx->cx->thisvars.vars[i];
		if (lx->thisstr[i] == 0)
			continue;
		if (strcmp(v->tname, "string") == 0) {	/* "" */
			ir_store(lx->fn, lx->b, 1, lx->scratch,
				 lx->thisstr[i] - 1, con(lx, 0));
			continue;
		}
		for (uint32_t z = 0; z < v->size; z += 8)	/* zeroed */
			ir_store(lx->fn, lx->b, 8, lx->scratch,
				 lx->thisstr[i] - 1 + (int32_t)z, con(lx, 0));
	}
	for (size_t i = 0; i < lx->cx->thisvars.n; i++)
		if (lx->thisslot[i] != 0)
			ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP),
				 lx->thisslot[i], con(lx, 0));
	ir_jmp(lx->b, body);
}

/*
 * How many this-> variables have a stack slot.  A clause's other slots
 * (execname buffers, aggregation keys, the self-> and drop keys, which
 * are set before every use) are dead once it ends, so the next clause
 * reuses them; this-> slots live through every clause of the firing.
 */
static size_t this_slots(const lower_t *lx)
{
	size_t k = 0;

	for (size_t i = 0; i < lx->cx->thisvars.n; i++)
		k += lx->thisslot[i] != 0;
	return k;
}

/* The stack is full (stack_alloc, or a provider's hook allocating through
   ir_frame_alloc): a limit of the program, at the statement lowered. */
static _Noreturn void frame_full(void *arg, int32_t need)
{
	lower_t *lx = arg;

	(void)need;
	dl_error(lx->cx, lx->loc, D_LIMIT, "the clauses of this probe need "
		 "more than %d bytes of BPF stack (limit is %d)",
		 IR_FRAME_MAX, IR_FRAME_MAX);
}

ir_func_t *dl_lower(dl_ctx_t *cx, dl_clause_t **clauses, size_t n,
		    const dl_lowerhooks_t *hooks, dl_strtab_t *strtab,
		    const char *name)
{
	lower_t lx = { .cx = cx, .hooks = hooks, .strtab = strtab };

	lx.fn = ir_func_new(cx->arena, name);
	lx.fn->frame_full = frame_full;
	lx.fn->frame_full_arg = &lx;
	ir_blk_t *pro = new_blk(&lx), *body = new_blk(&lx);
	lx.exit = lx.ret = new_blk(&lx);
	ir_ret(lx.ret, ir_con(lx.fn, 0));
	if (hooks->guard) {	/* see lower_guard() */
		lx.busy = ir_tmp(lx.fn);
		lx.exit = new_blk(&lx);
		ir_store(lx.fn, lx.exit, 8, lx.busy, 0, ir_con(lx.fn, 0));
		ir_ret(lx.exit, ir_con(lx.fn, 0));
	}
	lx.ctx = ir_tmp(lx.fn);
	lx.probeid = ir_tmp(lx.fn);
	lx.strbase = ir_tmp(lx.fn);
	lx.pinfo = ir_tmp(lx.fn);
	lx.gbase = ir_tmp(lx.fn);
	lx.genbase = ir_tmp(lx.fn);
	lx.scratch = ir_tmp(lx.fn);
	lx.saddr = ir_tmp(lx.fn);
	lx.thisstr = dl_alloc(cx->arena, (cx->thisvars.n + 1) *
			      sizeof(*lx.thisstr));
	lx.thisslot = dl_alloc(cx->arena, (cx->thisvars.n + 1) *
			       sizeof(*lx.thisslot));
	lx.b = body;
	lx.err_epid = ir_tmp(lx.fn);
	lx.err_act = ir_tmp(lx.fn);
	lx.err_kind = ir_tmp(lx.fn);
	lx.err_addr = ir_tmp(lx.fn);
	lx.err_resume = ir_tmp(lx.fn);
	lx.err_pc = ir_tmp(lx.fn);
	lx.resume = dl_alloc(cx->arena, (n + 1) * sizeof(*lx.resume));
	lx.defer_id = n == 1;
	int32_t peak = 0;
	for (size_t i = 0; i < n; i++) {	/* its blocks' clause (ir.h) */
		int32_t base = lx.fn->frame;
		size_t nthis = this_slots(&lx);
		lx.b->clause = lx.fn->clause = (int32_t)i + 1;
		lx.cidx = (uint32_t)i;
		lower_clause(&lx, clauses[i]);
		lx.resume[i] = lx.b;	/* what follows clause i */
		/* its stack slots are dead now, unless it made this-> ones */
		if (this_slots(&lx) == nthis) {
			if (lx.fn->frame > peak)
				peak = lx.fn->frame;
			lx.fn->frame = base;
			lx.selfkey = lx.selfval = lx.dropkey = 0;
			lx.nkeyslots = 0;
		}
	}
	if (peak > lx.fn->frame)
		lx.fn->frame = peak;
	lx.fn->clause = 0;	/* lx.b, the last clause's end, is its own */
	ir_jmp(lx.b, lx.exit);
	if (lx.errentry != NULL)
		lower_error(&lx, n);
	lower_prologue(&lx, pro, body);
	lx.fn->frame_full = NULL;	/* lx goes away with this frame */
	lx.fn->frame_full_arg = NULL;
	return lx.fn;
}
