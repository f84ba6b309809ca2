struct out { int a; };
translator struct out < struct task_struct *T > { a = T->pid; };
translator struct out < struct task_struct *U > { a = U->tgid; };
BEGIN { exit(0); }
