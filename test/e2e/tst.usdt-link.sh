# dtrace -h and -G together, the way applications build: C at -O0, -O2,
# -O3 and with LTO (gcc and clang), C++ (a probe in an inline function that two
# translation units emit), a -fPIC shared library with its own provider.
# Every linked file carries one note per probe site with the declared
# argument sizes, its semaphore resolving to the -G object's symbol and
# its base to .stapsdt.base; the inputs of -G are left untouched; run
# untraced, every _ENABLED() is 0.
# A C toolchain is needed (the check-kernel VM has none): skip without.
for t in gcc g++ clang readelf md5sum; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1

cat > app.d <<'D'
provider app {
	probe request__start(const char *path, int fd, unsigned long size);
	probe request__done(int status);
	probe tick();
	probe wide(char c, unsigned char uc, short s, unsigned short us,
	    int i, unsigned int ui, long l, unsigned long ul, long long ll,
	    uint64_t u64, uintptr_t up, string str);
};
D
cat > lib.d <<'D'
provider lib {
	probe work(int n, const char *what);
};
D
cat > app.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "app.h"

static int serve(const char *path, int fd)
{
	int status = fd * 2;

	APP_REQUEST_START(path, fd, 4096UL + (unsigned long)fd);
	if (status > 100)
		APP_REQUEST_DONE(-1);
	else
		APP_REQUEST_DONE(status);
	return status;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, enabled = 0, sum = 0;

	for (int i = 0; i < n; i++) {
		if (APP_REQUEST_START_ENABLED())
			enabled++;
		sum += serve(argv[0], i);
		switch (i) {
		case 0:
			APP_TICK();
			break;
		default:
			APP_WIDE('x', 200, -3, 65000, -5, 5u, -6L, 6UL, -7LL,
				 1ULL << 40, &sum, "wide");
		}
	}
	printf("enabled %d of %d, sum %d\n", enabled, n, sum);
	return 0;
}
C
cat > inl.h <<'C'
#include "app.h"
inline int ticked(int x)
{
	APP_TICK();
	return x + 1;
}
C
cat > app1.cc <<'C'
#include <cstdio>
#include "inl.h"
template <typename T> static T done(T v)
{
	APP_REQUEST_DONE(static_cast<int>(v));
	return v;
}
int other(int);
int main()
{
	const char *path = "/cc";
	APP_REQUEST_START(path, 3, 0);
	if (APP_WIDE_ENABLED())
		APP_WIDE(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, nullptr, path);
	std::printf("enabled %d, %d\n", (int)APP_TICK_ENABLED(),
		    done(ticked(1)) + other(2));
	return 0;
}
C
cat > app2.cc <<'C'
#include "inl.h"
int other(int x)
{
	return ticked(x);
}
C
cat > lib.c <<'C'
#include "lib.h"
int lib_work(int n)
{
	LIB_WORK(n, "lib");
	return LIB_WORK_ENABLED() ? -n : n;
}
C
cat > main.c <<'C'
#include <stdio.h>
#include "app.h"
int lib_work(int n);
int main(void)
{
	APP_TICK();
	printf("lib %d\n", lib_work(4));
	return 0;
}
C

$DTRACE -h -s app.d || exit 1
$DTRACE -h -s lib.d -o lib.h || exit 1
W="-Wall -Wextra -Werror"

build_c() {	# name, flags...
	local name=$1; shift
	gcc $W "$@" -c app.c -o "$name.o" &&
	md5sum "$name.o" >"$name.sum" &&
	$DTRACE -G -s app.d -o "$name-probes.o" "$name.o" &&
	md5sum --quiet -c "$name.sum" &&
	gcc "$@" -o "$name" "$name.o" "$name-probes.o" || echo "$name: build failed"
}

for v in O0:-O0 O2:-O2 O3:-O3 lto:"-O2 -flto"; do
	name=c-${v%%:*}
	# shellcheck disable=SC2086
	build_c "$name" ${v#*:}
	echo "== $name"
	usdt_notes "$name"
	./"$name" 3
done

# clang too; with -flto its objects are LLVM bitcode, which -G skips
for v in O2:"-O2 -fPIC" lto:"-O2 -flto"; do
	name=clang-${v%%:*}
	# shellcheck disable=SC2086
	clang $W ${v#*:} -c app.c -o "$name.o" &&
	$DTRACE -G -s app.d -o "$name-probes.o" "$name.o" &&
	clang ${v#*:} -o "$name" "$name.o" "$name-probes.o" ||
		echo "$name: build failed"
	echo "== $name"
	usdt_notes "$name"
	./"$name" 2
done

for o in O0 O2; do
	name=cxx-$o
	g++ $W -std=c++11 -$o -c app1.cc -o "$name-1.o" &&
	g++ $W -std=c++11 -$o -c app2.cc -o "$name-2.o" &&
	$DTRACE -G -o "$name-probes.o" -s app.d "$name-1.o" "$name-2.o" &&
	g++ -o "$name" "$name-1.o" "$name-2.o" "$name-probes.o" ||
		echo "$name: build failed"
	echo "== $name"
	usdt_notes "$name"
	[ $o = O0 ] && readelf -n "$name" | grep -c 'Name: tick$'
	./"$name"
done

gcc $W -O2 -fPIC -c lib.c -o lib.o &&
$DTRACE -G -s lib.d lib.o -o lib-probes.o &&
gcc -shared -o liblib.so lib.o lib-probes.o &&
gcc $W -O2 -c main.c -o main.o &&
$DTRACE -G -s app.d main.o -o main-probes.o &&
gcc -o main main.o main-probes.o -L. -llib -Wl,-rpath,"$usdt_dir" ||
	echo "shared: build failed"
echo "== liblib.so"
usdt_notes liblib.so
echo "== main"
usdt_notes main
./main
