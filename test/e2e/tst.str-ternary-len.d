/* opts: -q */
/*
 * A ternary of strings of different lengths is as long as its longer arm,
 * as a key, a value and in comparisons, whichever arm is taken.
 */
BEGIN
{
	@[pid > 0 ? "parent" : "kid"] = count();
	@[pid < 0 ? "parent" : "kid"] = count();
	@[pid > 0 ? execname : "k"] = count();
	@[pid < 0 ? execname : "kiddo-kiddo-kiddo-kiddo"] = count();
	x = pid < 0 ? "a" : "abcdefghij";
	printf("%s %d %d\n", x, strlen(pid > 0 ? "parent" : "kid"),
	    (pid > 0 ? "parent" : "kid") == "parent");
	exit(0);
}
