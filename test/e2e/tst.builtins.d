/* opts: -q */
/* The built-in variables, checked against what they must equal. */
BEGIN
{
	printf("pid %d ppid %d tid %d\n", pid == $pid, ppid == $ppid, tid == pid);
	printf("uid %d gid %d\n", uid == $uid, gid == $gid);
	printf("cpu %d curthread %d\n", cpu >= 0 && cpu < 4096, curthread != 0);
	printf("execname %s\n", execname);
	printf("probe %s:%s:%s:%s id %d epid %d errno %d\n", probeprov,
	    probemod, probefunc, probename, id, epid, errno);
	printf("times %d %d\n", timestamp > 0, walltimestamp > 1700000000000000000);
	printf("args %d %d\n", arg0, arg9);
	exit(0);
}
