/*
 * vtime.c - the sched_switch program that gives vtimestamp its clock.
 *
 * DTrace's vtimestamp is a nanosecond counter virtualized to the time the
 * current thread has spent on a CPU.  The kernel offers BPF no per-thread
 * CPU clock, so we keep one: a BPF map (DL_MAP_VTIME, an LRU hash so that
 * exited threads age out) from thread id to dl_vtime_t, kept up to date by
 * this program on the raw tracepoint sched_switch, whose context is
 *
 *   u64[4] = { preempt, struct task_struct *prev,
 *              struct task_struct *next, prev_state }
 *
 * On every switch, with now = bpf_ktime_get_ns():
 *   prev:  acc += now - start, start = now   (only if it has an entry)
 *   next:  start = now             (creating { 0, now } if needed)
 *
 * prev's start moves too, so that a clause of the same switch (off-cpu)
 * that runs after this program reads acc + a few ns, not the last run
 * twice; a clause about the thread switched to (on-cpu) reads its acc.
 * A clause reads acc + (now - start) for the current thread (lower.c); a
 * thread with no entry yet gets { 0, now } there and reads 0.  So the
 * values are on-CPU time since tracing began (or since the thread was first
 * seen), not since the thread was created: exactly what the usual use of
 * vtimestamp, deltas between two probes of one thread, needs.
 *
 * An entry is only ever written on the CPU its thread runs on (or is being
 * switched on or off), so plain loads and stores through the looked-up
 * value pointer need no atomics.  Task pids are read with
 * bpf_probe_read_kernel at task_struct.pid's offset from the kernel's BTF
 * (the raw tracepoint's arguments are plain integers to the verifier).
 *
 * Requires: a context whose BTF is available.  Produces: one ir_func_t in
 * IR_STAGE_LOWERED, for dl_backend like every clause program.
 */
#include "dlang.h"
#include "ir.h"

enum {	/* BPF helper ids (the kernel's BPF_FUNC_*) */
	VT_MAP_LOOKUP = 1, VT_MAP_UPDATE = 2, VT_KTIME = 5,
	VT_READ_KERNEL = 113,
};

typedef struct vt {
	ir_func_t *fn;
	ir_blk_t *b;		/* the block code is appended to */
	ir_ref_t now;		/* ktime of this switch */
	int32_t key;		/* frame slot: the u32 tid */
	int32_t val;		/* frame slot: a new dl_vtime_t */
	uint32_t pid_off;	/* offsetof(struct task_struct, pid) */
} vt_t;

static ir_ref_t slot_addr(vt_t *v, int32_t slot)
{
	return ir_bin(v->fn, v->b, IR_ADD, ir_reg(IR_FP), ir_con(v->fn, slot));
}

/* Read task->pid into the key slot and look it up: the entry or NULL. */
static ir_ref_t lookup_task(vt_t *v, ir_ref_t task)
{
	ir_ref_t pid = ir_bin(v->fn, v->b, IR_ADD, task,
			      ir_con(v->fn, v->pid_off));
	ir_ref_t ra[3] = { slot_addr(v, v->key), ir_con(v->fn, 4), pid };

	ir_call(v->fn, v->b, VT_READ_KERNEL, 3, ra);
	ir_ref_t la[2] = { ir_ldmap(v->fn, v->b, DL_MAP_VTIME),
			   slot_addr(v, v->key) };
	return ir_call(v->fn, v->b, VT_MAP_LOOKUP, 2, la);
}

/* prev leaves its CPU: acc += now - start, start = now, if it has a
   clock. */
static void charge_prev(vt_t *v, ir_ref_t prev)
{
	ir_ref_t p = lookup_task(v, prev);
	ir_blk_t *have = ir_blk_new(v->fn), *done = ir_blk_new(v->fn);

	ir_jnz(v->b, p, have, done);
	ir_ref_t acc = ir_load(v->fn, have, 8, p, 0);
	ir_ref_t start = ir_load(v->fn, have, 8, p, 8);
	ir_ref_t ran = ir_bin(v->fn, have, IR_SUB, v->now, start);
	ir_store(v->fn, have, 8, p, 0, ir_bin(v->fn, have, IR_ADD, acc, ran));
	ir_store(v->fn, have, 8, p, 8, v->now);
	ir_jmp(have, done);
	v->b = done;
}

/* next goes on a CPU: start = now, creating { 0, now } if needed. */
static void start_next(vt_t *v, ir_ref_t next)
{
	ir_ref_t p = lookup_task(v, next);
	ir_blk_t *have = ir_blk_new(v->fn), *none = ir_blk_new(v->fn),
		 *done = ir_blk_new(v->fn);

	ir_jnz(v->b, p, have, none);
	ir_store(v->fn, have, 8, p, 8, v->now);
	ir_jmp(have, done);
	v->b = none;
	ir_store(v->fn, none, 8, ir_reg(IR_FP), v->val, ir_con(v->fn, 0));
	ir_store(v->fn, none, 8, ir_reg(IR_FP), v->val + 8, v->now);
	ir_ref_t ua[4] = { ir_ldmap(v->fn, v->b, DL_MAP_VTIME),
			   slot_addr(v, v->key), slot_addr(v, v->val),
			   ir_con(v->fn, 0) };		/* BPF_ANY */
	ir_call(v->fn, v->b, VT_MAP_UPDATE, 4, ua);
	ir_jmp(v->b, done);
	v->b = done;
}

ir_func_t *dl_vtime_build(dl_ctx_t *cx)
{
	vt_t v = { .pid_off = dl_btf_member_off(cx, (dl_loc_t){ 0 },
						"task_struct", "pid") };

	v.fn = ir_func_new(cx->arena, "dt_vtime");
	v.b = ir_blk_new(v.fn);
	v.key = ir_frame_alloc(v.fn, 8);
	v.val = ir_frame_alloc(v.fn, (int32_t)sizeof(dl_vtime_t));
	ir_ref_t ctx = ir_tmp(v.fn);
	ir_emit(v.fn, v.b, IR_COPY, ctx, ir_reg(1), IR_NONE);
	v.now = ir_call(v.fn, v.b, VT_KTIME, 0, NULL);
	ir_ref_t prev = ir_load(v.fn, v.b, 8, ctx, 8);
	ir_ref_t next = ir_load(v.fn, v.b, 8, ctx, 16);
	charge_prev(&v, prev);
	start_next(&v, next);
	ir_ret(v.b, ir_con(v.fn, 0));
	return v.fn;
}
