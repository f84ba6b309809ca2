BEGIN
{
	@a = sum(probefunc);
}
