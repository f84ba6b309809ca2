# -x cpu=N: only firings on CPU N do anything (BEGIN and END still run).
two=/tmp/opt-cpu.$$
printf '%s\n' "taskset -c 0 $TRIGGERS/spin-getppid 1000 &" \
    "taskset -c 1 $TRIGGERS/spin-getppid 500" wait > $two
$DTRACE -x cpu=1 -qn 'BEGIN { printf("begin\n"); }
syscall::getppid:entry /ppid == $target/ { @[cpu] = count(); }' -c "sh $two"
echo "status $?"
rm -f $two
