BEGIN
{
	trace(d_path(0));
}
