# d_path(): the path of a struct path, built in the probe by walking the
# dentries and crossing mounts.  The -c target's cwd in a directory of the
# /dev/shm tmpfs (two mounts: /dev, /dev/shm) and in /proc; its executable
# (mm->exe_file); a file it holds open on fd 3 and one it holds after it
# was unlinked (" (deleted)"); the root itself, and the root of a
# chrooted process.  A path longer than
# strsize is the out of scratch space fault, a bad pointer the invalid
# address fault; the next clause runs in both cases.
exec 2>&1
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
base=/dev/shm		# a tmpfs mounted on devtmpfs; the VM of
[ -d $base ] || base=/tmp	# check-kernel has none
dir=$(mktemp -d $base/dpath.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/a/bb/ccc"
cp "$TRIGGERS/getppid" "$dir/g"
show() { sed "s|$dir|DIR|g"; }
pwd_of='syscall::getppid:entry /pid == $target/ {
	printf("%s\n", d_path(&curthread->fs->pwd)); exit(0); }'
(cd "$dir/a/bb/ccc" && dt -qn "$pwd_of" -c "$dir/g 1") | show
(cd /proc/sys/kernel && dt -qn "$pwd_of" -c "$dir/g 1")
(cd / && dt -qn "$pwd_of" -c "$dir/g 1")
dt -qn 'syscall::getppid:entry /pid == $target/ {
	printf("%s\n", d_path(&curthread->mm->exe_file->f_path)); exit(0); }' \
    -c "$dir/g 1" | show
# fd 3: a file, then the same after it was unlinked
printf '#!/bin/sh\nexec 3>"%s/a/f"\n%s/g 1\nrm "%s/a/f"\n%s/g 1\n' \
    "$dir" "$dir" "$dir" "$dir" >"$dir/run"
chmod +x "$dir/run"
dt -qn 'syscall::getppid:entry /ppid == $target/ {
	printf("%s\n", d_path(&curthread->files->fdt->fd[3]->f_path)); }' \
    -c "$dir/run" | show
# chrooted into DIR: its root is where the walk stops
mkdir "$dir/bin" && cp /bin/busybox "$dir/bin/sleep"
dt -qn 'syscall::clock_nanosleep:entry /pid == $target/ {
	printf("%s %s\n", d_path(&curthread->fs->pwd),
	    d_path(&curthread->mm->exe_file->f_path)); exit(0); }' \
    -c "chroot $dir /bin/sleep 1"
# too long for strsize 16: DIR/a/bb/ccc is longer
(cd "$dir/a/bb/ccc" && dt -x strsize=16 -qn 'syscall::getppid:entry
    /pid == $target/ { trace(d_path(&curthread->fs->pwd)); }
    syscall::getppid:entry /pid == $target/ { printf("next\n"); exit(0); }' \
    -c "$dir/g 1")
dt -qn 'BEGIN { trace(d_path((struct path *)8)); }
    BEGIN { printf("still\n"); exit(0); }'
echo "status $?"
