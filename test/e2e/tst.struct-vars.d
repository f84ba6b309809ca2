/* opts: -q */
/*
 * Struct- and union-valued variables of D's own types: global, this->,
 * self-> and associative array element; unset ones read as zeroed
 * structs; member stores, op= and ++ on members; whole-struct copies
 * between every kind; trace() of a struct prints its bytes as DTrace does
 * (a hex dump, or a string when the bytes are printable text).
 */
struct point {
	int x;
	int y;
	char tag;
};
union word {
	uint32_t w;
	uint8_t b[4];
};
struct text {
	char a;
	char b;
	char c;
	char nul;
};

struct point g;
self struct point sp;
this struct point p;
struct point arr[int];
union word u;
struct text t;

BEGIN
{
	printf("unset %d %d %d %d %d\n", g.x, self->sp.y, arr[1].x, this->p.x,
	    u.w);
	g.x = 1;
	g.y = 2;
	g.tag = 'a';
	self->sp.x = 3;
	self->sp.y = -4;
	this->p.y = 5;
	this->p.y++;
	g.x += 10;
	arr[7].y = 8;
	arr[7].tag = 'z';
	printf("%d %d %c %d %d %d %d %c\n", g.x, g.y, g.tag, self->sp.x,
	    self->sp.y, this->p.y, arr[7].y, arr[7].tag);
	this->q = g;
	self->sq = g;
	arr[2] = self->sp;
	g = arr[7];
	printf("%d %d %d %d %d %d\n", this->q.x, self->sq.y, arr[2].y,
	    arr[2].x, g.x, g.y);
	u.w = 0x01020304;
	printf("%d %d\n", u.b[0], u.b[3]);
	trace(this->q);
	t.a = 'h';
	t.b = 'i';
	t.c = '!';
	printf("\n[");
	trace(t);
	printf("]\n");
	exit(0);
}
