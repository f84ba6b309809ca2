/* opts: -q -c @TRIGGERS@/memtrig */
/*
 * copyin() of a known struct a trigger passes to write(2), read back
 * through typed pointers; copyinto() and bcopy() into alloca() space;
 * inet_ntop() of IPv4 and IPv6 addresses in user memory, formatted as
 * inet_ntop(3) formats them (zero runs, IPv4-mapped and -compatible).
 */
syscall::write:entry /pid == $target && (int)arg0 == -1 && arg2 == 12/
{
	this->p = (int *)copyin(arg1, arg2);
	printf("%x %s %d\n", *this->p, stringof((char *)(this->p + 1)), this->p[0] == 0x12345678);
	this->q = (char *)alloca(8);
	copyinto(arg1 + 4, 7, this->q);
	printf("%s\n", stringof(this->q));
	bcopy(this->q + 2, this->q, 4);
	printf("%s\n", stringof(this->q));
}
syscall::write:entry /pid == $target && (int)arg0 == -1 && arg2 != 12/
{
	printf("%s\n", inet_ntop(arg2 == 4 ? 2 : 10, copyin(arg1, arg2)));
}
