# psinfo_t's pr_ttydev of a process with a terminal (script(1) gives the
# trigger a pseudo-terminal): its major and minor are those of
# /proc/PID/stat's tty_nr.
command -v script >/dev/null || { echo "needs script(1)"; exit 77; }
script -qec "$TRIGGERS/getppid 200" /dev/null </dev/null >/dev/null 2>&1 &
s=$!
for _ in $(seq 50); do
	p=$(grep -l "^[0-9]* (getppid) . $s " /proc/[0-9]*/stat 2>/dev/null |
		head -1 | cut -d/ -f3)
	[ -n "$p" ] && break
	sleep 0.05
done
[ -n "$p" ] || { kill $s; echo "needs script(1) to run a child"; exit 77; }
sleep 0.1
read -r -a st < <(sed 's/^.*) //' /proc/$p/stat)
tty=${st[4]}
$DTRACE -qn 'syscall::getppid:entry /pid == $1/ {
	printf("%d %d\n", getmajor(curpsinfo->pr_ttydev),
	    getminor(curpsinfo->pr_ttydev)); exit(0); }' $p | sed "/^$/d" |
while read -r maj min; do
	echo "tty major $((maj == (tty >> 8 & 0xfff))) minor $((min == ((tty & 0xff) | (tty >> 12 & 0xfff00)))) pty $((maj >= 136 && maj <= 143))"
done
kill $p $s 2>/dev/null
wait $s 2>/dev/null
true
