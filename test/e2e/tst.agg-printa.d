/* opts: -q */
/*
 * printa(): without a format (a newline, then the entries), with one
 * (keys by conversion, %@ for the value, no newline of its own), of a
 * histogram inside a format, of several aggregations joined on their
 * keys (a missing key shows 0), of an empty aggregation; printed
 * aggregations are not printed again at exit, the others are.
 */
BEGIN
{
	@a["x", 1] = sum(10); @a["y", 2] = sum(20); @a["z", 3] = sum(5);
	@b["x", 1] = count(); @b["w", 4] = count();
	@c = count();
	@h = quantize(3);
	@e[1] = count();
	@unprinted = sum(42);
	printa(@a);
	printa("%s/%d -> %@d\n", @a);
	printa("%-4s %@5u|\n", @a);
	printa("just %s\n", @a);
	printa("%s %d: a=%@d b=%@d\n", @a, @b);
	printa(@a, @b);
	printa("c = %@x\n", @c);
	printa("@h = %@d", @h);
	printf("after\n");
	trunc(@e);
	printa(@e);
	printa("never %@d\n", @e);
	printf("end\n");
	exit(0);
}
