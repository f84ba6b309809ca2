/* A program's own translator, used through xlate<T *>(p)->m,
   xlate<T>(v).m and an inline. */
#pragma D option quiet

struct myproc {
	int p_pid;
	int p_ppid;
	char p_name[16];
	uint64_t p_twice;
};

translator struct myproc < struct task_struct *T > {
	p_pid = T->tgid;
	p_ppid = T->real_parent->tgid;
	p_name = T->comm;
	p_twice = T->tgid * 2;
};

inline struct myproc *me = xlate <struct myproc *> (curthread);

BEGIN
{
	printf("%d %d\n", xlate <struct myproc *> (curthread)->p_pid == pid,
	    me->p_ppid == ppid);
	printf("%s %s\n", me->p_name, xlate <struct myproc> (curthread).p_name);
	printf("%d\n", me->p_twice == 2 * pid);
	printf("%d\n", sizeof (struct myproc));
	exit(0);
}
