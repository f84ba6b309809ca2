/* Associative arrays are not supported yet. */
BEGIN
{
	a[1] = 2;
}
