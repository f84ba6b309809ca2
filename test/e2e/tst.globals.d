/* opts: -q */
/* Integer globals: counted in one clause, printed in another; every
   assignment operator, ++ and --, a predicate on a global, declared and
   inferred types. */
uint64_t total;
char small;
int unset;

BEGIN
{
	n = 0;
	total = 10;
}

tick-1ms
/n < 5/
{
	n++;
	total += n;
}

tick-1ms
/n == 5/
{
	printf("n=%d total=%d\n", n, total);
	x = 100;
	x -= 1; printf("%d ", x);
	x *= 2; printf("%d ", x);
	x /= 3; printf("%d ", x);
	x %= 10; printf("%d ", x);
	x <<= 4; printf("%d ", x);
	x >>= 1; printf("%d ", x);
	x |= 1; printf("%d ", x);
	x &= 3; printf("%d ", x);
	x ^= 6; printf("%d\n", x);
	printf("%d %d %d %d %d\n", x++, x, ++x, x--, --x);
	small = 200;
	printf("%d %d\n", small, unset);
	n = 99;		/* fire once even if a tick beats exit() */
	big = 1L << 40;
	printf("%d\n", big);
	exit(0);
}
