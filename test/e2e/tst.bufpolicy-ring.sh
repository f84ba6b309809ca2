# -x bufpolicy=ring: a flight recorder.  Nothing is printed while tracing;
# at the end each CPU's buffer holds only its newest -x bufsize bytes
# (here 1k: 42 records of 24 bytes, so BEGIN's record and the first 958
# firings are gone), printed before END's output.  No drops are reported:
# the ring overwrites.  Speculations still work: ids freed by commit() and
# discard() while tracing goes on (nspec=1 serves 20 of them), committed
# records kept like any other (commit and discard records count too).
taskset -c 0 $DTRACE -x bufpolicy=ring -x bufsize=1k -qn '
BEGIN { printf("begin\n"); }
syscall::getppid:entry /pid == $target/ { printf("%d\n", i++); }
END { printf("end %d\n", i); }' -c "$TRIGGERS/spin-getppid 1000" | tr '\n' ' '
echo "status ${PIPESTATUS[0]}"
taskset -c 0 $DTRACE -x bufpolicy=ring -x bufsize=120 -qn '
BEGIN { i = 0; }
syscall::getppid:entry /pid == $target/ { s = speculation(); }
syscall::getppid:entry /pid == $target/ { speculate(s); printf("spec %d\n", i); }
syscall::getppid:entry /pid == $target && i % 2/ { commit(s); }
syscall::getppid:entry /pid == $target && !(i % 2)/ { discard(s); }
syscall::getppid:entry /pid == $target/ { i++; }
END { printf("end %d\n", i); }' -c "$TRIGGERS/getppid 20" 2>&1 | tr '\n' ' '
echo "status ${PIPESTATUS[0]}"
