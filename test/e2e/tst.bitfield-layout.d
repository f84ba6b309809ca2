/*
 * D-declared bit-fields laid out as gcc lays them out on x86_64: sizes,
 * the words holding them after stores into global, this-> and self->
 * struct variables (read through a union with a uint64_t array), the
 * members read back (sign-extended when signed), truncation on store, ++
 * and op= within the field.  test/triggers/bitfields.c prints the same
 * from gcc's layout; tst.bitfield-gcc.sh checks that the two agree.
 */
#pragma D option quiet

struct s1 { int a:3; unsigned b:5; char c; int d:7; unsigned long e:40;
	    short f:9; };
struct s2 { unsigned a:30; unsigned b:5; signed char c:4; };
struct s3 { char c; long x:3; };
struct s4 { unsigned char a:1, b:2, c:3; unsigned short d:12; _Bool e:1; };
union u5 { unsigned a:4; int b:12; unsigned long c; };

union w1 { struct s1 s; uint64_t w[2]; };
union w2 { struct s2 s; uint64_t w[2]; };
union w3 { struct s3 s; uint64_t w[2]; };
union w4 { struct s4 s; uint64_t w[2]; };

union w1 x1;
this union w2 x2;
self union w3 x3;
union w4 x4;
self union u5 x5;

BEGIN
{
	printf("sizes %d %d %d %d %d\n", sizeof (struct s1),
	    sizeof (struct s2), sizeof (struct s3), sizeof (struct s4),
	    sizeof (union u5));
	x1.s.a = -3; x1.s.b = 17; x1.s.c = 'x'; x1.s.d = 50;
	x1.s.e = 0x12345678ab; x1.s.f = -200;
	printf("s1 %d %u %c %d %x %d %016x %016x\n", x1.s.a, x1.s.b,
	    x1.s.c, x1.s.d, x1.s.e, x1.s.f, x1.w[0], x1.w[1]);
	this->x2.s.a = 0x3fffffff; this->x2.s.b = 21; this->x2.s.c = -5;
	printf("s2 %u %u %d %016x %016x\n", this->x2.s.a, this->x2.s.b,
	    this->x2.s.c, this->x2.w[0], this->x2.w[1]);
	self->x3.s.c = 1; self->x3.s.x = -1;
	printf("s3 %d %d %016x %016x\n", self->x3.s.c, self->x3.s.x,
	    self->x3.w[0], self->x3.w[1]);
	x4.s.a = 1; x4.s.b = 2; x4.s.c = 5; x4.s.d = 0xabc; x4.s.e = 1;
	printf("s4 %u %u %u %x %u %016x %016x\n", x4.s.a, x4.s.b, x4.s.c,
	    x4.s.d, x4.s.e, x4.w[0], x4.w[1]);
	self->x5.c = 0; self->x5.b = -2;
	printf("u5 %u %d %x\n", self->x5.a, self->x5.b, self->x5.c);
	this->forty = 40;
	this->five = 5;
	this->x2.s.b = this->forty;
	x1.s.a = this->five;
	x4.s.c++; x4.s.c++; x4.s.c++;
	x1.s.f -= 400;
	printf("trunc %u %d %u %d\n", this->x2.s.b, x1.s.a, x4.s.c, x1.s.f);
	exit(0);
}
