/* opts: -q */
/* Clause-local variables: set in one clause, read by the next clause of
   the same firing; 0 at the start of every firing. */
BEGIN
{
	this->a = 5;
	this->b = 7L;
	this->b *= this->a;
}

BEGIN
/this->a == 5/
{
	printf("%d %d %d\n", this->a, this->b, this->a++ + ++this->a);
}

tick-1ms
{
	printf("start %d %d\n", this->a, this->b);
	this->a = 42;
	printf("set %d\n", this->a);
}

tick-1ms
{
	exit(0);
}
