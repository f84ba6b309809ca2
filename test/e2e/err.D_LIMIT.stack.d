/* Every ppid reads the kernel through its own stack slot: 70 of them in
   one clause do not fit in BPF's 512 bytes of stack (a limit, not a crash). */
BEGIN
{
	trace(ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid + ppid
	     + ppid + ppid + ppid + ppid + ppid + ppid);
}
