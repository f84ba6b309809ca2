# The destructive actions the kernel does not let a BPF program do are
# refused with -w, saying why; without -w they are refused as every
# destructive action is (DTrace's message).
for a in 'breakpoint()' 'panic()'; do
	$DTRACE -wqn "BEGIN { $a; }" 2>&1 | sed -n 1p
	echo "status ${PIPESTATUS[0]}"
	$DTRACE -qn "BEGIN { $a; }" 2>&1 | sed -n 1p
done
# these work with -w (tst.chill.sh, tst.copyout.sh), and are refused
# without
for a in 'chill(100)' 'copyout(8, 8, 8)' 'copyoutstr("a", 8, 8)'; do
	$DTRACE -qn "BEGIN { $a; }" 2>&1 | sed -n 1p
done
