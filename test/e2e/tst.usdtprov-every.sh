# Probes of every process: a provider without a pid (app:::, app*:::)
# attaches per file, without a pid, so that processes started after dtrace
# fire them, with their semaphores raised by the kernel in each new
# process.  No process runs the program when dtrace starts: its file is
# found by its module name in $PATH.  Only processes of this test fire
# (the predicate names our shell as their parent: other test runs may run
# a program of the same name at the same time).
for t in gcc as; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"

usdt_sample_app
$DTRACE -h -s app.d && gcc -O2 -Wall -Wextra -Werror -c app.c &&
$DTRACE -G -s app.d -o probes.o app.o && gcc -o usdtevery app.o probes.o ||
	echo "build failed"
export PATH=$usdt_dir:$PATH
$DTRACE -l -n 'app:usdtevery::' 2>&1
$DTRACE -l -n 'ap*:usdtevery::query-*' 2>&1
$DTRACE -q -o traced.out -n 'BEGIN { printf("ready\n"); }
app*:usdtevery::query-start /ppid == $1/ {
	printf("%s:%s:%s:%s %s %d %d\n", probeprov, probemod, probefunc,
	       probename, copyinstr(arg0), arg1, arg2);
}
app:usdtevery::query-done /ppid == $1/ {
	printf("%s %d\n", probename, arg0);
	n++;
}
app:usdtevery::query-done /n == 4/ { exit(0); }' $$ 2>&1 & dt=$!
for i in $(seq 600); do grep -q ready traced.out 2>/dev/null && break; sleep 0.05; done
usdtevery first.out
usdtevery second.out
wait $dt
echo "dtrace status $?"
cat traced.out first.out second.out
# Debian's python3.11, started after dtrace: python*:::function-entry
# (with line enabled: Python 3.11 reports function-entry only while it
# traces lines).
P=/usr/bin/python3.11
[ -x $P ] || { echo "needs $P"; exit 77; }
$DTRACE -q -o py.out -n 'BEGIN { printf("ready\n"); }
python*:python3.11::line /0/ {}
python*:python3.11::function-entry
/ppid == $1 && copyinstr(arg1) == "every_f"/
{ printf("%s %s\n", probeprov, copyinstr(arg1)); exit(0); }' $$ 2>&1 & dt=$!
for i in $(seq 600); do grep -q ready py.out 2>/dev/null && break; sleep 0.05; done
printf 'def every_f():\n    pass\nevery_f()\n' > f.py
$P -S f.py
wait $dt
echo "dtrace status $?"
cat py.out
