/* The issue's acceptance line: integer operators and printf conversions. */
BEGIN
{
	printf("%d %d %d %x %o %5d|%-5d|\n", 7 * 6, 7 / 2, 7 % 3, 255, 8, 42, 42);
	exit(0);
}
