# print() of kernel structs by value (an extension: Oracle's print() takes
# pointers only): *curthread->fs and a struct member of it, read in the
# probe, printed from BTF without the address line; a pointer to a struct
# the script declares (the address line, then the value from the D type);
# a bad address read for a value is DTrace's invalid address fault.
# Kernel and alloca() addresses vary: ADDR.
exec 2>&1
dt() { "$DTRACE" "$@" 2>&1 | sed -e 's/0xffff[0-9a-f]*/ADDR/g' \
	-e 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
umask 022
dt -qn 'syscall::getppid:entry /pid == $target/ {
	print(*curthread->fs); print(curthread->fs->pwd); }' \
	-c "$TRIGGERS/getppid 1"
echo "status $?"
dt -qn 'struct pt { int x; char c; }; BEGIN {
	this->p = (struct pt *)alloca(sizeof (struct pt));
	this->p->x = 3; this->p->c = 65; print(this->p); exit(0); }'
dt -qn 'BEGIN { print(*(struct path *)8); }
	BEGIN { printf("still\n"); exit(0); }'
echo "status $?"
