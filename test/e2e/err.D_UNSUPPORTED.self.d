/* Thread-local variables are not supported yet. */
BEGIN
{
	self->x = 1;
}
