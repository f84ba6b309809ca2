/* opts: -q */
/*
 * index() and rindex() (with and without a start, literal and run-time
 * substrings), strchr(), strrchr(), strstr() (NULL reads as ""),
 * toupper(), tolower(), and substr() in all its argument forms.
 */
BEGIN
{
	a = "foofoofoo"; b = "foo"; e = ""; s = "fooeyfooeyfoo";
	printf("%d %d %d %d %d %d\n", index(a, b), rindex(a, b), index(a, b, 4),
	    rindex(a, b, 4), index(a, e, 20), rindex(e, e));
	printf("%d %d %d %d\n", index(a, "oof"), rindex(a, "oof", 4), index("foobarbaz", "barbazzy"), rindex("foobar", "", -1));
	printf("[%s] [%s] [%s] [%s] [%s]\n", strchr(s, 'y'), strrchr(s, 'f'), strchr(s, 'a'), strstr("foobarbarbazbarbop", "bazbarbop"), strstr(s, b));
	printf("[%s] [%s] [%s]\n", toupper("Hello, World 1z"), tolower("Hello, World 1Z"), strstr(e, e));

}
BEGIN
{
	s = "foobarbazbop";
	printf("[%s] [%s] [%s] [%s] [%s] [%s] [%s] [%s]\n", substr(s, 3),
	    substr(s, 300), substr(s, -10), substr(s, 0), substr(s, 1),
	    substr(s, 11), substr(s, 12), substr(s, 13));
	printf("[%s] [%s] [%s] [%s] [%s] [%s] [%s]\n", substr(s, 8, 20),
	    substr(s, 4, 4), substr(s, 5, 8), substr(s, 5, 9),
	    substr(s, 400, 20), substr(s, 400, 0), substr(s, 400, -1));
	printf("[%s] [%s] [%s] [%s] [%s] [%s] [%s]\n", substr(s, 3, 0),
	    substr(s, 3, -1), substr(s, 3, -4), substr(s, 3, -20),
	    substr(s, -10, -5), substr(s, 0, 400), substr(s, -1, 400));
	printf("[%s] [%s] [%s] [%s] [%s] [%s] [%s]\n", substr(s, -1, 0),
	    substr(s, -1, -1), substr(s, -24, 24), substr(s, -24, 12),
	    substr(s, -24, 13), substr(s, -12, 12), substr(s, -12, 11));
	i = -10; j = -5;
	printf("[%s] [%s]\n", substr(execname, i + 12, j + 3), substr("", 0));
	exit(0);
}
