/* opts: -q */
/*
 * lltostr() in bases 10, 16, 8, 2 and 36, negative numbers, 0;
 * htons() and the other byte swaps; getmajor() and getminor() of the
 * kernel's dev_t; rand() is a non-negative int; progenyof() of dtrace
 * itself, its parent, init and a pid that is no ancestor.
 */
BEGIN
{
	v = -1234;
	printf("%s %s %s %s %s\n", lltostr(1234), lltostr(v), lltostr(0),
	    lltostr(0, 16), lltostr(0, 8));
	printf("%s %s %s %s %s\n", lltostr(255, 16), lltostr(8, 8),
	    lltostr(5, 2), lltostr(35, 36), lltostr(v, 16));
	printf("%s\n", lltostr(-9223372036854775807 - 1));
	printf("%x %x %x %x %x %x\n", htons(0x1234), htonl(0x12345678),
	    htonll(0x0102030405060708), ntohs(0xabcd), ntohl(0xffeeddcc),
	    ntohll(htonll(42)));
	printf("%d %d\n", htons(0x123456), ntohs(-1));
	d = (8 << 20) | 17;
	printf("%d %d\n", getmajor(d), getminor(d));
	r = rand();
	printf("%d\n", r >= 0);
	printf("%d %d %d %d\n", progenyof(pid), progenyof(ppid), progenyof(1),
	    progenyof(-5));
	exit(0);
}
