# 1000 clauses on one probe: one program, whose stack slots each clause
# reuses (they did not fit in 512 bytes before), and that the verifier
# accepts.  Each clause keeps its own predicate, aggregation key and
# execname buffer, and this-> is shared by all; three firings of the
# probe run every one of them in order.
src=$(mktemp)
trap 'rm -f "$src"' EXIT
{
	echo 'syscall::getppid:entry /pid == $target/ { this->n = 0; }'
	for i in $(seq 1000); do
		echo "syscall::getppid:entry /pid == \$target && arg0 == 0/ {"
		echo "	@s[execname, $((i % 7))] = sum($i); this->n++; }"
	done
	echo 'syscall::getppid:entry /pid == $target/ { @n = max(this->n); }'
} >"$src"
$DTRACE -qs "$src" -c "$TRIGGERS/getppid 3"
echo "status $?"
