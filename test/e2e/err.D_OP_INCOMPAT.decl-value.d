string names[int];

BEGIN
{
	names[1] = 2;
}
