int a[struct task_struct *];

BEGIN
{
	a[arg0] = 2;
}
