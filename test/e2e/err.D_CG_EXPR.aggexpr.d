BEGIN
{
	x = avg(1);
}
