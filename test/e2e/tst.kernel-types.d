/* opts: -q */
/*
 * Kernel types from BTF, as a script names them: curthread is a struct
 * task_struct *, members through ->, nested (real_parent->tgid), a char
 * array read as a string, pointers in variables and casts, sizeof of a
 * kernel struct, members of a struct reached with (*p).m.
 */
BEGIN
{
	self->t = curthread;
	this->p = (struct task_struct *)self->t;
	printf("%s %d %d %d\n", curthread->comm, curthread->pid == pid,
	    curthread->tgid == pid, curthread->real_parent->tgid == ppid);
	printf("%d %d %s\n", self->t->pid == tid, this->p == curthread,
	    this->p->comm);
	printf("%d %d\n", sizeof (struct task_struct) > 1000,
	    (*curthread).pid == tid);
	printf("%d\n", curthread->mm->owner == curthread);
	printf("%s %s\n", stringof(curthread->comm), stringof(execname));
	self->t = 0;
	exit(0);
}
