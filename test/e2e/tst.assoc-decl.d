/* opts: -q */
/*
 * Declared associative arrays: their value and key types fixed before
 * any use (integer, string and pointer keys; integer, string and pointer
 * values; global and self->), unset elements read as 0 and "", an
 * integer key of another integer type, a char value truncated to its
 * type, a declaration repeated the same way.
 */
int a[string];
int b[int, string];
self int c[int];
string names[int];
char small[int];
uint64_t byp[struct task_struct *];
int a[string];

BEGIN
{
	a["x"] = 5;
	a["a rather long string key, longer than the literal above"] = 6;
	b[1, "y"] = 7;
	b[(char)2, execname] = 8;
	self->c[3] = 9;
	self->c[3] += 1;
	names[4] = "four";
	small[0] = 300;
	byp[curthread] = 11;
	printf("%d %d %d %d %d\n", a["x"],
	       a["a rather long string key, longer than the literal above"],
	       b[1, "y"], b[2L, "dtrace"], self->c[3]);
	printf("%s [%s] %d %d %d %d\n", names[4], names[5], a["q"], small[0],
	       byp[curthread], byp[0]);
	a["x"] = 0;
	printf("%d\n", a["x"]);
	exit(0);
}
