/* opts: -q */
/*
 * quantize, lquantize and llquantize histograms: rows around the data,
 * negative values, increments, the < base and >= limit rows, bars for
 * negative counts and half bars for counts of both signs.
 */
BEGIN
{
	@q = quantize(0); @q = quantize(1); @q = quantize(5); @q = quantize(5);
	@q = quantize(-5); @q = quantize(1000);
	@last = quantize(0x4000000000000000, 1234);
	@neg = quantize(-5);
	@l = lquantize(-1, 0, 10, 2); @l = lquantize(3, 0, 10, 2);
	@l = lquantize(3, 0, 10, 2); @l = lquantize(20, 0, 10, 2);
	@l2 = lquantize(4, 2, 10, 3);
	@ll = llquantize(-20, 4, 0, 1, 2, 80); @ll = llquantize(-8, 4, 0, 1, 2, 92);
	@ll = llquantize(-1, 4, 0, 1, 2, 99); @ll = llquantize(0, 4, 0, 1, 2, 100);
	@ll = llquantize(3, 4, 0, 1, 2, 103); @ll = llquantize(5, 4, 0, 1, 2, 105);
	@ll = llquantize(12, 4, 0, 1, 2, 112); @ll = llquantize(20, 4, 0, 1, 2, 120);
	@negc = llquantize(2, 2, 0, 1, 2, -1);
	@both = llquantize(1, 2, 0, 1, 2, 1); @both = llquantize(2, 2, 0, 1, 2, -1);
	@dec = llquantize(7, 10, 0, 3, 10); @dec = llquantize(70, 10, 0, 3, 10);
	@dec = llquantize(700, 10, 0, 3, 10); @dec = llquantize(7000, 10, 0, 3, 10);
	@ghost = llquantize(1, 2, 0, 1, 4); @ghost = llquantize(-1, 2, 0, 1, 4);
	@mag = llquantize(50, 10, 1, 2, 10);
	@zero = quantize(1, 0);
	@kq["x"] = quantize(3); @kq["y"] = quantize(1); @kq["y"] = quantize(1);
	exit(0);
}
