int a[string];

BEGIN
{
	a[1] = 2;
}
