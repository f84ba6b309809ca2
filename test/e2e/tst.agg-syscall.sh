# Aggregations on a syscall probe: per-probe counts of a -c target, both
# CPUs merged exactly, a tick report loop with clear() that loses and
# repeats nothing, and a full aggregation reporting its drops.
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ { @[probefunc] = count(); }' \
    -c "$TRIGGERS/getppid 5"
echo "status $?"

# Two children pinned to CPU 0 and CPU 1: each CPU's counts, and the sum.
two=/tmp/agg-syscall-two.$$
printf '%s\n' "taskset -c 0 $TRIGGERS/spin-getppid 20000 &" \
    "taskset -c 1 $TRIGGERS/spin-getppid 30000" wait > $two
$DTRACE -qn '
syscall::getppid:entry /ppid == $target/
{ @c[cpu] = count(); @all = count(); @s = sum(1); }' -c "sh $two"
echo "status $?"
rm -f $two

# A report every 50 ms while getppid is called 40 times, 10 ms apart:
# the reports add up to exactly 40.
$DTRACE -qn '
syscall::getppid:entry /pid == $target/ { @n = count(); }
tick-50ms { printa("n %@d\n", @n); clear(@n); }
END { printa("n %@d\n", @n); }' -c "$TRIGGERS/getppid 40" |
    awk '/^n / { total += $2; lines++ } END { print "total", total, (lines > 3) }'

# -x aggsize this small leaves room for 64 keys: 36 of 100 are dropped.
$DTRACE -x aggsize=1 -qn '
syscall::getppid:entry /pid == $target/ { @[timestamp] = count(); }' \
    -c "taskset -c 1 $TRIGGERS/spin-getppid 100" 2>/tmp/agg-syscall.$$ | grep -c .
cat /tmp/agg-syscall.$$
rm -f /tmp/agg-syscall.$$
