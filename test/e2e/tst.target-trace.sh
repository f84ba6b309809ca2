# The issue's -c one-liner with the default output: trace(arg0) of getppid
# (which has no arguments, so arg0 is 0), one line per call on CPU 0.
taskset -c 0 $DTRACE -n 'syscall::getppid:entry /pid == $target/ { trace(arg0); }' -c "$TRIGGERS/getppid 2" 2>&1 |
	sed 's/pid [0-9]* has exited/pid PID has exited/'
