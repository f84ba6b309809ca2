# Without -q: the heading, then one line per firing, trace() values after it.
taskset -c 0 $DTRACE -n 'BEGIN { trace(42); trace("str"); } BEGIN { exit(0); }' 2>&1
