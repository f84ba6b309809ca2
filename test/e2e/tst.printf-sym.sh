# printf's %a prints a kernel address as DTrace does (module`function+0xoff,
# the function alone at its start, hex where no symbol is known, width and
# flags as for %s); %A does the same for user addresses of the -c/-p
# target, and prints hex without one.
addr=$(awk '$3 == "vfs_read" { print $1; exit }' /proc/kallsyms)
if [ -z "$addr" ] || [ "$addr" = 0000000000000000 ]; then
	echo "needs /proc/kallsyms addresses"; exit 77
fi
$DTRACE -qn "BEGIN {
	printf(\"[%a] [%a] [%-24a] [%a] [%A]\n\", 0x$addr, 0x$addr + 4,
	    0x$addr, 16, 32);
	exit(0);
}"
