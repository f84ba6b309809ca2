/*
 * sched.c - the sched provider, DTrace's stable probes for CPU scheduling,
 * as sched:vmlinux::<name> (Oracle's names), on the scheduler's raw
 * tracepoints (stable.c), so that it works on kernels without kprobes.
 *
 *	probe       raw tracepoint             fires in             when
 *	on-cpu      sched_switch               the thread leaving   (always)
 *	off-cpu     sched_switch               the thread leaving   (always)
 *	sleep       sched_switch               the thread leaving   it blocks (not
 *	                                                            a preemption,
 *	                                                            state (un)in-
 *	                                                            terruptible)
 *	preempt     sched_switch               the thread leaving   it was pre-
 *	                                                            empted or stays
 *	                                                            runnable
 *	wakeup      sched_waking               the waking thread    (always)
 *	remain-cpu  sched_exit_tp              the thread kept      is_switch false
 *	surrender   sched_set_need_resched_tp  whoever tells it     (always)
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
 * on-cpu.  DTrace's fires in the thread switched to, once it runs; no
 * tracepoint does that on every kernel (a kprobe or fentry on
 * finish_task_switch would, and the bare sched_exit_tp of recent kernels
 * does but misses a new thread's first run, which starts in
 * ret_from_fork).  So it fires on sched_switch, where every switch is
 * seen once, and describes next: the provider names that task
 * (DT_PV_TASK) and the compiler takes the thread context from it - pid,
 * tid, execname, uid, gid, ppid, curthread and so curpsinfo and
 * curlwpsinfo, progenyof(), vtimestamp, self-> - and refuses at compile
 * time what only the running thread can give (stacks, copyin(), raise()).
 * Per thread, on-cpu and off-cpu then alternate and pair up exactly.
 * One implementation for every kernel; what it cannot give is an error,
 * never the leaving thread's answer.
 *
 * remain-cpu and surrender are on bare tracepoints (no tracefs event;
 * the kernel's runtime verification monitors use them) of recent
 * kernels, listed only where BTF has them: sched_exit_tp(is_switch) at
 * the end of __schedule, in the thread now running, is remain-cpu when
 * the scheduler picked the thread that called it; sched_set_need_resched_tp
 * (task, cpu, tif) fires where a CPU's running thread is told to
 * reschedule (by another CPU or by its own tick), DTrace's surrender, whose
 * arguments are that thread's.
 *
 * Arguments: DTrace's lwpsinfo_t * and psinfo_t * for the thread switched
 * to (off-cpu), woken (wakeup) or told to give up its CPU (surrender),
 * translated from its struct task_struct (the D library's procfs.d); arg0
 * and arg1 are that pointer.
 *
 * On kernel functions where no tracepoint fires (stable.c: kprobes, or
 * fentry for one function), listed only where the kernel can: enqueue and
 * dequeue on the scheduling classes' enqueue_task_<class> and
 * dequeue_task_<class>(struct rq *, struct task_struct *, int flags), as
 * Oracle's DTrace, in whatever thread queues or dequeues the task (its own
 * when it sleeps, the waker's when it is woken); args[0] and args[1] that
 * task's lwpsinfo_t * and psinfo_t *, args[2] the cpuinfo_t * of the run
 * queue's CPU (rq->cpu), enqueue's args[3] whether it goes to the head
 * (ENQUEUE_HEAD in flags).  tick on scheduler_tick (sched_tick since
 * Linux 6.10), in the thread the clock interrupted, whose are args[0] and
 * args[1]; where those cannot be traced, on timer:hrtimer_expire_entry
 * for the tick's own timer (its function, tick_nohz_handler or
 * tick_sched_timer before 6.9, found in /proc/kallsyms), which calls
 * sched_tick in the same interrupt, once per tick: only where the tick
 * is a high-resolution timer (hres_active in /proc/timer_list, the usual
 * case; a low-resolution or periodic tick is a clock event handler, which
 * no tracepoint shows).  Measured on our 6.18 machines: 13-14 ticks in
 * spin-sleep's 50 ms of CPU time at HZ=250.
 *
 * change-pri on set_user_nice(struct task_struct *, long nice), which
 * nice(2) and setpriority(2) end in, in the thread that calls it, when it
 * changes the nice value (it returns at once when the value is out of
 * range or the same): args[0] and args[1] the task's lwpsinfo_t * and
 * psinfo_t *, args[2] its new priority in the units of pr_pri (the
 * kernel's prio, procfs.d): 120 + nice for a task of the fair classes, its
 * unchanged prio for a real-time or deadline task (below 100, which a nice
 * value does not move), as set_user_nice computes it.  Changes of the
 * scheduling policy (sched_setscheduler) and priority inheritance
 * (rt_mutex_setprio) give the new priority in other forms and do not fire
 * it.
 *
 * Not here, and not listed (naming one is an error saying why):
 * cpucaps-* (no Linux equivalent).
 */
#include <stdio.h>

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
#define CPU "xlate<cpuinfo_t *>(processorid_t)"
#define ENQUEUE_HEAD 0x10	/* enqueue_task's flags (Linux 2.6.39-6.12 at
				   least) */
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
			"thread joins a run queue", .btf = true,
			.kfuncs = { "enqueue_task_fair", "enqueue_task_rt",
				    "enqueue_task_dl", "enqueue_task_stop",
				    "enqueue_task_scx" },
			.nargs = 4, .types = { LWPS, PS, CPU, "int" } },
	[S_DEQUEUE] = { "dequeue", .lacks = "no tracepoint fires where a "
			"thread leaves a run queue", .btf = true,
			.kfuncs = { "dequeue_task_fair", "dequeue_task_rt",
				    "dequeue_task_dl", "dequeue_task_stop",
				    "dequeue_task_idle", "dequeue_task_scx" },
			.nargs = 3, .types = { LWPS, PS, CPU } },
	[S_CHANGE_PRI] = { "change-pri", .lacks = "no tracepoint fires at "
			   "a change of a thread's nice value "
			   "(sched_pi_setprio only at priority inheritance)",
			   .btf = true, .kfuncs = { "set_user_nice" },
			   .nargs = 3, .types = { LWPS, PS, "int" } },
	[S_TICK] = { "tick", .lacks = "no tracepoint fires at the "
		     "scheduler's clock tick", .btf = true,
		     .kfuncs = { "scheduler_tick", "sched_tick" },
		     .fallback = "hrtimer_expire_entry",
		     .nargs = 2, .types = { LWPS, PS } },
};

/* A kernel int of task_struct's at off, sign-extended. */
static ir_ref_t sched_task_int(dt_lowerenv_t *env, ir_ref_t task, int32_t off)
{
	return ir_emit(env->fn, env->blk, IR_SEXT32, ir_tmp(env->fn),
		       dt_st_read(env, task, off, 4), IR_NONE)->to;
}

/* change-pri: set_user_nice(p, nice) changes the nice value only if nice
   is in [-20, 19] and not p's already (static_prio - 120). */
static void sched_nice_entry(dt_lowerenv_t *env, const dt_probe_t *prb)
{
	ir_func_t *fn = env->fn;
	ir_ref_t nice = dt_st_farg(env, prb, 1);
	ir_ref_t cur = sched_task_int(env, dt_st_farg(env, prb, 0),
				      dt_st_btf(prb)->static_prio);

	dt_st_need(env, ir_bin(fn, env->blk, IR_CULE,
			       ir_bin(fn, env->blk, IR_ADD, nice,
				      ir_con(fn, 20)), ir_con(fn, 39)));
	dt_st_need(env, ir_bin(fn, env->blk, IR_CNE,
			       ir_bin(fn, env->blk, IR_SUB, cur,
				      ir_con(fn, 120)), nice));
}

/* change-pri's new priority: p's prio if it is real-time or deadline
   (below 100), else 120 + nice; branch-free, rt * (prio - fair) + fair. */
static ir_ref_t sched_nice_prio(dt_lowerenv_t *env, const dt_probe_t *prb)
{
	ir_func_t *fn = env->fn;
	ir_ref_t prio = sched_task_int(env, dt_st_farg(env, prb, 0),
				       dt_st_btf(prb)->prio);
	ir_ref_t fair = ir_bin(fn, env->blk, IR_ADD, dt_st_farg(env, prb, 1),
			       ir_con(fn, 120));
	ir_ref_t rt = ir_bin(fn, env->blk, IR_CSLT, prio, ir_con(fn, 100));

	return ir_bin(fn, env->blk, IR_ADD, fair,
		      ir_bin(fn, env->blk, IR_MUL, rt,
			     ir_bin(fn, env->blk, IR_SUB, prio, fair)));
}

static void sched_entry(dt_lowerenv_t *env, const dt_probe_t *prb, int which)
{
	ir_func_t *fn = env->fn;
	ir_ref_t preempt, state;

	if (which == S_TICK && dt_st_addr(prb) != 0) {	/* the tick's timer */
		dt_st_need(env, ir_bin(fn, env->blk, IR_CEQ,
				       dt_st_read(env, dt_st_raw(env, 0),
						  dt_st_btf(prb)->
						  hrtimer_function, 8),
				       ir_con(fn, (int64_t)dt_st_addr(prb))));
		return;
	}
	if (which == S_CHANGE_PRI) {
		sched_nice_entry(env, prb);
		return;
	}
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

/* enqueue_task_<class> and dequeue_task_<class> (struct rq *, struct
   task_struct *, int flags): the task, its run queue's CPU, whether it
   goes to the head of the queue. */
static ir_ref_t sched_queue_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
				int n)
{
	ir_func_t *fn = env->fn;

	if (n < 2)
		return dt_st_farg(env, prb, 1);
	if (n == 2)
		return dt_st_read(env, dt_st_farg(env, prb, 0),
				  dt_st_btf(prb)->rq_cpu, 4);
	return ir_bin(fn, env->blk, IR_AND,
		      ir_bin(fn, env->blk, IR_SHR, dt_st_farg(env, prb, 2),
			     ir_con(fn, 4)), ir_con(fn, 1));
}

static ir_ref_t sched_arg(dt_lowerenv_t *env, const dt_probe_t *prb,
			  int which, int n)
{
	switch (which) {
	case S_ENQUEUE:
	case S_DEQUEUE:
		return sched_queue_arg(env, prb, n);
	case S_TICK:
		return dt_st_current(env);
	case S_CHANGE_PRI:
		return n < 2 ? dt_st_farg(env, prb, 0) : sched_nice_prio(env, prb);
	case S_OFF_CPU:
		return dt_st_raw(env, 2);
	default:
		return dt_st_raw(env, 0);	/* wakeup, surrender */
	}
}

/* on-cpu describes the thread switched to: sched_switch's next. */
static ir_ref_t sched_task(dt_lowerenv_t *env, const dt_probe_t *prb,
			   int which)
{
	(void)prb;
	return which == S_ON_CPU ? dt_st_raw(env, 2) : IR_NONE;
}

/* Is the clock tick a high-resolution timer here (hres_active in
   /proc/timer_list)? */
static bool sched_hres(void)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[256];
	int on = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " .hres_active : %d", &on) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return on == 1;
}

/* tick on timer:hrtimer_expire_entry where the tick is a high-resolution
   timer (see the essay): the address of its function. */
static const char *sched_fallback(dtrace_hdl_t *dtp, const dt_stprobe_t *p,
				  uint64_t *addr, char *why, size_t size)
{
	static const char *const fns[] = { "tick_nohz_handler",
					   "tick_sched_timer" };
	bool text;

	(void)dtp;
	(void)p;
	if (!sched_hres())
		return "the clock tick is not a high-resolution timer here "
		       "(no hres_active 1 in /proc/timer_list)";
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (dt_ksym_hook(NULL, "vmlinux", fns[i], addr, &text) == 0 &&
		    text)
			return NULL;
	snprintf(why, size, "/proc/kallsyms has neither %s nor %s", fns[0],
		 fns[1]);
	return why;
}

static const dt_stprov_t sched_st = {
	.ops = &dt_prov_sched,
	.probes = sched_probes,
	.nprobes = S_NPROBES,
	.entry = sched_entry,
	.arg = sched_arg,
	.task = sched_task,
	.fallback = sched_fallback,
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
	.prepare = dt_st_prepare,
	.prog_type_of = dt_st_prog_type_of,
};
