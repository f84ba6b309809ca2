syscall::read*:entry, syscall::write:return
/pid != $1 && (arg0 > 5 || errno == 2) ^^ execname == "sh"/
{
	printf("%s %d %5.2s %-*d %x\n", probefunc, (char)arg1 % 3, execname, 4, -arg2 / (arg3 | 1), ~uid);
	trace(arg0 ? timestamp : walltimestamp);
	trace(sizeof (long) << 3 >> 1);
	exit(arg4 != 0);
}
