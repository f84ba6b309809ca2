struct out { int a; };
translator struct out < struct task_struct *T > { a = T->pid; };
BEGIN { trace(xlate <struct out *> ("x")->a); }
