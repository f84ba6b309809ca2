/* opts: -q */
/*
 * Stores through pointers: *p = v, p->m = v, p[i] = v, op= and ++, into
 * scratch memory this clause allocated with alloca(), which is all DTrace
 * lets a script write.  A store to kernel memory, past the allocation, or
 * into another clause's allocation is DTrace's invalid address fault
 * (ERROR: arg4 1, arg5 the address) and writes nothing.
 */
struct point {
	int x;
	int y;
	char tag;
};

BEGIN
{
	this->p = (struct point *)alloca(sizeof (struct point));
	this->p->x = 1;
	this->p->y = 2;
	this->p->y += 40;
	this->p->tag = 'k';
	this->q = (int *)alloca(16);
	*this->q = 7;
	this->q[2] = 9;
	this->q[1]++;
	printf("%d %d %c %d %d %d\n", this->p->x, this->p->y, this->p->tag,
	    this->q[0], this->q[1], this->q[2]);
	saved = this->q;
}

BEGIN
{
	printf("kernel\n");
	curthread->pid = 1;
}

BEGIN
{
	printf("past the allocation\n");
	this->r = (int *)alloca(8);
	this->r[2] = 1;
}

BEGIN
{
	printf("another clause's\n");
	*saved = 1;
}

BEGIN
{
	printf("%d\n", curthread->pid == pid);
	exit(0);
}

ERROR
{
	printf("fault %d at kernel %d\n", arg4,
	    arg5 == (uint64_t)&curthread->pid);
}
