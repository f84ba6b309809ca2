# A probe with twelve arguments (SystemTap notes hold up to 12): built with
# dtrace -h and -G, traced with arg0..arg11 (arguments in registers, on the
# stack and constants, as gcc places them: 4000000000U is written
# 4@$-294967296) and typed args[0..11], a string among them; args[12] is
# out of range.
command -v gcc >/dev/null || { echo "needs gcc"; exit 77; }
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1
cat > many.d <<'D'
provider many {
	probe twelve(int, long, short, unsigned char, const char *, int,
		     long, int, unsigned int, long, int, long);
};
D
cat > many.c <<'C'
#include <stdlib.h>
#include "many.h"
int main(int argc, char **argv)
{
	long k = argc > 1 ? atol(argv[1]) : 5;
	char name[16] = "twelve";

	/* the probe's asm reads no memory as far as gcc knows: store name */
	__asm__ __volatile__("" : : "r"(name) : "memory");
	for (long i = 1; i <= 2; i++)
		MANY_TWELVE(-1, k * i, (short)-300, (unsigned char)(250 + i),
			    name, 6, -7000000000L * i, 8, 4000000000U, 10,
			    -11, k * 1000000000000L + 12);
	return name[0] == 't' ? 0 : 1;
}
C
$DTRACE -h -s many.d && gcc -O2 -c many.c &&
$DTRACE -G -s many.d -o probes.o many.o && gcc -o many many.o probes.o ||
	echo "build failed"
$DTRACE -qn 'many$target:::twelve {
	printf("%d %d %d %d %s %d %d %d %d %d %d %d\n", arg0, arg1, arg2,
	       arg3, copyinstr(arg4), arg5, arg6, arg7, arg8, arg9, arg10,
	       arg11);
	printf("%d %d %d %d %s %d %d %d %u %d %d %d\n", args[0], args[1],
	       args[2], args[3], copyinstr(args[4]), args[5], args[6],
	       args[7], args[8], args[9], args[10], args[11]);
}' -c "$usdt_dir/many 3"
echo "status $?"
$DTRACE -qn 'many$target:::twelve { trace(args[12]); }' -c "$usdt_dir/many"
echo "status $?"
