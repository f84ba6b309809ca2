/* A global takes the type of its first assignment. */
BEGIN
{
	x = 1;
	x = "one";
}
