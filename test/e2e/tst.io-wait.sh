# io:::wait-start and wait-done, on submit_bio_wait (a kprobe at its entry,
# fexit at its return, where the bio is still its argument): an fsync of a
# loop device waits for the flush it sends (blkdev_issue_flush).  args[0]
# is the bufinfo_t of that bio (a write of no bytes), args[1] the devinfo_t
# of the device, args[2] 0.  Needs kprobes and fentry, and a loop device
# (make check-kernel's VM loads the loop module).
exec 2>&1
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "needs kprobes and fentry (make check-kernel has them)"; exit 77; }
command -v losetup >/dev/null || { echo "needs losetup"; exit 77; }
img=$(mktemp /tmp/io-wait.XXXXXX)
truncate -s 1M "$img"
dev=$(losetup -f --show "$img" 2>/dev/null) ||
	{ rm -f "$img"; echo "needs a loop device"; exit 77; }
trap 'losetup -d "$dev"; rm -f "$img"' EXIT
$DTRACE -qn '
io:::wait-start, io:::wait-done
/pid == $target && args[1]->dev_name == $$1/
{
	printf("%s %s %d %s %d\n", probename, args[1]->dev_name == $$1 ?
	    "dev" : "?", args[0]->b_bcount, args[0]->b_flags & B_WRITE ?
	    "W" : "R", arg2);
}' -c "dd if=/dev/zero of=$dev bs=4096 count=1 conv=fsync status=none" \
	"${dev#/dev/}"
echo "status $?"
