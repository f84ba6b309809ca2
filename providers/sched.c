/*
 * sched.c - the sched provider, DTrace's stable probes for CPU scheduling,
 * as sched:vmlinux::<name> (Oracle's names), on the scheduler's raw
 * tracepoints (stable.c), so that it works on kernels without kprobes.
 *
 *	probe     raw tracepoint  fires in                 when
 *	off-cpu   sched_switch    the thread leaving       (always)
 *	sleep     sched_switch    the thread leaving       it blocks (not a
 *	                                                   preemption, state
 *	                                                   (un)interruptible)
 *	preempt   sched_switch    the thread leaving       it was preempted or
 *	                                                   stays runnable
 *	wakeup    sched_waking    the waking thread        (always)
 *
 * sched_switch's context is { bool preempt, struct task_struct *prev,
 * *next, unsigned int prev_state } (Linux 5.18 and later): prev_state is
 * the state the leaving thread switches out in, after the scheduler
 * decided whether it blocks (a pending signal keeps it running), so sleep
 * is "not preempt and prev_state has TASK_INTERRUPTIBLE or
 * TASK_UNINTERRUPTIBLE" and preempt "preempt or prev_state is
 * TASK_RUNNING".  A dying thread's last switch (TASK_DEAD) is neither.
 * wakeup uses sched_waking, which fires in the waker as DTrace's wakeup
 * does (sched_wakeup, which Oracle's DTrace uses, may fire on the wakee's
 * CPU in whatever runs there).
 *
 * Arguments: DTrace's lwpsinfo_t * and psinfo_t * for the thread switched
 * to (off-cpu) or woken (wakeup), translated from its struct task_struct
 * (the D library's procfs.d); arg0 and arg1 are that pointer.
 *
 * Not here: on-cpu (no tracepoint fires in the thread switched to: it
 * needs a kprobe or fentry on finish_task_switch), enqueue and dequeue (no
 * tracepoints), remain-cpu, surrender, tick, change-pri, cpucaps-*.
 */
#include <linux/bpf.h>

#include "provider.h"

#define TASK_INTERRUPTIBLE 0x1
#define TASK_UNINTERRUPTIBLE 0x2

enum {
	S_ON_CPU, S_OFF_CPU, S_SLEEP, S_PREEMPT, S_WAKEUP, S_REMAIN_CPU,
	S_SURRENDER, S_ENQUEUE, S_DEQUEUE, S_CHANGE_PRI, S_TICK, S_NPROBES
};

#define LWPS "xlate<lwpsinfo_t *>(struct task_struct *)"
#define PS "xlate<psinfo_t *>(struct task_struct *)"
static const dt_stprobe_t sched_probes[S_NPROBES] = {
	[S_ON_CPU] = { "on-cpu", .rawtp = "sched_switch" },
	[S_OFF_CPU] = { "off-cpu", .rawtp = "sched_switch", .nargs = 2,
			.types = { LWPS, PS } },
	[S_SLEEP] = { "sleep", .rawtp = "sched_switch" },
	[S_PREEMPT] = { "preempt", .rawtp = "sched_switch" },
	[S_WAKEUP] = { "wakeup", .rawtp = "sched_waking", .nargs = 2,
		       .types = { LWPS, PS } },
	[S_REMAIN_CPU] = { "remain-cpu", .rawtp = "sched_exit_tp",
			   .bare = true },
	[S_SURRENDER] = { "surrender", .rawtp = "sched_set_need_resched_tp",
			  .bare = true, .nargs = 2, .types = { LWPS, PS } },
	[S_ENQUEUE] = { "enqueue", .lacks = "no tracepoint fires where a "
			"thread joins a run queue (it needs fbt on "
			"enqueue_task)" },
	[S_DEQUEUE] = { "dequeue", .lacks = "no tracepoint fires where a "
			"thread leaves a run queue (it needs fbt on "
			"dequeue_task)" },
	[S_CHANGE_PRI] = { "change-pri", .lacks = "no tracepoint fires at "
			   "every change of a thread's priority "
			   "(sched_pi_setprio only at priority inheritance; "
			   "it needs fbt on set_user_nice and "
			   "__sched_setscheduler)" },
	[S_TICK] = { "tick", .lacks = "no tracepoint fires at the "
		     "scheduler's clock tick (it needs fbt on sched_tick)" },
};

static void sched_entry(dt_lowerenv_t *env, const dt_probe_t *prb, int which)
{
	ir_func_t *fn = env->fn;
	ir_ref_t preempt, state;

	(void)prb;
	if (which == S_REMAIN_CPU) {	/* sched_exit_tp's is_switch false */
		dt_st_need(env, ir_bin(fn, env->blk, IR_CEQ,
				       ir_emit(fn, env->blk, IR_ZEXT8,
					       ir_tmp(fn), dt_st_raw(env, 0),
					       IR_NONE)->to, ir_con(fn, 0)));
		return;
	}
	if (which != S_SLEEP && which != S_PREEMPT)
		return;
	preempt = ir_emit(fn, env->blk, IR_ZEXT8, ir_tmp(fn),
			  dt_st_raw(env, 0), IR_NONE)->to;
	state = ir_emit(fn, env->blk, IR_ZEXT32, ir_tmp(fn),
			dt_st_raw(env, 3), IR_NONE)->to;
	if (which == S_SLEEP) {
		dt_st_need(env, ir_bin(fn, env->blk, IR_CEQ, preempt,
				       ir_con(fn, 0)));
		dt_st_need(env, ir_bin(fn, env->blk, IR_AND, state,
				       ir_con(fn, TASK_INTERRUPTIBLE |
						  TASK_UNINTERRUPTIBLE)));
	} else {
		dt_st_need(env, ir_bin(fn, env->blk, IR_OR, preempt,
				       ir_bin(fn, env->blk, IR_CEQ, state,
					      ir_con(fn, 0))));
	}
}

static ir_ref_t sched_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
			  int which, int n)
{
	(void)prb;
	(void)n;
	return dt_st_raw(env, which == S_OFF_CPU ? 2 : 0);	/* surrender: 0 */
}

/* on-cpu describes the thread switched to: sched_switch's next. */
static ir_ref_t sched_task(dt_lowerenv_t *env, const dt_probe_t *prb,
			   int which)
{
	(void)prb;
	return which == S_ON_CPU ? dt_st_raw(env, 2) : IR_NONE;
}

static const dt_stprov_t sched_st = {
	.ops = &dt_prov_sched,
	.probes = sched_probes,
	.nprobes = S_NPROBES,
	.entry = sched_entry,
	.arg = sched_arg,
	.task = sched_task,
};

static int sched_populate(dtrace_hdl_t *dtp, const dt_pdesc_t *pd)
{
	return dt_st_populate(dtp, pd, &sched_st);
}

const dt_provops_t dt_prov_sched = {
	.name = "sched",
	.attr = &dt_st_attr,
	.argtypes = dt_st_argtypes,
	.populate = sched_populate,
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.kind = dt_st_kind,
	.lower = dt_st_lower,
	.attach = dt_st_attach,
};
