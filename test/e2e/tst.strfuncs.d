/* opts: -q */
/*
 * strlen() and strjoin(), and comparisons of two strings known only at
 * run time (every relational operator, equal prefixes, empty strings).
 */
BEGIN
{
	a = execname;
	b = strjoin(a, "-x");
	c = strjoin(strjoin("a", "b"), strjoin("", "c"));
	printf("%s %d %s %d %s %d %d\n", a, strlen(a), b, strlen(b), c,
	    strlen(c), strlen(""));
	d = "dtrace";
	e = "dtracf";
	f = "";
	printf("%d %d %d %d %d %d\n", a == d, a != d, a < e, e > a, a <= d,
	    a >= e);
	printf("%d %d %d %d\n", b > a, a < b, f < a, f == strjoin("", ""));
	self->n = strjoin(d, d);
	printf("%s %d\n", self->n, self->n == strjoin(a, a));
	exit(0);
}
