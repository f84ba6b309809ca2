/* Every C operator on integers, with C's promotions and signedness. */
BEGIN
{
	printf("%d %d %d %d %d\n", 1 + 2, 5 - 9, -7 / 2, -7 % 3, 7 % -3);
	printf("%d %d %d %d\n", 1 << 4, -16 >> 2, 0xf0 & 0x3c, 0xf0 | 0x0f);
	printf("%d %d %d %d\n", 0xff ^ 0x0f, ~0, !0, !5);
	printf("%d %d %d %d %d %d\n", 1 < 2, 2 < 1, 3 <= 3, 4 >= 5, 6 == 6, 6 != 6);
	printf("%d %d %d %d\n", 1 && 0, 1 || 0, 1 ^^ 1, 0 ^^ 1);
	printf("%d %d\n", 3 > 2 ? 10 : 20, 0 ? 1 : 2);
	printf("%u %d\n", (unsigned int)-1, (char)300);
	printf("%d %d\n", (short)70000, (unsigned char)-1);
	printf("%d %d\n", sizeof (int), sizeof (long));
	printf("%d %i %d\n", 2147483647 + 1, -2147483648, 0x7fffffffffffffff > 0);
	printf("%x %X %o\n", 3735928559, 48879, 511);
	exit(0);
}
