/* sched_process_exec's raw tracepoint has three arguments: args[3] has no type */
rawtp:sched::sched_process_exec
{
	trace(args[3]);
}
