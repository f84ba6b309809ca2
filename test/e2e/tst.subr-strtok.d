/* opts: -q */
/*
 * strtok(): tokens across clauses of one firing (the state is per CPU),
 * a change of delimiters on the way (the position kept is the delimiter
 * that ended the last token), the end of the string (NULL reads as "").
 */
BEGIN
{
	x = ",,,Carrots,,Barley,Oatmeal,,,Beans,";
	printf("[%s]\n", strtok(x, ","));
}

BEGIN
{
	printf("[%s] [%s] [%s] [%s]\n", strtok(0, ","), strtok(0, ","),
	    strtok(0, ","), strtok(0, ","));
	y = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	printf("[%s]", strtok(y, "abcABC"));
	printf(" [%s]", strtok(0, "MNO"));
	printf(" [%s]", strtok(0, "MNO"));
	printf(" [%s]\n", strtok(0, "0123"));
	printf("[%s] [%s] [%s]\n", strtok("", ""), strtok("foo", ""),
	    strtok("oobar", "o"));
	exit(0);
}
