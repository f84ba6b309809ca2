# Debian's python3.11 carries SDT notes with semaphores: function-entry and
# function-return of a script's functions (found by their first line
# numbers, 1001 and 2002; the line probe is enabled too, since Python 3.11
# reports function-entry only while it traces lines).
P=/usr/bin/python3.11
[ -x $P ] || { echo "needs $P"; exit 77; }
exec 2>&1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
	for i in $(seq 1000); do echo; done
	echo 'def f(x):'
	echo '    return x + 1'
	for i in $(seq 999); do echo; done
	echo 'def g(y):'
	echo '    return f(y) * 2'
	echo 'for i in range(3):'
	echo '    g(i)'
} >"$dir/s.py"
$DTRACE -l -n 'python$target:::function-*' -c "$P -S -I $dir/s.py" |
	sed -E 's/^( *[0-9]+) +python[0-9]+ /\1 pythonPID /'
$DTRACE -qn 'python$target:::line /0/ {}
python$target:::function-entry /arg2 == 1001 || arg2 == 2002/ {
	printf("%s %s %d %d\n", probemod, probename, arg2, arg0 != 0 && arg1 != 0);
}' -c "$P -S -I $dir/s.py"
echo "status $?"
