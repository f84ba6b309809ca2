BEGIN
{
	print((void *)curthread);
	exit(1);
}
