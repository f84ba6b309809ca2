/* tick-N fires every N on one CPU; walltimestamp is the time of day. */
profile:::tick-1s
{
	printf("%d\n", walltimestamp > 1700000000000000000);
}

tick-3500ms
{
	exit(0);
}
