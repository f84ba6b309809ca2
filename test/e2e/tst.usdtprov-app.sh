# A program built the way PostgreSQL's build does it (dtrace -h for the
# probe macros, dtrace -G for the semaphores), traced by our usdt provider:
# -l names the probes as DTrace does (query__start is query-start), the
# arguments arrive with their declared sizes and signs, and while dtrace
# traces, the kernel raises the semaphore so that _ENABLED() is true.
for t in gcc as; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"

usdt_sample_app
$DTRACE -h -s app.d && gcc -O2 -Wall -Wextra -Werror -c app.c &&
$DTRACE -G -s app.d -o probes.o app.o && gcc -o app app.o probes.o ||
	echo "build failed"
./app
$DTRACE -l -n 'app$target:::' -c "$usdt_dir/app $usdt_dir/listed.out" |
	sed -E 's/^( *[0-9]+) +app[0-9]+ /\1 appPID /'
$DTRACE -qn 'app$target:::query-start {
	printf("%s:%s %d %d %d\n", probefunc, probename, arg0 != 0, arg1, arg2);
}
app$target:::query-done { printf("%s %d\n", probename, arg0); }' \
	-c "$usdt_dir/app $usdt_dir/traced.out" 2>&1
echo "status $?"
cat traced.out
