BEGIN
{
	print(1);
	exit(1);
}
