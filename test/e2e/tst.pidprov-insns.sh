# Instruction probes: a glob or empty name covers entry, return and the
# offset of every instruction (in hex, as DTrace names them), walked with
# the x86-64 decoder over a function written in assembly; instructions
# uprobes refuse (lock, a CS prefix) have no probe; an undecodable byte is refused
# by name.
exec 2>&1
T=$TRIGGERS/insntrig
prov() { sed -E 's/^( *[0-9]+) +pid[0-9]+ /\1 pidPID /; s/pid[0-9]+:/pidPID:/'; }
$DTRACE -l -n 'pid$target:a.out:insn_walk:' -c "$T 1" | prov
$DTRACE -l -n 'pid$target:a.out:insn_walk:[0-9]*' -c "$T 1" | prov
$DTRACE -qn 'pid$target:a.out:insn_walk:*
{ @[probename] = count(); }
pid$target:a.out:insn_walk:return
{ printf("returned %d\n", arg1); }
END { printa("%-8s %@d\n", @); }' -c "$T 3" -x aggsortkey
echo "status $?"
$DTRACE -l -n 'pid$target:a.out:insn_bad:' -c "$T 1" | prov
echo "status ${PIPESTATUS[0]}"
$DTRACE -l -n 'pid$target:a.out:insn_bad:entry' -c "$T 1" | prov
$DTRACE -qn 'pid$target:a.out:insn_bad: {}' -c "$T 1"
echo "status $?"
