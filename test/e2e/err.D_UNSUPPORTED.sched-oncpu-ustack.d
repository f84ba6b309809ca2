sched:::on-cpu
{
	@[ustack()] = count();
}
