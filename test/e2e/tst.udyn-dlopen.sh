# Libraries loaded with dlopen after tracing began: their pid and usdt
# probes join the programs of the descriptions that match them (the target
# is stopped at ld.so's r_brk until they are enabled, so the first call
# into the library is already traced).
for t in gcc as; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"
cp "$usdt_app/dl.d" "$usdt_app/dlmain.c" "$usdt_app/dllib.c" .
{ $DTRACE -h -s dl.d &&
  gcc -O2 -Wall -Wextra -Werror -c dlmain.c &&
  $DTRACE -G -s dl.d -o dlmainp.o dlmain.o &&
  gcc -o dlmain dlmain.o dlmainp.o -ldl &&
  gcc -O2 -fPIC -Wall -Wextra -Werror -c dllib.c &&
  $DTRACE -G -s dl.d -o dllibp.o dllib.o &&
  gcc -shared -o libdltest.so dllib.o dllibp.o; } || echo "build failed"
exec 2>&1
run="$usdt_dir/dlmain $usdt_dir/libdltest.so"
# pid probes (their uprobes at the USDT sites take the semaphores too)
$DTRACE -qn 'pid$target::dl*_work:entry { printf("%s %s %d\n", probemod, probefunc, arg0); }
pid$target::dl*_work:return { printf("%s %s returned %d\n", probemod, probefunc, arg1); }' -c "$run"
echo "status ${PIPESTATUS[0]}"
# usdt probes
$DTRACE -qn 'dl$target:::work { printf("%s %s:%s %d\n", probemod, probefunc, probename, arg0); }' -c "$run"
echo "status ${PIPESTATUS[0]}"
# a description that matched nothing at start (-Z) gets its program then
$DTRACE -Zqn 'pid$target:libdltest.so::entry { printf("%s\n", probefunc); }
pid$target:a.out:main:return { printf("main returned %d\n", arg1); }' -c "$run" 2>&1 | sed -E "s/pid[0-9]+:/pidPID:/"
echo "status ${PIPESTATUS[0]}"
# ... also when no description matched anything at start
$DTRACE -Zqn 'pid$target:libdltest.so::entry { printf("only %s\n", probefunc); }' -c "$run"
echo "status ${PIPESTATUS[0]}"
