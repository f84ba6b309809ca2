BEGIN
{
	a["x"] = 1;
	a[2] = 2;
}
