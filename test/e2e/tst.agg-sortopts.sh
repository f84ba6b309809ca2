# The aggregation sort options: by value (default), -x aggsortrev,
# -x aggsortkey, -x aggsortkeypos (the key to compare first), -x aggsortpos
# (whose value orders a joined printa), and -x aggpercpu (each CPU's value
# under the total; BEGIN runs where dtrace runs: CPU 0 here).
d='BEGIN { @a[3, "a"] = sum(10); @a[1, "c"] = sum(30); @a[2, "b"] = sum(20);
    @b[3, "a"] = sum(3); @b[1, "c"] = sum(1); @b[2, "b"] = sum(2); }
END { printa("%d %s %@d %@d\n", @a, @b); }'
for o in "" "-x aggsortrev" "-x aggsortkey" "-x aggsortkey -x aggsortkeypos=1" \
    "-x aggsortkey -x aggsortrev" "-x aggsortpos=1"; do
	echo "== $o"
	$DTRACE -qn "$d BEGIN { exit(0); }" $o
done
echo "== -x aggpercpu"
taskset -c 0 $DTRACE -x aggpercpu -qn 'BEGIN { @ = count(); @ = count(); exit(0); }'
