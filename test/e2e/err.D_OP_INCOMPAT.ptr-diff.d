BEGIN
{
	trace(&curthread->pid - &curthread->comm);
}
