/*
 * procfs.d - the process model of DTrace's proc(4) types for Linux:
 * psinfo_t and lwpsinfo_t translated from the kernel's struct task_struct,
 * and the inlines curpsinfo and curlwpsinfo.  Member names are those of
 * Oracle Linux DTrace; members this dtrace cannot compute yet are left
 * out of the translators (using one is DTrace's D_XLATE_NOCONV error):
 * pr_flag, pr_size, pr_rssize, lwpsinfo_t's pr_wchan, pr_syscall and the
 * like.
 * Part of the D library: nothing here is compiled unless a program uses
 * it.
 */

/* pr_dmodel */
inline char PR_MODEL_ILP32 = 1;
inline char PR_MODEL_LP64 = 2;
#pragma D binding "1.0" PR_MODEL_ILP32
#pragma D binding "1.0" PR_MODEL_LP64

/* pr_state, and pr_sname its letter */
inline char SSLEEP = 1;		/* sleeping */
inline char SRUN = 2;		/* runnable */
inline char SZOMB = 3;		/* exited, not reaped */
inline char SSTOP = 4;		/* stopped or traced */
inline char SIDL = 5;		/* being created */
inline char SONPROC = 6;	/* on a CPU */
inline char SWAIT = 7;		/* waiting to run */

/* a time of day: seconds and nanoseconds since the Epoch */
typedef struct timestruc {
	time_t tv_sec;
	long tv_nsec;
} timestruc_t;

/* nanoseconds as a timestruc_t */
translator timestruc_t < unsigned long NS > {
	tv_sec = NS / 1000000000;
	tv_nsec = NS % 1000000000;
};

/* pr_ttydev of a process without a controlling terminal */
inline dev_t PRNODEV = (dev_t)-1;
#pragma D binding "1.0" PRNODEV

typedef struct lwpsinfo {
	int pr_flag;
	id_t pr_lwpid;		/* the thread id */
	uintptr_t pr_addr;	/* its struct task_struct */
	uintptr_t pr_wchan;
	char pr_stype;
	char pr_state;		/* SSLEEP ... SWAIT */
	char pr_sname;		/* 'S', 'R', 'Z', 'T', 'I', 'O', 'W' */
	char pr_nice;
	short pr_syscall;
	char pr_oldpri;
	char pr_cpu;
	int pr_pri;		/* the kernel's priority (prio) */
	ushort_t pr_pctcpu;
	ushort_t pr_pad;
	char pr_clname[8];
	char pr_name[16];	/* the thread's name (comm) */
	processorid_t pr_onpro;	/* the CPU it last ran on */
	processorid_t pr_bindpro;
	psetid_t pr_bindpset;
} lwpsinfo_t;

typedef struct psinfo {
	int pr_flag;
	int pr_nlwp;		/* threads */
	pid_t pr_pid;
	pid_t pr_ppid;
	pid_t pr_pgid;
	pid_t pr_sid;
	uid_t pr_uid;
	uid_t pr_euid;
	gid_t pr_gid;
	gid_t pr_egid;
	uintptr_t pr_addr;	/* its struct mm_struct */
	size_t pr_size;
	size_t pr_rssize;
	dev_t pr_ttydev;	/* the controlling terminal, or PRNODEV */
	timestruc_t pr_start;	/* when the process started */
	char pr_fname[16];	/* the executable's name (comm) */
	char pr_psargs[80];	/* the command line, arguments space-separated */
	int pr_wstat;		/* exit status, for a zombie */
	int pr_argc;
	uintptr_t pr_argv;
	uintptr_t pr_envp;
	char pr_dmodel;		/* PR_MODEL_ILP32 or PR_MODEL_LP64 */
} psinfo_t;

translator psinfo_t < struct task_struct *T > {
	pr_nlwp = T->signal->nr_threads;
	pr_pid = T->tgid;
	pr_ppid = T->real_parent->tgid;
	/* the process group's and session's ids (PIDTYPE_PGID, _SID) as the
	   initial pid namespace sees them */
	pr_pgid = T->signal->pids[2]->numbers[0].nr;
	pr_sid = T->signal->pids[3]->numbers[0].nr;
	pr_uid = T->cred->uid.val;
	pr_euid = T->cred->euid.val;
	pr_gid = T->cred->gid.val;
	pr_egid = T->cred->egid.val;
	pr_addr = (uintptr_t)T->mm;
	pr_fname = T->comm;
	pr_psargs = __psargs(T);
	/* the kernel's dev_t of the terminal: the driver's major, its first
	   minor plus the terminal's index */
	pr_ttydev = T->signal->tty == 0 ? PRNODEV :
	    (dev_t)T->signal->tty->driver->major << 20 |
	    (T->signal->tty->driver->minor_start + T->signal->tty->index);
	/* start_time is CLOCK_MONOTONIC's: walltimestamp - timestamp is
	   the time of day at its 0 */
	pr_start = xlate <timestruc_t> ((unsigned long)(T->group_leader->start_time +
	    (walltimestamp - timestamp)));
	/* argc, then argv[], NULL, envp[] are at the start of the initial
	   stack: read from the current process only, as pr_psargs */
	pr_argc = T == curthread && T->mm != 0 ?
	    *(int *)copyin(T->mm->start_stack, 4) : 0;
	pr_argv = T->mm == 0 ? 0 : T->mm->start_stack + 8;
	pr_envp = T == curthread && T->mm != 0 ? T->mm->start_stack + 8 +
	    8 * (*(int *)copyin(T->mm->start_stack, 4) + 1) : 0;
	pr_wstat = T->exit_code;
	/* a 32-bit process has a 4 GiB address space */
	pr_dmodel = T->mm == 0 || T->mm->task_size > 0xffffffffUL ?
	    PR_MODEL_LP64 : PR_MODEL_ILP32;
};

translator lwpsinfo_t < struct task_struct *T > {
	pr_lwpid = T->pid;
	pr_addr = (uintptr_t)T;
	pr_state = T->exit_state != 0 ? SZOMB :
	    (T->__state & 0xc) != 0 ? SSTOP :
	    (T->__state & 0x3) != 0 ? SSLEEP :
	    T->on_cpu ? SONPROC : SRUN;
	pr_sname = T->exit_state != 0 ? 'Z' :
	    (T->__state & 0xc) != 0 ? 'T' :
	    (T->__state & 0x3) != 0 ? 'S' :
	    T->on_cpu ? 'O' : 'R';
	pr_nice = T->static_prio - 120;
	pr_pri = T->prio;
	pr_name = T->comm;
	pr_onpro = T->thread_info.cpu;
};

inline psinfo_t *curpsinfo = xlate <psinfo_t *> (curthread);
#pragma D binding "1.0" curpsinfo
inline lwpsinfo_t *curlwpsinfo = xlate <lwpsinfo_t *> (curthread);
#pragma D binding "1.0" curlwpsinfo
