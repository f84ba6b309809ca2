# exit(n) makes dtrace exit with status n; END runs after exit().
$DTRACE -qn 'BEGIN { printf("begin\n"); exit(3); } END { printf("end\n"); }'
echo "status $?"
