# inet_ntoa() of a kernel address: curthread's tgid (its offset in
# task_struct from the kernel's BTF), whose bytes in memory order are
# dtrace's pid in little-endian order, built again with lltostr();
# address 0 is DTrace's invalid address fault, and so is strtok(NULL, ...)
# with no string before it.
exec 2>&1
# the BPF pc depends on code generation (tst.fault-pc.sh checks it)
dt() { "$DTRACE" "$@" 2>&1 | sed 's/ at BPF pc [0-9]*$/ at BPF pc N/'; return "${PIPESTATUS[0]}"; }
bits=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
	awk '/STRUCT .task_struct. size/ { f = 1; next }
	     f && /^\[/ { exit }
	     f && /.tgid. type_id/ { sub(/.*bits_offset=/, ""); print; exit }')
if [ -z "$bits" ]; then echo "needs bpftool and BTF for task_struct"; exit 77; fi
dt -qn "BEGIN {
	a = inet_ntoa((uintptr_t)curthread + $((bits / 8)));
	b = strjoin(strjoin(strjoin(lltostr(pid & 0xff), \".\"),
	    strjoin(lltostr((pid >> 8) & 0xff), \".\")),
	    strjoin(strjoin(lltostr((pid >> 16) & 0xff), \".\"),
	    lltostr((pid >> 24) & 0xff)));
	printf(\"%d\n\", a == b);
	exit(0);
}"
dt -qn 'BEGIN { trace(inet_ntoa(0)); } BEGIN { exit(0); }'
dt -qn 'BEGIN { trace(strtok(0, ",")); } BEGIN { exit(0); }'
