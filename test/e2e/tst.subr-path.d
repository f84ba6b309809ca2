/* opts: -q */
/*
 * basename(), dirname() and cleanpath(), on DTrace's examples and the
 * edge cases: "", all slashes, no slash, trailing slashes, "." and "..".
 */
BEGIN
{
	p[0] = "/foo/bar/baz"; p[1] = "/foo/bar///baz/"; p[2] = "foo";
	p[3] = "/"; p[4] = "////"; p[5] = ""; p[6] = "foo/"; p[7] = "/foo";
	p[8] = "a//b"; p[9] = ".";
	i = 0;
}

tick-1ms
/i < 10/
{
	printf("basename(\"%s\") = \"%s\", dirname = \"%s\"\n", p[i],
	    basename(p[i]), dirname(p[i]));
	i++;
}

tick-1ms
/i == 10/
{
	c[0] = "/foo/bar/baz"; c[1] = "/foo/bar///baz/"; c[2] = "/foo/bar/baz/.";
	c[3] = "/foo/bar/../../baz/.//"; c[4] = "foo/bar/./././././baz/";
	c[5] = "/foo/bar/baz/../../../../../../"; c[6] = "/./";
	c[7] = "/foo/bar/baz/../../bop/bang/../../bar/baz/"; c[8] = "./";
	c[9] = "//"; c[10] = "/."; c[11] = "."; c[12] = ""; c[13] = "a/..";
	c[14] = "../../.."; c[15] = "a/../.."; c[16] = "/a/../..";
	c[17] = "z/a/b/../../././c///d/e"; c[18] = "..x/.y/...";
	j = 0;
	i++;
}

tick-1ms
/i > 10 && j < 19/
{
	printf("cleanpath(\"%s\") = \"%s\"\n", c[j], cleanpath(c[j]));
	j++;
}

tick-1ms
/j == 19/
{
	exit(0);
}
