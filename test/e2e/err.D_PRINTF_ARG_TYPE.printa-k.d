BEGIN
{
	@[execname] = count();
	printa("%k %@d\n", @);
	exit(0);
}
