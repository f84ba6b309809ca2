/* String literals with escapes, string built-ins, comparisons. */
BEGIN
{
	printf("%s|%s|%s|%s\n", probeprov, probemod, probefunc, probename);
	printf("[%5s][%-5s][%.2s]\n", "ab", "ab", "abcdef");
	printf("tab\there \"quoted\" back\\slash %%\n");
	printf("%d %d %d\n", probename == "BEGIN", probename != "BEGIN",
	    "BEGIN" == probename);
	printf("%d %d\n", probename < "C", probename > "C");
	printf("%s\n", probename == "BEGIN" ? "yes" : "no");
	printf("%c%c%c\n", 'o', 107, '\n');
	exit(0);
}
