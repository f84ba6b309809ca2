# setopt() sets an option when the consumer reaches its record: here the
# aggregation sort order between two printa()s; an unknown option is
# reported and tracing goes on.
exec 2>&1
$DTRACE -qn 'BEGIN { @a[1] = sum(5); @a[2] = sum(1); printa(@a);
    setopt("aggsortrev"); printa(@a); setopt("nosuch", "x"); exit(0); }'
echo "status $?"
