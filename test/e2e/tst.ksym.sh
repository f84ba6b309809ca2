# Backquoted kernel symbols: the address of a function (&`vfs_read,
# &vmlinux`vfs_read) from kallsyms, read back through the safe-read path
# and named by sym(); reading one without a BTF type is DTrace's
# D_SYM_NOTYPES, unknown ones D_IDENT_UNDEF, a kernel one named as a user
# symbol D_SYM_BADREF.  Data symbols are in kallsyms only with
# CONFIG_KALLSYMS_ALL: where `jiffies is, it is read through a cast.
exec 2>&1
$DTRACE -qn 'BEGIN {
	p = &`vfs_read;
	printf("%d %d\n", p == &vmlinux`vfs_read, (long)p != 0);
	sym((uintptr_t)&vmlinux`vfs_read);
	printf("\n%d\n", *(unsigned char *)(p - 16) == *((unsigned char *)p - 16));
	exit(0);
}'
for e in '`vfs_read' '`no_such_symbol_x' 'bogusmod`jiffies' '``vfs_read'; do
	$DTRACE -xerrtags -qn "BEGIN { trace($e); exit(0); }" 2>&1 | grep -o '\[D_.*'
done
if grep -q ' jiffies$' /proc/kallsyms; then
	$DTRACE -qn 'BEGIN { j = *(unsigned long *)&`jiffies;
	    printf("%d\n", j > 0); exit(0); }' | sed '/^$/d'
else
	echo 1
fi
