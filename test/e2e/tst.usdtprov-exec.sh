# Programs started after dtrace from files no process mapped when it began
# (uexec.c): dtrace sees their exec, reads the new file's SDT notes and
# attaches its probes for every process.  With -Z the descriptions match
# nothing at start, so their programs are compiled and loaded then.  The
# first process of a new file runs on while dtrace attaches (it is not
# stopped), so `usdttrig wait` fires only once its semaphore is raised; a
# later process of the same file is traced from its start (no wait); a
# file of another name gets probes of its own, a file of the same name in
# another directory new sites of the same probes.  Copies of the trigger,
# made here, are files no other test maps; only our children fire (ppid).
[ -x "$TRIGGERS/usdttrig" ] || { echo "needs usdttrig"; exit 77; }
dir=$(mktemp -d /tmp/usdt-exec.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/a" "$dir/b"
cp "$TRIGGERS/usdttrig" "$dir/a/usdtlate"
cp "$TRIGGERS/usdttrig" "$dir/a/usdtlate2"
cp "$TRIGGERS/usdttrig" "$dir/b/usdtlate"
$DTRACE -Zq -o "$dir/out" -n 'BEGIN { printf("ready\n"); }
trig*:usdtlate*::round /ppid == $1/ {
	printf("%s:%s:%s:%s %d %d %d %d %d %d\n", probeprov, probemod,
	       probefunc, probename, arg0, arg1, arg2, arg3, arg4, arg5);
}
trig*:usdtlate*::always /ppid == $1/ { @[probemod] = count(); n++; }
trig*:usdtlate*::always /n == 7/ { exit(0); }' $$ 2>&1 & dt=$!
for i in $(seq 600); do grep -q ready "$dir/out" 2>/dev/null && break; sleep 0.05; done
"$dir/a/usdtlate" wait 2; echo "first $?"
"$dir/a/usdtlate" 2 0; echo "again $?"
"$dir/a/usdtlate2" wait 2; echo "other name $?"
"$dir/b/usdtlate" wait 1; echo "same name $?"
wait $dt
echo "dtrace status $?"
cat "$dir/out"
