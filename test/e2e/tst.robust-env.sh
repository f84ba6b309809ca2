# What dtrace says where it cannot trace: as an unprivileged user (tracing
# and listing refused at once, DTrace's way; -V, -h and -G still work),
# without kernel BTF, and without tracefs (hidden in a private mount
# namespace by an empty tmpfs over /sys/kernel/btf, or over /sys/kernel,
# where tracefs then cannot be mounted either).
command -v setpriv >/dev/null && command -v unshare >/dev/null ||
	{ echo "setpriv and unshare (util-linux) are needed"; exit 77; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cp "$DTRACE" dtrace	# where nobody may run it, wherever the tree is
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
r() {	# label, command...: what it said and its status
	echo "--- $1"; shift
	"$@" 2>&1 </dev/null | sed -n 1,4p | cut -c1-160
	echo "status ${PIPESTATUS[0]}"
}
r "nobody: -n" nobody ./dtrace -n 'BEGIN { exit(0); }'
r "nobody: -l" nobody ./dtrace -l -n 'syscall::read:entry'
r "nobody: -e" nobody ./dtrace -e -n 'BEGIN { exit(0); }'
r "nobody: -V" nobody ./dtrace -V
printf 'provider app { probe go(int); };\n' >app.d
mkdir out && chmod 777 out
r "nobody: -h" nobody ./dtrace -h -s app.d -o out/app.h
grep -c 'APP_GO' out/app.h
r "no BTF: ppid" unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf &&
	\"$DTRACE\" -qn 'BEGIN { trace(ppid); exit(0); }'"
r "no BTF: pid" unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf &&
	\"$DTRACE\" -qn 'BEGIN { trace(pid > 1); exit(0); }'"
r "no BTF: vtimestamp" unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf &&
	\"$DTRACE\" -qn 'BEGIN { trace(vtimestamp); exit(0); }'"
r "no tracefs: -n" unshare -m sh -c "umount /sys/kernel/tracing 2>/dev/null;
	mount -t tmpfs none /sys/kernel &&
	\"$DTRACE\" -qn 'syscall::read:entry { exit(0); }'"
r "no tracefs: -l" unshare -m sh -c "umount /sys/kernel/tracing 2>/dev/null;
	mount -t tmpfs none /sys/kernel && \"$DTRACE\" -l"
