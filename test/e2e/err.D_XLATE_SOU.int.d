translator int < struct task_struct *T > { a = 1; };
BEGIN { exit(0); }
