/*
 * A string assigned to a char array in memory is copied in, cut to the
 * array's size (NUL included): members of struct variables (global,
 * self->) and of a struct in alloca()'d scratch; through a pointer to
 * any other memory (the kernel's) it is the invalid address fault and
 * nothing is written.
 */
#pragma D option quiet

struct r { int n; char name[8]; };
struct r g;
self struct r s;

BEGIN
{
	g.name = "hello";
	self->s.name = "a much longer string";
	this->p = (struct r *)alloca(sizeof (struct r));
	this->p->name = execname;
	this->p->n = 3;
	printf("%s|%s|%s|%d\n", g.name, self->s.name, this->p->name,
	    this->p->n);
	g.name = strjoin("ab", "cd");
	printf("%s %d\n", g.name, strlen(g.name));
}

BEGIN
{
	this->t = curthread;
	this->t->comm = "bad";
	printf("not reached\n");
}

BEGIN
{
	printf("%s\n", curthread->comm);
	exit(0);
}

ERROR
{
	printf("fault %d\n", arg4);
}
