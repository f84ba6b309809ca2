# Entry arguments (up to six), return values and errno, from a trigger
# whose syscalls have known arguments and fail harmlessly.  getppid takes
# no arguments: the six its caller left in the registers read as 0.
$DTRACE -qn '
syscall::getppid:entry, syscall::lseek:entry
/pid == $target/
{
	printf("%s %d %d %d %d %d %d\n", probefunc, arg0, arg1, arg2, arg3,
	    arg4, arg5);
}
syscall::mmap:entry
/pid == $target && arg0 == 0x10000/
{
	printf("%s %x %d %d %d %d %x\n", probefunc, arg0, arg1, arg2, arg3,
	    arg4, arg5);
}
syscall::getppid:return
/pid == $target/
{
	printf("%s %d %d\n", probefunc, arg0 == $pid, errno);
}
syscall::lseek:return, syscall::mmap:return, syscall::openat:return
/pid == $target && errno != 0/
{
	printf("%s %d %d %d\n", probefunc, arg0, arg1, errno);
}' -c "$TRIGGERS/sysargs"
echo "status $?"
