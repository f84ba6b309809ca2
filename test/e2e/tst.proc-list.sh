# proc probes as proc:vmlinux::<name>, with DTrace's stability and the
# types of what they pass (struct task_struct pointers where DTrace has
# psinfo_t and lwpsinfo_t, which need translators).
$DTRACE -l -n 'proc:::'
$DTRACE -lv -n 'proc:::signal-send' | sed -n '/Argument Types/,$p'
$DTRACE -lv -n 'proc:::exit'
$DTRACE -lv -n 'proc:::exec-success' | sed -n '/Argument Types/,$p'
echo "status $?"
