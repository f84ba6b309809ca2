# Entry and return of one syscall named in one clause: two programs, on
# sys_enter and sys_exit.  getppid returns dtrace's pid (the -c parent).
taskset -c 0 $DTRACE -qn '
syscall::getppid:entry, syscall::getppid:return
/pid == $target/
{
	printf("%s:%s %d\n", probefunc, probename,
	    probename == "return" ? arg0 == $pid : arg0);
}' -c "$TRIGGERS/getppid 3"
echo "status $?"
