/* More run-time string searches than the verifier can follow in one
   program: refused when compiled, not left to fail when loaded. */
BEGIN
{
	s = execname;
	a = index(s, strjoin("t", "r")); b = index(s, strjoin("a", "c"));
	c = index(s, strjoin("c", "e")); d = strstr(s, strjoin("r", "a"));
	e = rindex(s, strjoin("a", "c")); f = index(s, strjoin("e", "x"));
	g = index(s, strjoin("d", "t")); h = index(s, strjoin("d", "t"));
	i = index(s, strjoin("d", "t")); j = index(s, strjoin("d", "t"));
	k = index(s, strjoin("d", "t"));
}
