/* opts: -q */
/*
 * Associative arrays, global and thread-local: tuple keys of integers and
 * strings, integer and string values, op= and ++ on elements, missing
 * keys read as 0 and "", storing 0 deletes, keys as strings of different
 * lengths.
 */
BEGIN
{
	a[1, "x"] = 5;
	a[2, "y"] = 3;
	a[1, "x"] += 10;
	a[2, "y"]++;
	names["k"] = "value";
	names[execname] = "me";
	self->c[pid] = 7;
	self->c[pid]++;
	printf("%d %d %d\n", a[1, "x"], a[2, "y"], a[3, "z"]);
	printf("%s [%s] %s\n", names["k"], names["nope"], names["dtrace"]);
	printf("%d %d\n", self->c[pid], self->c[0]);
	a[2, "y"] = 0;
	printf("%d %d\n", a[2, "y"], a[1, "x"] == 15);
	i = 0;
	sq[i] = i * i; i++;
	sq[i] = i * i; i++;
	sq[i] = i * i; i++;
	printf("%d %d %d\n", sq[0], sq[1], sq[2]);
}

BEGIN
/a[1, "x"] == 15 && names["k"] == "value"/
{
	printf("kept between clauses\n");
	exit(0);
}
