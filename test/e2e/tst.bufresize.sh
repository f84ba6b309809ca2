# -x bufresize: a buffer the kernel cannot make (a BPF ring buffer holds
# at most 2 GiB) is halved until it can be made, and dtrace says so as
# DTrace does (auto, the default), or tracing does not start (manual).
# Invalid values are refused.
$DTRACE -x bufsize=4g -qn 'BEGIN { printf("ok\n"); exit(0); }' 2>&1
echo "status $?"
$DTRACE -x bufsize=3g -x bufresize=auto -qn 'BEGIN { exit(0); }' 2>&1
echo "status $?"
$DTRACE -x bufsize=4g -x bufresize=manual -qn 'BEGIN { exit(0); }' 2>&1
echo "status $?"
$DTRACE -x bufsize=2g -x bufresize=manual -qn 'BEGIN { printf("ok\n"); exit(0); }' 2>&1
echo "status $?"
$DTRACE -x bufresize=never -qn 'BEGIN { exit(0); }' 2>&1
echo "status $?"
