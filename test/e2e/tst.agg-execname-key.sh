# execname as an aggregation key is written into the key by
# bpf_get_current_comm itself (no copy): names of different lengths, one
# cut at 15 characters, execname next to a longer string key in the same
# aggregation (the key's tail past 16 bytes zeroed), and in a tuple.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$TRIGGERS/getppid" "$tmp/g"
cp "$TRIGGERS/getppid" "$tmp/getppid-with-a-long-name"
printf '#!/bin/sh\n%s/g 3\n%s/getppid-with-a-long-name 5\n' "$tmp" "$tmp" \
	>"$tmp/run"
chmod +x "$tmp/run"
$DTRACE -qn 'syscall::getppid:entry /ppid == $target/ {
	@a[execname] = count(); @a[probefunc] = count();
	@b[execname, 7] = count(); @c[execname] = sum(1); }' -c "$tmp/run"
echo "status $?"
