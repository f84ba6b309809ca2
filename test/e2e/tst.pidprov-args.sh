# pid provider on a trigger with known functions (-c): entry arguments in
# registers and on the stack, an offset probe (the second instruction of
# pidt_add3, found with objdump), return probes (arg0 0 as in Oracle's
# DTrace on uretprobes, arg1 the return value: all of rax, so an int -1
# reads 4294967295 unless cast), probe names.
command -v objdump >/dev/null || { echo "needs objdump"; exit 77; }
exec 2>&1
T=$TRIGGERS/pidtrig
set -- $(objdump -d --no-show-raw-insn "$T" | sed -n '/<pidt_add3>:/,/^$/s/^ *\([0-9a-f]*\):.*/\1/p')
off=$(printf '%x' $((0x$2 - 0x$1)))
$DTRACE -qn "
pid\$target:a.out:pidt_add3:entry {
	printf(\"%s:%s:%s:%s %d %d %d\n\", probeprov, probemod, probefunc,
	       probename, arg0, arg1, arg2);
}
pid\$target:a.out:pidt_add3:$off {
	printf(\"%s offset probe %d\n\", probefunc, probename == \"$off\");
}
pid\$target:a.out:pidt_add3:return {
	printf(\"%s:%s %d %d\n\", probefunc, probename, arg0, arg1);
}
pid\$target:a.out:pidt_neg:return {
	printf(\"%s:%s %d %d %d\n\", probefunc, probename, arg0, arg1, (int)arg1);
}
pid\$target:a.out:pidt_many:entry {
	printf(\"many %d %d %d %d %d %d %d %d %d\n\", arg0, arg1, arg2, arg3,
	       arg4, arg5, arg6, arg7, pid == \$target);
}" -c "$T 3" | sed 's/^pid[0-9]*:/pidPID:/'
echo "status $?"
