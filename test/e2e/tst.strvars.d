/* opts: -q */
/*
 * String variables: global, clause-local and thread-local, assigned from
 * constants, built-ins and each other, compared with constants, printed;
 * an unset self-> string reads as "".
 */
string g;
self string unset;

BEGIN
{
	g = "global";
	this->t = "local";
	self->s = execname;
	printf("%s %s %s [%s]\n", g, this->t, self->s, self->unset);
	g = this->t;
	this->t = self->s;
	printf("%s %s %d %d %d\n", g, this->t, g == "local", g != "local",
	    self->s == "dtrace");
	trace(g);
	printf("\n%s\n", g < "m" ? "less" : "more");
	self->unset = "now set";
}

BEGIN
{
	printf("%s %s [%s]\n", g, self->s, this->t);
	printf("%s\n", self->unset);
	exit(0);
}
