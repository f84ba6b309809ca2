/*
 * print() of types a script declares: a struct with an int, a char
 * array, an anonymous union and struct, a bool and an enum (printed as its
 * enumerator), given by a pointer (the address, then the value) and by
 * value (*t, t->s, a global struct: the value alone, an extension of
 * Oracle's print()).  Zero members and array elements are left out; an
 * enum value no enumerator has prints as a number.  print(t) of the
 * pointer (alloca()'s address varies) is in tst.print-value.sh.
 */
#pragma D option quiet

enum eh { FIRSTVAL = 0, SECONDVAL = 1, THIRDVAL = 3 };

struct test_struct {
	int	a;
	char	b[5];
	union {
		uint8_t c;
		uint64_t d;
	} u;
	struct {
		void *e;
		uint64_t f;
	} s;
	_Bool	g;
	enum eh	h;
	short	z;
	int	arr[4];
};

struct e1 {
	enum eh h;
	long l;
} ev;

BEGIN
{
	t = (struct test_struct *)alloca(sizeof (struct test_struct));
	t->a = 1;
	t->b[0] = 't';
	t->b[1] = 'e';
	t->b[2] = 's';
	t->b[3] = 't';
	t->b[4] = '\0';
	t->u.d = 123456789;
	t->s.e = (void *)0xffff9b7aca7e0000;
	t->s.f = 987654321;
	t->g = 1;
	t->h = SECONDVAL;
	t->arr[2] = -5;
	print(*t);
	print(t->s);
	print(t->u);
	ev.h = 2;
	ev.l = -1;
	print(ev);
	ev.h = THIRDVAL;
	print(ev);
	exit(0);
}
