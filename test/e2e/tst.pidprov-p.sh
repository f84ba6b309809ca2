# -p: pid probes in a process that is already running; a second process
# running the same executable does not fire them.
exec 2>&1
T=$TRIGGERS/pidtrig
$T 0 2 & other=$!
$T 0 5 & target=$!
# until both have exec'd the trigger (before that a.out is the shell)
for p in $other $target; do
	while [ "$(readlink /proc/$p/exe)" != "$(readlink -f $T)" ]; do
		sleep 0.01
	done
done
$DTRACE -qn 'int n; pid$target:a.out:pidt_many:entry /n < 3/ { printf("%d %d %d\n", arg0, arg7, pid == $target); }
pid$target:a.out:pidt_many:entry /++n == 3/ { exit(0); }' -p $target
echo "status $?"
$DTRACE -qn 'pid$target:a.out:pidt_neg:return { printf("%d", pid == $target && (int)arg1 < 0); }
pid$target:a.out:pidt_neg:return /++n == 10/ { exit(0); }' -p $target
echo "status $?"
kill $other $target
