sched:::on-cpu
{
	@[stack()] = count();
}
