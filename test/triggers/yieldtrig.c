/*
 * yieldtrig.c - trigger for sched:::remain-cpu: calls sched_yield() 2000
 * times; with no other thread runnable on its CPU the scheduler keeps it
 * running.  Exits 0.
 */
#include <sched.h>

int main(void)
{
	for (int i = 0; i < 2000; i++)
		sched_yield();
	return 0;
}
