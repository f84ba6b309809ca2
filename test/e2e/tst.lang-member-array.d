/*
 * x.a[i] of arrays in struct variables (global, this->, self->, an
 * associative array's value): stores with constant and variable indexes,
 * op= and ++, arrays of structs and of arrays, reads with an index the
 * verifier cannot bound; an index out of range (too large or negative) is
 * Oracle DTrace's "index out of bounds" fault (11) with the index, and
 * stores nothing.
 */
#pragma D option quiet

struct in { short s[3]; };
struct t { int n; int a[4]; struct in in[2]; char m[2][3]; };
struct t g;
this struct t th;
self struct t se;
struct t arr[int];

BEGIN
{
	g.a[2] = 5;
	this->i = 3;
	g.a[this->i] = 7;
	g.a[this->i - 3]++;
	g.a[1] += g.a[2] * 10;
	printf("%d %d %d %d %d\n", g.a[0], g.a[1], g.a[2], g.a[3],
	    g.a[this->i]);
	this->th.in[1].s[2] = -9;
	this->th.m[1][2] = 'z';
	this->th.in[this->i - 2].s[this->i - 1] += 100;
	printf("%d %c %d %d\n", this->th.in[1].s[2], this->th.m[1][2],
	    this->th.in[1].s[this->i - 1], sizeof (struct t));
	self->se.a[this->i] = 42;
	printf("%d %d\n", self->se.a[3], self->se.a[timestamp & 3] >= 0);
	arr[7].a[this->i - 1] = 77;
	printf("%d %d\n", arr[7].a[2], arr[7].a[timestamp % 4] >= 0);
}

BEGIN
{
	this->j = 4;
	g.a[this->j] = 1;
	printf("not reached\n");
}

BEGIN
{
	this->j = -1;
	self->se.a[this->j] = 1;
	printf("not reached\n");
}

BEGIN
{
	printf("%d %d %d\n", g.a[0], g.a[3], self->se.a[3]);
	exit(0);
}

ERROR
{
	printf("fault %d %d\n", arg4, arg5);
}
