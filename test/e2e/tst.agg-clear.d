/* opts: -q */
/*
 * clear() keeps the keys with zero values (only of the aggregation named),
 * trunc() keeps the largest n, the smallest -n or nothing, normalize()
 * divides what is printed until denormalize().  They act when the consumer
 * reads their record, so each phase runs in a later probe firing than the
 * one before, 100 ms apart.  New keys are made in BEGIN: a probe firing
 * in interrupt context can only take a few new keys at a time from the
 * kernel's allocator.
 */
BEGIN
{
	@a[1] = sum(100); @a[2] = sum(20); @a[3] = sum(3);
	@b[4] = sum(4); @b[5] = sum(50); @b[6] = sum(600);
	@m = min(3); @mx = max(3); @avg = avg(3); @q[1] = quantize(3);
	@t[1] = sum(1); @t[2] = sum(2); @t[3] = sum(3); @t[4] = sum(4);
	@u[1] = sum(1); @u[2] = sum(2); @u[3] = sum(3); @u[4] = sum(4);
	@v[1] = sum(1); @v[2] = sum(2);
	@n["a"] = sum(1000); @n["b"] = sum(3000); @na = avg(1000);
	@nq = quantize(8); @nq = quantize(8);
	clear(@b);
	clear(@m); clear(@mx); clear(@avg); clear(@q);
	printa(@a); printa(@b); printa(@m); printa(@mx); printa(@avg);
	printa(@q);
}

tick-100ms
/++phase == 1/
{
	@b[5] = sum(7); @m = min(9); @m = min(4); @mx = max(-1);
	printa(@b); printa(@m); printa(@mx);
	trunc(@t, 2); trunc(@u, -2); trunc(@v);
	printa(@t); printa(@u); printa(@v);
}

tick-100ms
/phase == 2/
{
	@v[9] = sum(9);
	printa(@v);
	normalize(@n, 10); normalize(@na, 10); normalize(@nq, 2);
	printa(@n); printa(@na); printa(@nq);
	printa("%s %@d\n", @n);
	denormalize(@n);
	printa(@n);
	normalize(@n, 1000);
}

tick-100ms
/phase == 3/
{
	exit(0);
}
