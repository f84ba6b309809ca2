# io:::start fires in the thread that submits a bio, io:::done once for
# that bio when it ends: one 4096-byte O_DIRECT write (at sector 800) and
# one read (at sector 1600) of a loop device (whose own I/O to its backing file is submitted by the
# loop driver's worker, not by dd).  args[0] is the bufinfo_t, args[1]
# the devinfo_t (translated from the struct bio that arg0 is), args[2] is
# 0 as in Oracle's DTrace.
exec 2>&1
command -v losetup >/dev/null || { echo "needs losetup"; exit 77; }
img=$(mktemp /tmp/io-probes.XXXXXX)
truncate -s 1M "$img"
dev=$(losetup -f --show "$img" 2>/dev/null) ||
	{ rm -f "$img"; echo "needs a loop device"; exit 77; }
cat > "$img.sh" <<EOS
dd if=/dev/zero of=$dev bs=4096 seek=100 count=1 oflag=direct status=none
dd if=$dev of=/dev/null bs=4096 skip=200 count=1 iflag=direct status=none
EOS
trap 'losetup -d "$dev"; rm -f "$img" "$img.sh"' EXIT
$DTRACE -qn '
io:::start
/progenyof($target) && execname == "dd" &&
    (args[0]->b_blkno == 800 || args[0]->b_blkno == 1600)/
{
	bios[arg0] = args[0]->b_blkno;
	printf("start %s %d %d %s %d %d %d\n", execname, args[0]->b_blkno,
	    args[0]->b_bcount, args[0]->b_flags & B_WRITE ? "W" : "R",
	    args[1]->dev_name == $$1, getmajor(args[0]->b_edev) ==
	    args[1]->dev_major, arg2);
}
io:::done
/bios[arg0]/
{
	printf("done %d\n", bios[arg0]);
	bios[arg0] = 0;
}' -c "sh $img.sh" "${dev#/dev/}"
echo "status $?"
