# copyout() and copyoutstr() with -w write the traced process's memory
# (bpf_probe_write_user): the target prints its buffer after the probe
# changed it.  copyout() copies scratch space (here copyin()'s), at most
# nbytes; copyoutstr() the string and its NUL, at most maxlen bytes; a
# bad address is DTrace's invalid address fault.  A kernel in lockdown
# refuses BPF programs this helper: there dtrace says so and the test is
# skipped (our 6.18 machines; check-kernel's 6.1 runs it).
if ! out=$($DTRACE -wqn 'BEGIN { copyoutstr("x", 0, 1); } BEGIN { exit(0); }' 2>&1); then
	case "$out" in
	*"copyout( ) and copyoutstr( ) are not available"*)
		echo "needs a kernel that lets BPF write user memory (not in lockdown)"
		exit 77 ;;
	esac
	echo "$out"; exit 1
fi
w='syscall::write:entry /pid == $target && (int)arg0 == -1/'
dt() {	# the target's line, then dtrace's messages
	"$DTRACE" "$@" 2>/tmp/copyout.$$ | grep -v '^$'
	local st=${PIPESTATUS[0]}
	sed -e 's/ at BPF pc [0-9]*$/ at BPF pc N/' -e 's/(0x[0-9a-f]*)/(ADDR)/' \
	    -e 's/probe ID [0-9]* (ID [0-9]*:/probe ID N (ID M:/' /tmp/copyout.$$
	rm -f /tmp/copyout.$$
	return "$st"
}
dt -wqn "$w"' { copyoutstr("XYZ", arg1, 8); }' -c "$TRIGGERS/outtrig"
dt -wqn "$w"' { copyoutstr("XYZ", arg1 + 8, 2); }' -c "$TRIGGERS/outtrig"
dt -wqn "$w"' { this->p = copyin(arg1, 8); copyout(this->p, arg1 + 8, 6); }' -c "$TRIGGERS/outtrig"
dt -wqn "$w"' { copyout(arg1, arg1 + 8, 6); }' -c "$TRIGGERS/outtrig"
dt -wqn "$w"' { copyoutstr("XYZ", 16, 4); }' -c "$TRIGGERS/outtrig"
echo "status $?"
