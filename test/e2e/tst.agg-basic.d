/* opts: -q */
/*
 * Every scalar aggregating function, with and without keys, negative
 * values included; printed at exit in id order, each sorted by value then
 * key, in DTrace's columns.
 */
BEGIN
{
	@c = count(); @c = count();
	@s = sum(10); @s = sum(-3);
	@mn = min(5); @mn = min(-7); @mn = min(2);
	@mx = max(5); @mx = max(-7); @mx = max(2);
	@a = avg(1); @a = avg(2);
	@an = avg(-7); @an = avg(-2);
	@sd = stddev(10); @sd = stddev(20); @sd = stddev(30); @sd = stddev(40);
	@sd = stddev(50);
	@big = sum(0x7fffffffffffffff); @big = sum(1);
	@k["dtrace"] = count();
	@k["b"] = count(); @k["b"] = count();
	@k["a"] = count(); @k["a"] = count();
	@k2[1, "one"] = sum(100); @k2[2, "two"] = sum(100);
	@k2[-1, "minus"] = sum(50);
	@l[(long)-2] = max(1); @l[(long)3] = max(1);
	exit(0);
}
