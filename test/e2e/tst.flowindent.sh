# -F: "-> func" on entry indents what follows on that CPU, "<- func" on
# return undoes it, under the "CPU FUNCTION" heading.
taskset -c 0 $DTRACE -F -n 'syscall::getppid:entry,syscall::getppid:return,syscall::clock_nanosleep:entry /pid == $target/ { }' \
	-c "$TRIGGERS/getppid 2" 2>/dev/null
