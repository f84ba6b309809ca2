# fbt on a kernel module's function, typed from the module's own BTF
# (/sys/kernel/btf/loop, split BTF on vmlinux's): losetup attaching a file
# at offset 4096 calls the loop driver's loop_configure(struct loop_device
# *, fmode_t, struct block_device *, const struct loop_config *) in its own
# thread (LOOP_CONFIGURE).  The module's own types are scoped by the
# module in -lv and found there by the compiler, vmlinux's are not;
# members of a struct nested in a module's struct (config->info) too.  On
# return args[1] is loop_configure's int, 0.
exec 2>&1
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "needs kprobes (make check-kernel has them)"; exit 77; }
[ -e /sys/kernel/btf/loop ] || { echo "needs the loop driver as a module" \
	"with BTF (make check-kernel loads one)"; exit 77; }
command -v losetup >/dev/null || { echo "needs losetup"; exit 77; }
img=$(mktemp /tmp/fbt-module.XXXXXX)
truncate -s 1M "$img"
echo "losetup -f --show -o 4096 $img >$img.dev" >"$img.sh"
trap 'dev=$(cat "$img.dev" 2>/dev/null); [ -n "$dev" ] && losetup -d "$dev"
rm -f "$img" "$img.dev" "$img.sh"' EXIT
# (6.5 renamed fmode_t blk_mode_t here)
$DTRACE -lv -n 'fbt:loop:loop_configure:entry' |
	sed -n 's/^[ \t]*\(args\[\)/\1/p' | sed 's/^\(args\[1\]: \)blk_mode_t$/\1fmode_t/'
out=$($DTRACE -qn '
fbt:loop:loop_configure:entry
/progenyof($target) && execname == "losetup"/
{
	printf("%s:%s %s lo %d offset %d bsize %d file %d\n", probemod,
	    probename, probefunc, args[0]->lo_number, args[3]->info.lo_offset,
	    args[3]->block_size, basename(stringof(args[3]->info.lo_file_name))
	    == $$1);
}
fbt:loop:loop_configure:return
/progenyof($target) && execname == "losetup"/
{
	printf("%s:%s %s %d\n", probemod, probename, probefunc, args[1]);
}' -c "bash $img.sh" "${img##*/}")
echo "status $?"
n=$(sed -n 's|^/dev/loop||p' "$img.dev")
echo "$out" | sed "s/ lo $n / lo N /"
