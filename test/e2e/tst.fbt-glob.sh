# A glob: every __do_sys_get* function (getpid, getppid, getuid, ...)
# is one program attached to each of them, the probe id coming from the
# attach cookie; only getppid fires in the trigger.  And -l of such a
# glob lists exactly the matching functions of available_filter_functions.
[ -e /sys/bus/event_source/devices/kprobe ] ||
	{ echo "this kernel has no kprobes (make check-kernel runs this test)"; exit 77; }
$DTRACE -qn 'fbt::__do_sys_get*:entry /pid == $target/ { printf("%s\n", probefunc); }' \
	-c "$TRIGGERS/getppid 2" 2>&1
echo "status $?"
out=$($DTRACE -l -n 'fbt::__do_sys_get*:entry')
echo "$out" | head -1
want=$(sed -n 's/^\(__do_sys_get[^ ]*\)$/fbt vmlinux \1 entry/p' /sys/kernel/tracing/available_filter_functions | sort -u)
got=$(echo "$out" | awk 'NR > 1 { print $2, $3, $4, $5 }' | sort)
[ "$want" = "$got" ] && echo "the __do_sys_get* entry probes: ok" || { echo "want:"; echo "$want"; echo "got:"; echo "$got"; }
[ "$(echo "$got" | wc -l)" -gt 1 ] && echo "more than one"
