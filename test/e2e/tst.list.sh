# -l lists exactly the syscall tracepoints the description matches.
$DTRACE -l -n 'syscall::read*:entry' | awk 'NR == 1 { print; next } { print $2, $3, $4, $5 }' | sort
