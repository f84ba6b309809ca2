# printa's %a of a func() or sym() key: the function's kernel address
# (keys count per function) as symbol+offset, at the function's start so
# without an offset, as the default printa shows the key; widths apply;
# an integer conversion shows the address itself.  %A of a ufunc() key:
# the user function, named from the key's process.  Other conversions of
# these keys are DTrace's type error.
exec 2>&1
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ { @[func(caller)] = count(); }
END { printa("[%a] %@d\n", @); printa("[%-40a]\n", @); printa("%p\n", @); printa(@); }' \
    -c "$TRIGGERS/stacktrig 3" > /tmp/ps.$$
echo "status $?"
sed -e '/^\[.*  \]$/d' -e 's/vmlinux`[A-Za-z_0-9.]*/vmlinux`FUNC/' \
    -e 's/FUNC  */FUNC /' -e 's/^[0-9a-f]\{16\}$/ADDR/' /tmp/ps.$$
sed -n 's/^\[\(.*  \)\]$/\1/p' /tmp/ps.$$ | awk '{ print "width " length($0) }'
f=$(sed -n 's/^\[\(.*\)\] 3$/\1/p' /tmp/ps.$$)
grep -q "^  $f  *3\$" /tmp/ps.$$ && echo "%a shows the key as printa does"
rm -f /tmp/ps.$$
$DTRACE -qn 'syscall::getppid:entry /pid == $target/
{ @f[ufunc(ucaller - 1)] = count(); @f[ufunc(ucaller - 2)] = count(); }
END { printa("%A|%@d\n", @f); printa("%-20A|\n", @f); }' -c "$TRIGGERS/stacktrig 2"
echo "status $?"
$DTRACE -qn 'BEGIN { @[func(0)] = count(); printa("%s\n", @); }'
echo "status $?"
