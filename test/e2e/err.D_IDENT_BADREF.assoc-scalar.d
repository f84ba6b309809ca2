self int a[int];

BEGIN
{
	self->a = 1;
}
