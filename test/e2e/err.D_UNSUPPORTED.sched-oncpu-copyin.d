sched:::on-cpu
/pid == $pid/
{
	trace(copyinstr(arg0));
}
