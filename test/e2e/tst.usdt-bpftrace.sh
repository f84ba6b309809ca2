# Probes made with dtrace -h/-G as other tools see them: bpftrace lists
# them like stock SystemTap probes, fires them with the arguments the
# program passed (a string, negative and unsigned values, a value cast to
# its declared type), and while it traces, the kernel's uprobe reference
# counter raises the semaphore so that _ENABLED() is true; the same for a
# probe in a shared library.
# A C toolchain is needed (the check-kernel VM has none): skip without.
for t in gcc as bpftrace; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"

usdt_sample_app
$DTRACE -h -s app.d && gcc -O2 -Wall -Wextra -Werror -c app.c &&
$DTRACE -G -s app.d -o probes.o app.o && gcc -o app app.o probes.o ||
	echo "build failed"
./app

bpftrace -l "usdt:$usdt_dir/app:*" | sed "s|$usdt_dir|DIR|"
bpftrace -q -e '
usdt:'"$usdt_dir"'/app:app:query__start {
	printf("start %s %d %d\n", str(arg0), arg1, arg2);
}
usdt:'"$usdt_dir"'/app:app:query__done {
	printf("done %d\n", arg0);
}' -c "$usdt_dir/app $usdt_dir/traced.out" 2>&1 | grep -v RLIMIT_MEMLOCK
cat traced.out

# A probe in a -fPIC shared library, traced by its file: each run of the
# program before bpftrace has attached prints "lib 4", the first one after
# fires the probe and sees its semaphore raised ("lib -4").
cat > lib.d <<'D'
provider lib { probe work(int n, long m); };
D
cat > lib.c <<'C'
#include "lib.h"
int lib_work(int n)
{
	LIB_WORK(n, -2L * n);
	return LIB_WORK_ENABLED() ? -n : n;
}
C
cat > main.c <<'C'
#include <stdio.h>
int lib_work(int n);
int main(int argc, char **argv)
{
	FILE *out = fopen(argv[1], "w");

	fprintf(out, "lib %d\n", lib_work(argc + 2));
	return 0;
}
C
$DTRACE -h -s lib.d && gcc -O2 -fPIC -Wall -Wextra -Werror -c lib.c &&
$DTRACE -G -s lib.d -o lib-probes.o lib.o &&
gcc -shared -o liblib.so lib.o lib-probes.o &&
gcc -o main main.c -L. -llib -Wl,-rpath,"$usdt_dir" || echo "build failed"
timeout 30 bpftrace -q -e 'usdt:'"$usdt_dir"'/liblib.so:lib:work {
	printf("work %d %d\n", arg0, arg1); exit();
}' >lib.out 2>&1 &
for _ in $(seq 100); do
	./main run.out
	grep -q 'lib -4' run.out && break
	sleep 0.2
done
wait
grep -v RLIMIT_MEMLOCK lib.out
cat run.out
