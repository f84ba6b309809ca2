/* opts: -q */
/*
 * Struct-valued variables of kernel BTF types: whole copies of kernel
 * memory (x = *curthread, a nested struct member, *curthread->cred) read
 * safely, then their members read from the copy; a copy from a bad
 * address is DTrace's invalid address fault and stores nothing.
 */
struct task_struct t;
self struct cred c;

BEGIN
{
	t = *curthread;
	this->l = curthread->tasks;
	self->c = *curthread->cred;
	printf("%d %d %s %d\n", t.pid == pid, t.tgid == pid, t.comm,
	    t.real_parent == curthread->real_parent);
	printf("%d %d %d\n", this->l.next == curthread->tasks.next,
	    self->c.uid.val == uid, self->c.gid.val == gid);
}

BEGIN
{
	t = *(struct task_struct *)8;
}

BEGIN
{
	printf("%d %s\n", t.pid == pid, t.comm);
	exit(0);
}

ERROR
{
	printf("fault %d at 0x%x\n", arg4, arg5);
}
