# The -h header and the -G object in the ways applications build, each
# program traced: C at -O0, -O1, -O3 with -fPIC/-pie and -O2 -flto, C++11
# and C++17 (with LTO too): the notes survive (one per probe site, base
# and semaphore right), the probes fire with their arguments, typed from
# the definitions -G recorded.  Then -G edge cases: two scripts into one
# object, an input that already holds an earlier -G object (ld -r: its
# semaphores are not defined again), and a -G object linked into a -fPIC
# shared library whose probes are traced in a program that loads it.
for t in gcc g++ readelf; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1

cat > m.d <<'D'
provider m { probe hit(const char *s, int n); probe miss(); };
D
cat > b.d <<'D'
provider mb { probe val(long v); };
D
cat > m.c <<'C'
#include <stdio.h>
#include "m.h"
#include "mb.h"
int main(void)
{
	char s[8];

	for (int i = 1; i <= 2; i++) {
		snprintf(s, sizeof(s), "s%d", i);
		M_HIT(s, -i);
		MB_VAL(i * 1000L);
	}
	return puts(s) < 0 || M_MISS_ENABLED();
}
C
cp m.c m.cc
$DTRACE -h -s m.d && $DTRACE -h -s b.d -o mb.h || echo "header failed"
M='m$target:::hit { printf(" %s %d", copyinstr(args[0]), args[1]); }'
MB='mb$target:::val { printf(" %d", args[0]); }'
trace() {	# program, script: dtrace's output, not the program's
	rm -f trace.out
	$DTRACE -qo trace.out -c "$1" -n "$2" >/dev/null
	st=$?
	tr -d '\n' <trace.out
	echo " (status $st)"
}
W="-Wall -Wextra -Werror"
for v in c-O0:"gcc -O0" c-O1:"gcc -O1" c-O3-pie:"gcc -O3 -fPIC -pie" \
	 c-lto:"gcc -O2 -flto" cxx11-O2:"g++ -std=c++11 -O2" \
	 cxx17-O0:"g++ -std=c++17 -O0" cxx17-lto:"g++ -std=c++17 -O3 -flto"; do
	name=${v%%:*}
	set -- ${v#*:}
	src=m.c
	[ "$1" = g++ ] && src=m.cc
	"$@" $W -c $src -o "$name.o" &&
	$DTRACE -G -s m.d -s b.d -o "$name-p.o" "$name.o" &&
	"$@" -o "$name" "$name.o" "$name-p.o" || echo "$name: build failed"
	printf '%s:' "$name"
	usdt_notes "$name" | tr '\n' ';'
	trace "$usdt_dir/$name" "$M $MB"
done

echo "-- an input holding an earlier -G object"
gcc -O2 -c m.c -o r.o && $DTRACE -G -s m.d -s b.d -o rp.o r.o &&
ld -r -o r-all.o r.o rp.o && $DTRACE -G -s m.d -s b.d -o rp2.o r-all.o
echo "status $?"
readelf -sW rp2.o | grep -c _semaphore
gcc -o r r-all.o rp2.o && trace "$usdt_dir/r" "$M $MB"

echo "-- in a shared library"
cat > lib.c <<'C'
#include <stdio.h>
#include "m.h"
int lib_hit(int n)
{
	char s[8];

	snprintf(s, sizeof(s), "lib%d", n);
	M_HIT(s, n);
	return puts(s);
}
C
cat > main.c <<'C'
int lib_hit(int n);
int main(void) { return lib_hit(7) < 0; }
C
gcc $W -O2 -fPIC -c lib.c -o lib.o && $DTRACE -G -s m.d -o lib-p.o lib.o &&
gcc -shared -o libm1.so lib.o lib-p.o && gcc -O2 -c main.c -o main.o &&
gcc -o main main.o -L. -lm1 -Wl,-rpath,"$usdt_dir" || echo "shared: build failed"
usdt_notes libm1.so
trace "$usdt_dir/main" "$M"
$DTRACE -lv -n 'm$target:::hit' -c "$usdt_dir/main" 2>/dev/null |
	sed -n 's/^ *[0-9]* *m[0-9]* */ /p; /args\[/p'
