struct out { int a; int b; };
translator struct out < struct task_struct *T > { a = T->pid; };
BEGIN { trace(xlate <struct out *> (curthread)->b); }
