# psinfo_t's pr_pgid, pr_sid, pr_argc, pr_argv, pr_envp, pr_start and
# pr_ttydev of a process in a session of its own (setsid, no terminal)
# against /proc/PID/stat (fields 5, 6, 7 and 22) and /proc/stat's btime;
# argv[0] and envp[0] read through pr_argv and pr_envp with copyin.
setsid "$TRIGGERS/getppid" 200 first second </dev/null >/dev/null 2>&1 &
p=$!
sleep 0.2
read -r -a st < <(sed 's/^.*) //' /proc/$p/stat)	# fields from 3 on
btime=$(awk '/^btime/ { print $2 }' /proc/stat)
hz=$(getconf CLK_TCK)
start=$((btime + st[19] / hz))
$DTRACE -qn 'syscall::getppid:entry /pid == $1/ {
	printf("%d %d %d %d %d\n", curpsinfo->pr_pgid, curpsinfo->pr_sid,
	    curpsinfo->pr_argc, curpsinfo->pr_start.tv_sec,
	    curpsinfo->pr_ttydev == PRNODEV);
	printf("%s|%s|%d\n",
	    basename(copyinstr(*(uintptr_t *)copyin(curpsinfo->pr_argv, 8))),
	    copyinstr(*(uintptr_t *)copyin(curpsinfo->pr_argv + 8, 8)),
	    *(uintptr_t *)copyin(curpsinfo->pr_envp - 8, 8));
	printf("%d\n", curpsinfo->pr_start.tv_nsec < 1000000000);
	exit(0); }' $p >"${TMPDIR:-/tmp}/psinfo-more.$$"
echo "status $?"
read -r pgid sid argc sec notty <"${TMPDIR:-/tmp}/psinfo-more.$$"
echo "pgid $((pgid == st[2] && pgid == p)) sid $((sid == st[3] && sid == p))"
echo "argc $argc tty_nr ${st[4]} notty $notty"
d=$((sec - start)); echo "start within 1s: $((d >= -1 && d <= 1))"
sed -n '2,3p' "${TMPDIR:-/tmp}/psinfo-more.$$"
rm -f "${TMPDIR:-/tmp}/psinfo-more.$$"
kill $p 2>/dev/null
wait $p 2>/dev/null
true
