# The acceptance test: a trigger forks a child that execs
# /bin/true; proc:::exec-success fires in the new image.
$DTRACE -qn 'proc:::exec-success /ppid == $target/ { printf("%s\n", execname); }' -c "$TRIGGERS/proctrig exec"
echo "status $?"
