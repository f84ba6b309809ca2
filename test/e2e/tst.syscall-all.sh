# Every syscall at once, entry and return, for the target only: the three
# getppid calls are among them, exactly once each, and nothing else fires
# twice for one call (entries and returns pair up but for exit_group).
out=$($DTRACE -qn '
syscall:::entry, syscall:::return
/pid == $target/
{
	printf("%s %s\n", probefunc, probename);
}' -c "$TRIGGERS/getppid 3")
echo "status $?"
echo "$out" | grep -c '^getppid entry$'
echo "$out" | grep -c '^getppid return$'
echo "$out" | grep -c '^exit_group entry$'
n_entry=$(echo "$out" | grep -c ' entry$')
n_return=$(echo "$out" | grep -c ' return$')
[ "$n_entry" -gt 10 ] && echo "many entries"
[ $((n_entry - n_return)) = 1 ] && echo "entries and returns pair up" ||
	echo "entries $n_entry returns $n_return"
