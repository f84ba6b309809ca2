# String predicates on execname; the acceptance one-liner, narrowed to the
# trigger (flags 0: its own opens, not the loader's) for a stable output.
$DTRACE -qn 'syscall::openat:entry /execname != "dtrace" && pid == $target && arg2 == 0/ { printf("%-16s %d\n", execname, pid == $target); }' -c "$TRIGGERS/openat 2"
