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
 * self-> variables are entries of DL_MAP_SELF (see self_load()).
 * Nothing here knows a provider: argN, errno and
 * the probe id come from hooks->pvar.
 */
#include <string.h>

#include "dlang.h"
#include "ir.h"

#define TASK_COMM_LEN 16

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
	bool need_probeid, need_strbase, need_pinfo, need_gbase,
	     need_genbase;
	int32_t *thisslot;	/* by this-> index: frame offset, or 0 */
	int32_t selfkey;	/* dl_selfkey_t stack slot, or 0 */
	int32_t selfval;	/* stack slot of a self-> value stored */
	int32_t dropkey;	/* DL_MAP_DROPS key stack slot, or 0 */
	dl_clause_t *clause;
	ir_ref_t rec;		/* the clause's record, once reserved */
	bool have_rec;
	int action;		/* 1-based index of the action being lowered */
	ir_blk_t *next;		/* where the current clause continues */
	ir_blk_t *exit;		/* return 0 */
} lower_t;

static val_t lower_expr(lower_t *lx, const dl_node_t *n);

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
	ir_ref_t r = lx->hooks->pvar(lx->hooks->arg, lx->fn, &lx->b, lx->ctx,
				     lx->exit, what, n);

	return ir_is_none(r) ? con(lx, 0) : r;
}

static ir_ref_t pid_tgid(lower_t *lx)
{
	return call(lx, 14, 0, NULL);	/* get_current_pid_tgid */
}

static ir_ref_t probe_id(lower_t *lx)
{
	if (lx->hooks->probe_id != 0)
		return con(lx, lx->hooks->probe_id);
	lx->need_probeid = true;
	return lx->probeid;
}

/* A probe name field: a constant for a one-probe program, else read from
   the probe-names map. */
static val_t probe_name(lower_t *lx, size_t off, size_t size)
{
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
	int32_t slot = ir_frame_alloc(lx->fn, TASK_COMM_LEN);
	ir_ref_t buf = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot));
	ir_ref_t a[2] = { buf, con(lx, TASK_COMM_LEN) };

	call(lx, 16, 2, a);		/* get_current_comm */
	return (val_t){ buf, TASK_COMM_LEN };
}

/* Read a kernel value of size bytes at addr into a temp (0 on a fault of
   the read itself, which the helper zero-fills). */
static ir_ref_t kread(lower_t *lx, ir_ref_t addr, int size)
{
	int32_t slot = ir_frame_alloc(lx->fn, 8);
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
	ir_ref_t task = call(lx, 35, 0, NULL);	/* get_current_task */
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
	int32_t val = ir_frame_alloc(lx->fn, (int32_t)sizeof(dl_vtime_t));

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
	int32_t slot = ir_frame_alloc(lx->fn, 8);
	ir_ref_t key = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot));
	ir_ref_t res = ir_tmp(lx->fn);

	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), slot, pid_tgid(lx));
	ir_ref_t now = call(lx, 5, 0, NULL);	/* ktime_get_ns */
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_VTIME), key };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
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
INT_VAR(uid, unop(lx, IR_ZEXT32, call(lx, 15, 0, NULL)))	/* uid_gid */
INT_VAR(gid, bin(lx, IR_SHR, call(lx, 15, 0, NULL), con(lx, 32)))
INT_VAR(timestamp, call(lx, 5, 0, NULL))			/* ktime_get_ns */
INT_VAR(walltimestamp, bin(lx, IR_ADD, call(lx, 5, 0, NULL),
			   con(lx, lx->hooks->walltime_off)))
INT_VAR(cpu, call(lx, 8, 0, NULL))		/* get_smp_processor_id */
INT_VAR(curthread, call(lx, 35, 0, NULL))	/* get_current_task */
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
		lx->thisslot[r->idx] = ir_frame_alloc(lx->fn, 8);
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
		lx->selfkey = ir_frame_alloc(lx->fn, sizeof(dl_selfkey_t));
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP),
		 lx->selfkey + (int32_t)offsetof(dl_selfkey_t, tid),
		 pid_tgid(lx));
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP),
		 lx->selfkey + (int32_t)offsetof(dl_selfkey_t, varid),
		 con(lx, varid));
	return bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, lx->selfkey));
}

static ir_ref_t self_load(lower_t *lx, uint32_t varid)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_SELF),
			  self_key(lx, varid) };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
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

static void self_store(lower_t *lx, uint32_t varid, ir_ref_t v)
{
	ir_ref_t key = self_key(lx, varid);
	ir_blk_t *set = new_blk(lx), *del = new_blk(lx), *drop = new_blk(lx),
		 *join = new_blk(lx);

	ir_jnz(lx->b, v, set, del);
	ir_ref_t da[2] = { ir_ldmap(lx->fn, del, DL_MAP_SELF), key };
	ir_call(lx->fn, del, 3, 2, da);		/* map_delete_elem */
	ir_jmp(del, join);
	if (lx->selfval == 0)
		lx->selfval = ir_frame_alloc(lx->fn, 8);
	ir_store(lx->fn, set, 8, ir_reg(IR_FP), lx->selfval, v);
	ir_ref_t ua[4] = { ir_ldmap(lx->fn, set, DL_MAP_SELF), key,
			   ir_bin(lx->fn, set, IR_ADD, ir_reg(IR_FP),
				  con(lx, lx->selfval)), con(lx, 0) };
	ir_ref_t rc = ir_call(lx->fn, set, 2, 4, ua);	/* map_update */
	ir_jnz(set, rc, drop, join);
	lx->b = drop;
	count_drop(lx, DL_DROP_DYNVAR, join);
	lx->b = join;
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

static val_t lower_var(lower_t *lx, const dl_node_t *n)
{
	const dl_varref_t *r = n->sema;
	dl_var_t v = (dl_var_t)r->idx;

	if (r->kind != DL_VK_BUILTIN)
		return (val_t){ var_load(lx, r) };
	if (v >= DL_V_arg0 && v <= DL_V_arg9)
		return (val_t){ pvar(lx, DL_PV_ARG, (int)(v - DL_V_arg0)) };
	/* sema refuses the variables dl_idents.h marks unsupported */
	if (var_fns[v] == NULL)
		dl_error(lx->cx, n->loc, D_UNSUPPORTED,
			 "built-in variable %s is not supported yet", n->name);
	return var_fns[v](lx, n);
}

/* ---- faults ------------------------------------------------------------- */

/* Branch to a new fault block when cond is nonzero; code continues in a
   fresh block.  The fault block reports kind and goes to the next clause. */
static void fault_if(lower_t *lx, ir_ref_t cond, uint32_t kind)
{
	ir_blk_t *flt = new_blk(lx), *ok = new_blk(lx);

	ir_jnz(lx->b, cond, flt, ok);
	lx->b = flt;
	if (lx->have_rec) {
		ir_ref_t a[2] = { lx->rec, con(lx, 0) };
		call(lx, 133, 2, a);		/* ringbuf_discard */
	}
	ir_ref_t ra[3] = { ir_ldmap(lx->fn, lx->b, DL_MAP_RINGBUF),
			   con(lx, sizeof(dl_rechdr_t) + 8), con(lx, 0) };
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
	ir_store(lx->fn, lx->b, 4, frec, 20, con(lx, 0));
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

static val_t lower_binary(lower_t *lx, const dl_node_t *n)
{
	if (n->lhs->type->kind == TY_STRING)
		return (val_t){ lower_strcmp(lx, n) };

	bool relop = n->op >= BOP_LT && n->op <= BOP_NE;
	ir_ref_t a = lower_expr(lx, n->lhs).v;
	ir_ref_t b = lower_expr(lx, n->rhs).v;

	if (!relop)
		return (val_t){ arith(lx, n->op, a, b, n->type) };
	const dl_type_t *opt = dl_type_arith(&lx->cx->types, n->lhs->type,
					     n->rhs->type);
	return (val_t){ bin(lx, binop_ir[n->op][opt->is_signed], a, b) };
}

/* x = v and x op= v: the value stored, in x's form. */
static val_t lower_assign(lower_t *lx, const dl_node_t *n)
{
	const dl_type_t *xt = n->lhs->type, *rt = n->rhs->type;
	const dl_varref_t *r = n->lhs->sema;
	ir_ref_t v = lower_expr(lx, n->rhs).v;

	if (n->op != BOP_NONE) {
		const dl_types_t *t = &lx->cx->types;
		bool shift = n->op == BOP_SHL || n->op == BOP_SHR;
		v = arith(lx, n->op, var_load(lx, r), v, shift ?
			  dl_type_promote(t, xt) : dl_type_arith(t, xt, rt));
	}
	v = norm(lx, v, xt);
	var_store(lx, r, v);
	return (val_t){ v };
}

/* ++x, --x (the new value) and x++, x-- (the old one). */
static val_t lower_incdec(lower_t *lx, const dl_node_t *n)
{
	bool inc = n->kind == ND_PREINC || n->kind == ND_POSTINC;
	bool pre = n->kind == ND_PREINC || n->kind == ND_PREDEC;
	const dl_varref_t *r = n->lhs->sema;
	ir_ref_t old = var_load(lx, r);
	ir_ref_t v = norm(lx, bin(lx, inc ? IR_ADD : IR_SUB, old,
				  con(lx, 1)), n->type);

	var_store(lx, r, v);
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

/* One arm of a ternary: its value, converted to the result type rt. */
static val_t lower_arm(lower_t *lx, const dl_node_t *arm,
		       const dl_type_t *rt, ir_ref_t res, ir_blk_t *join)
{
	val_t v = lower_expr(lx, arm);

	if (rt->kind != TY_STRING)
		v.v = norm(lx, v.v, rt);
	ir_emit(lx->fn, lx->b, IR_COPY, res, v.v, IR_NONE);
	ir_jmp(lx->b, join);
	return v;
}

static val_t lower_ternary(lower_t *lx, const dl_node_t *n)
{
	ir_ref_t res = ir_tmp(lx->fn);
	ir_ref_t c = lower_expr(lx, n->cond).v;
	ir_blk_t *t = new_blk(lx), *f = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, c, t, f);
	lx->b = t;
	val_t a = lower_arm(lx, n->lhs, n->type, res, join);
	lx->b = f;
	val_t b = lower_arm(lx, n->rhs, n->type, res, join);
	lx->b = join;
	if (n->type->kind == TY_STRING)
		return (val_t){ res, a.size < b.size ? a.size : b.size };
	return (val_t){ norm(lx, res, n->type) };
}

static val_t lower_unary(lower_t *lx, const dl_node_t *n)
{
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
	val_t v = lower_expr(lx, n);

	if (f->kind == DL_F_STRING) {
		ir_ref_t dst = bin(lx, IR_ADD, lx->rec, con(lx, f->off));
		ir_ref_t a[3] = { dst, con(lx, f->size), v.v };
		call(lx, 115, 3, a);		/* probe_read_kernel_str */
		return;
	}
	ir_store(lx->fn, lx->b, (int)f->size, lx->rec, (int32_t)f->off, v.v);
}

static void lower_action(lower_t *lx, const dl_node_t *call_node)
{
	const dl_action_t *a = call_node->sema;
	const dl_node_t *arg = call_node->args;

	lx->action++;
	if (a->kind == DL_ACT_PRINTF)
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
		if (s->kind == ND_EXPR_STMT && s->lhs->sema != NULL &&
		    s->lhs->kind == ND_CALL)
			lower_action(lx, s->lhs);
		else if (s->kind == ND_EXPR_STMT)
			lower_expr(lx, s->lhs);
		else if (s->kind == ND_IF)
			lower_if(lx, s);
		else if (s->kind == ND_BLOCK)
			lower_stmts(lx, s->body);
		else if (s->kind == ND_AGG_STMT)
			lower_agg(lx, s);
	}
}

/* ---- aggregations --------------------------------------------------------- */

/* if (cond) { to = v } as a diamond; code continues after it. */
static void set_if(lower_t *lx, ir_ref_t cond, ir_ref_t to, ir_ref_t v)
{
	ir_blk_t *t = new_blk(lx), *join = new_blk(lx);

	ir_jnz(lx->b, cond, t, join);
	ir_emit(lx->fn, t, IR_COPY, to, v, IR_NONE);
	ir_jmp(t, join);
	lx->b = join;
}

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
static ir_ref_t agg_key(lower_t *lx, const dl_agg_t *a, const dl_node_t *ref)
{
	int32_t slot = ir_frame_alloc(lx->fn, (int32_t)a->keysize);
	const dl_node_t *k = ref->args;

	for (uint32_t i = 0; i < a->nkeys; i++, k = k->next) {
		const dl_aggkey_t *ak = &a->keys[i];
		int32_t off = slot + (int32_t)ak->off;
		val_t v = lower_expr(lx, k);
		if (!ak->is_str) {
			ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP), off, v.v);
			continue;
		}
		for (uint32_t z = 0; z < ak->size; z += 8)
			ir_store(lx->fn, lx->b, 8, ir_reg(IR_FP),
				 off + (int32_t)z, con(lx, 0));
		uint32_t n = v.size < ak->size ? v.size : ak->size;
		ir_ref_t ra[3] = { bin(lx, IR_ADD, ir_reg(IR_FP),
				       con(lx, off)), con(lx, n), v.v };
		call(lx, 115, 3, ra);		/* probe_read_kernel_str */
	}
	return bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, slot));
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
 * This CPU's value for the key, created (zeroed, from DL_MAP_AGGZERO) if
 * the key is new; a full map counts an aggregation drop and skips the
 * update (goes to done).
 */
static ir_ref_t agg_entry(lower_t *lx, const dl_agg_t *a, const dl_node_t *ref,
			  ir_blk_t *done)
{
	int map = DL_MAP_AGG0 + (int)a->id;
	ir_ref_t p = ir_tmp(lx->fn);

	if (a->nkeys == 0) {	/* a per-CPU array of one entry */
		int32_t slot = ir_frame_alloc(lx->fn, 8);
		ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), slot, con(lx, 0));
		agg_lookup(lx, map, bin(lx, IR_ADD, ir_reg(IR_FP),
					con(lx, slot)), p, done);
		return p;
	}
	ir_ref_t key = agg_key(lx, a, ref);
	ir_blk_t *miss = new_blk(lx), *have = new_blk(lx);
	agg_lookup(lx, map, key, p, miss);
	ir_jmp(lx->b, have);
	/* a new key */
	lx->b = miss;
	int32_t zslot = ir_frame_alloc(lx->fn, 8);
	ir_ref_t zero = ir_tmp(lx->fn);
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), zslot, con(lx, 0));
	agg_lookup(lx, DL_MAP_AGGZERO, bin(lx, IR_ADD, ir_reg(IR_FP),
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

/* Count a drop in the per-CPU drop counters, then go on at cont. */
static void count_drop(lower_t *lx, int kind, ir_blk_t *cont)
{
	if (lx->dropkey == 0)
		lx->dropkey = ir_frame_alloc(lx->fn, 8);
	ir_store(lx->fn, lx->b, 4, ir_reg(IR_FP), lx->dropkey, con(lx, kind));
	ir_ref_t key = bin(lx, IR_ADD, ir_reg(IR_FP), con(lx, lx->dropkey));
	ir_ref_t a[2] = { ir_ldmap(lx->fn, lx->b, DL_MAP_DROPS), key };
	ir_ref_t p = call(lx, 1, 2, a);		/* map_lookup_elem */
	ir_blk_t *inc = new_blk(lx);
	ir_jnz(lx->b, p, inc, cont);
	ir_ref_t v = ir_load(lx->fn, inc, 8, p, 0);
	ir_store(lx->fn, inc, 8, p, 0, ir_bin(lx->fn, inc, IR_ADD, v,
					      con(lx, 1)));
	ir_jmp(inc, cont);
}

static void reserve_record(lower_t *lx)
{
	dl_clause_t *c = lx->clause;
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

static void lower_clause(lower_t *lx, dl_clause_t *c)
{
	const dl_node_t *n = c->node;

	lx->clause = c;
	lx->have_rec = false;
	lx->action = 0;
	lx->next = new_blk(lx);
	if (n->cond != NULL) {
		ir_ref_t p = lower_expr(lx, n->cond).v;
		ir_blk_t *body = new_blk(lx);
		ir_jnz(lx->b, p, body, lx->next);
		lx->b = body;
	}
	if (c->recsize > 0)
		reserve_record(lx);
	lower_stmts(lx, n->body);
	if (c->recsize > 0) {
		ir_ref_t a[2] = { lx->rec, con(lx, 0) };
		call(lx, 132, 2, a);		/* ringbuf_submit */
	}
	lx->have_rec = false;
	ir_jmp(lx->b, lx->next);
	lx->b = lx->next;
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

/* Whatever the clauses needed once per firing, computed up front. */
static void lower_prologue(lower_t *lx, ir_blk_t *pro, ir_blk_t *body)
{
	lx->b = pro;
	ir_emit(lx->fn, pro, IR_COPY, lx->ctx, ir_reg(1), IR_NONE);
	/* the provider's check that this firing is ours, if it has one */
	ir_ref_t id = lx->hooks->pvar(lx->hooks->arg, lx->fn, &lx->b, lx->ctx,
				      lx->exit, DL_PV_ENTRY, 0);
	if (ir_is_none(id) && (lx->need_probeid || lx->need_pinfo))
		id = pvar(lx, DL_PV_PROBEID, 0);
	if (!ir_is_none(id))
		ir_emit(lx->fn, lx->b, IR_COPY, lx->probeid, id, IR_NONE);
	int32_t key = (lx->need_strbase || lx->need_pinfo ||
		       lx->need_gbase || lx->need_genbase) ?
		      ir_frame_alloc(lx->fn, 8) : 0;
	if (lx->need_strbase)
		lookup_one(lx, DL_MAP_STRTAB, key, con(lx, 0), lx->strbase);
	if (lx->need_pinfo)
		lookup_one(lx, DL_MAP_PROBES, key, lx->probeid, lx->pinfo);
	if (lx->need_gbase)
		lookup_one(lx, DL_MAP_GLOBALS, key, con(lx, 0), lx->gbase);
	if (lx->need_genbase)
		lookup_one(lx, DL_MAP_AGGGEN, key, con(lx, 0), lx->genbase);
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

/* The stack is full: a limit of the program, in the clause being lowered. */
static _Noreturn void frame_full(void *arg, int32_t need)
{
	lower_t *lx = arg;
	dl_loc_t loc = lx->clause != NULL ? lx->clause->node->loc :
		       (dl_loc_t){ 0 };

	(void)need;
	dl_error(lx->cx, loc, D_LIMIT, "the clauses of this probe need more "
		 "than 512 bytes of BPF stack (limit is 512)");
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
	lx.exit = new_blk(&lx);
	ir_ret(lx.exit, ir_con(lx.fn, 0));
	lx.ctx = ir_tmp(lx.fn);
	lx.probeid = ir_tmp(lx.fn);
	lx.strbase = ir_tmp(lx.fn);
	lx.pinfo = ir_tmp(lx.fn);
	lx.gbase = ir_tmp(lx.fn);
	lx.genbase = ir_tmp(lx.fn);
	lx.thisslot = dl_alloc(cx->arena, (cx->thisvars.n + 1) *
			       sizeof(*lx.thisslot));
	lx.b = body;
	int32_t peak = 0;
	for (size_t i = 0; i < n; i++) {	/* its blocks' clause (ir.h) */
		int32_t base = lx.fn->frame;
		size_t nthis = this_slots(&lx);
		lx.b->clause = lx.fn->clause = (int32_t)i + 1;
		lower_clause(&lx, clauses[i]);
		/* its stack slots are dead now, unless it made this-> ones */
		if (this_slots(&lx) == nthis) {
			if (lx.fn->frame > peak)
				peak = lx.fn->frame;
			lx.fn->frame = base;
			lx.selfkey = lx.selfval = lx.dropkey = 0;
		}
	}
	if (peak > lx.fn->frame)
		lx.fn->frame = peak;
	lx.fn->clause = 0;	/* lx.b, the last clause's end, is its own */
	ir_jmp(lx.b, lx.exit);
	lower_prologue(&lx, pro, body);
	return lx.fn;
}
