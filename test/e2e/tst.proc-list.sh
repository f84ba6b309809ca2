# proc probes as proc:vmlinux::<name>, with DTrace's stability and the
# types of their arguments (psinfo_t and lwpsinfo_t translated from the
# struct task_struct pointers that arg0... are).
$DTRACE -l -n 'proc:::'
$DTRACE -lv -n 'proc:::signal-send' | sed -n '/Argument Types/,$p'
$DTRACE -lv -n 'proc:::exit'
$DTRACE -lv -n 'proc:::exec-success' | sed -n '/Argument Types/,$p'
echo "status $?"
