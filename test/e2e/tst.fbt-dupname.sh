# Static functions of different files may share a name (load_elf_binary
# is binfmt_elf's and compat_binfmt_elf's): the kernel refuses to place a
# kprobe by an ambiguous name, so fbt puts one on each function by its
# address, entry and return: the probe fires whichever runs, and is
# listed once.  Typed arguments come from BTF when the functions share a
# prototype.  (-c's first exec is before tracing starts: the one seen is
# its shell's exec of grep.)  Then a name that available_filter_functions
# lists once but kallsyms more than once (its other functions cannot be
# traced by ftrace): attached by address all the same, where the kernel
# takes a kprobe (an int3 one).
. "$(dirname "$0")/kprobes-common.sh"
T=/sys/kernel/tracing
[ -e $T/available_filter_functions ] || mount -t tracefs tracefs $T
n=$(grep -c ' load_elf_binary$' /proc/kallsyms)
[ "$n" -ge 2 ] || { echo "needs two functions named load_elf_binary"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -c's command: how many kprobes debugfs lists on function $1 (at +0x4,
# after the endbr64, where the kernel is built for IBT: 6.12's Debian)
cat >$tmp/kp <<EOF
#!/bin/sh
exec grep -cE " \$1\\+0x[04]( |\$)" $dbg/kprobes/list
EOF
chmod +x $tmp/kp
$DTRACE -l -n 'fbt::load_elf_binary:' | awk 'NR > 1 { print $2, $3, $4, $5 }'
$DTRACE -qn '
fbt::load_elf_binary:entry
/pid == $target/
{
	printf("entry: filename == interp %d\n",
	    stringof(args[0]->filename) == stringof(args[0]->interp));
}
fbt::load_elf_binary:return
/pid == $target/
{
	printf("return %d\n", args[1]);
}' -c "$tmp/kp load_elf_binary" |
	sed "s/^$((2 * n))\$/two kprobes per function/"
# one listed once by ftrace, but more than once by kallsyms
grep -v '\[' $T/available_filter_functions | sort | uniq -u >$tmp/once
f=$(awk 'NF == 3 && $2 ~ /^[tT]$/ { print $3 }' /proc/kallsyms | sort |
	uniq -d | grep -Fxf $tmp/once | head -1)
[ -n "$f" ] || { echo "needs a function named as another that ftrace cannot trace"; exit 77; }
k=$(grep -c " $f\$" /proc/kallsyms)
$DTRACE -qn "fbt::$f:entry { }" -c "$tmp/kp $f" |
	awk -v k=$k '{ print ($1 >= 1 && $1 <= k ? "kprobes: 1 to one per function" : $0) }'
