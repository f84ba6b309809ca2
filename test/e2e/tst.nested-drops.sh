# Nested firings are dropped and counted, never run on top of the firing
# they interrupt nor lost without a word.  A copyin() of an unmapped
# address in a syscall clause faults, and the fault fires
# exceptions:page_fault_kernel inside that clause's program: the sdt
# clause there would have overwritten the syscall clause's this-> string
# ("inner" printed where "outer" was stored).  Each getppid's nested
# firings are counted: "dtrace: N nested probe drops ...".  How many
# faults a failed copyin() takes is the kernel's (one on 6.18; two on 6.1,
# whose copy retries byte by byte): the same number for every call.
per() {	# drops, calls -> whether each call had the same number (>= 1)
	[ "$1" -gt 0 ] && [ $(($1 % $2)) = 0 ] && echo "the same number per call" ||
		echo "$1 for $2 calls"
}
nested() {	# sum of the nested probe drops dtrace reported on stderr
	sed -n 's/^dtrace: \([0-9]*\) nested probe drops\{0,1\} (a probe fired while another was running on its CPU)$/\1/p' "$1" |
		awk '{ s += $1 } END { print s + 0 }'
}
others() {	# anything else on stderr but the expected faults
	grep -v 'nested probe drop\|invalid address (0x8)\|^$' "$1"
}
cat >/tmp/nested.$$.d <<'D'
syscall::getppid:entry /pid == $target/ { this->s = strjoin("out", "er"); }
syscall::getppid:entry /pid == $target/ { trace(*(int *)copyin(8, 4)); }
syscall::getppid:entry /pid == $target/ { printf("%s\n", this->s); }
sdt:exceptions::page_fault_kernel { this->t = strjoin("inn", "er"); }
D
echo "one script:"
$DTRACE -q -s /tmp/nested.$$.d -c "$TRIGGERS/getppid 3" 2>/tmp/nested.$$.err
echo "status $?, nested drops: $(per "$(nested /tmp/nested.$$.err)" 3)"
others /tmp/nested.$$.err

# The same with the sdt clause in a second -n, compiled after the
# syscall clauses' program (which must then be compiled again, guarded).
echo "two -n:"
$DTRACE -q -n 'syscall::getppid:entry /pid == $target/ { this->s = strjoin("out", "er"); }
    syscall::getppid:entry /pid == $target/ { trace(*(int *)copyin(8, 4)); }
    syscall::getppid:entry /pid == $target/ { printf("%s\n", this->s); }' \
	-n 'sdt:exceptions::page_fault_kernel { this->t = strjoin("inn", "er"); }' \
	-c "$TRIGGERS/getppid 2" 2>/tmp/nested.$$.err
echo "status $?, nested drops: $(per "$(nested /tmp/nested.$$.err)" 2)"
others /tmp/nested.$$.err

# A program nesting in itself: the kernel does not run it, and counts it
# in the program's recursion_misses, which dtrace reports the same way.
# dd's fresh 1 MiB buffer faults in read(); each of those firings' copyin
# faults again, inside the same program: the same number of drops for
# each firing.  Only the faults inside read() count: a kernel fault in
# exec (before the new image's memory is the CPU's) may fail a copyin
# without a fault of its own.
echo "itself:"
# (once in CI on 6.18 a run's one firing saw no nested fault, cause not
# found: a run with no drops is tried again, up to three times)
for try in 1 2 3; do
	$DTRACE -q -n 'syscall::read:entry /pid == $target/ { self->r = 1; }
	syscall::read:return /pid == $target/ { self->r = 0; }
	rawtp:exceptions::page_fault_kernel /pid == $target && self->r/ {
	@ = count(); trace(*(int *)copyin(8, 4)); }
	END { printa("firings %@d\n", @); }' \
	-c "dd if=$0 of=/dev/null bs=1M" >/tmp/nested.$$.out 2>/tmp/nested.$$.err
	st=$?
	n=$(sed -n 's/^firings //p' /tmp/nested.$$.out)
	d=$(nested /tmp/nested.$$.err)
	[ "$d" -gt 0 ] && break
done
echo "status $st, firings $([ "${n:-0}" -gt 0 ] && echo some), drops: $(per "$d" "${n:-1}")"
grep -v 'nested probe drop\|invalid address (0x8)\|^$\|records in$\|records out$\|bytes.*copied' /tmp/nested.$$.err
rm -f /tmp/nested.$$.d /tmp/nested.$$.err /tmp/nested.$$.out
