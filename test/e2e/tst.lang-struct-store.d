/*
 * Whole structs stored into memory a store may write: through a pointer
 * into alloca()'d scratch (*p = s, p->m = s) and into a struct member of
 * a struct variable (g.b = s); kernel memory is the invalid address
 * fault, nothing written.
 */
#pragma D option quiet

struct pt { int x, y; };
struct seg { struct pt a, b; int n; };
this struct pt s;
struct seg g;

BEGIN
{
	this->s.x = 3;
	this->s.y = -4;
	this->p = (struct pt *)alloca(sizeof (struct pt));
	*this->p = this->s;
	g.b = this->s;
	g.n = 7;
	this->q = (struct seg *)alloca(sizeof (struct seg));
	this->q->a = *this->p;
	this->q->b = g.b;
	this->q->b.x++;
	printf("%d %d | %d %d %d %d | %d %d %d\n", this->p->x, this->p->y,
	    g.a.x, g.b.x, g.b.y, g.n, this->q->a.y, this->q->b.x,
	    this->q->b.y);
}

BEGIN
{
	*(struct pt *)curthread = this->s;
	printf("not reached\n");
}

ERROR
{
	printf("fault %d\n", arg4);
	exit(0);
}
