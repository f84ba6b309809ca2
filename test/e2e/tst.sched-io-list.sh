# The sched and io providers' probes, as sched:vmlinux::<name> and
# io:vmlinux::<name>, with the types of what they pass (struct
# task_struct and struct bio pointers where DTrace has lwpsinfo_t,
# psinfo_t, bufinfo_t and devinfo_t, which need translators).
$DTRACE -l -n 'sched:::' -n 'io:::'
$DTRACE -lv -n 'sched:::off-cpu' | sed -n '/Argument Types/,$p'
$DTRACE -lv -n 'io:::done' | sed -n '/Argument Types/,$p'
echo "status $?"
