# Typed args[] for probes whose provider definition dtrace -G recorded in
# the linked file (a non-allocated note section, kept by ld, gold, lld,
# --gc-sections and strip): -lv lists the argument types, args[] has them
# (copyinstr(args[0]) of a const char *, an unsigned char 300 -> 44),
# translated arguments are reordered by parameter name and converted by a
# translator the script declares; without a definition (python3) args[]
# stays untyped with DTrace's error, and -lv says None.
for t in gcc strip; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1
argtypes() { sed -n -e 's/^ *[0-9]\{1,\} \{1,\}[a-z]\{1,\}[0-9]\{1,\} \{1,\}/  /p' \
	-e '/args\[/p' -e '/None/p'; }

usdt_sample_app
$DTRACE -h -s app.d && gcc -O2 -c app.c &&
$DTRACE -G -s app.d -o probes.o app.o || echo "build failed"
for l in bfd gold lld; do
	gcc -fuse-ld=$l -Wl,--gc-sections -o app-$l app.o probes.o 2>/dev/null ||
		continue
	printf '%s: ' $l; readelf -n app-$l | grep -c '^ *dtrace .*0x44540001'
done
gcc -o app app.o probes.o && strip app
$DTRACE -lv -n 'app$target:::' -c "$usdt_dir/app /dev/null" | argtypes
$DTRACE -qn 'app$target:::query-start {
	printf("%s %d %d\n", copyinstr(args[0]), args[1], args[2]);
}
app$target:::query-done { printf("%d\n", args[0]); }' -c "$usdt_dir/app /dev/null"
echo "status $?"
$DTRACE -qn 'app$target:::query-done { trace(args[1]); }' -c "$usdt_dir/app /dev/null"
echo "status $?"

echo "-- translated"
cat > x.d <<'D'
typedef unsigned int Oid;
typedef char *str_t;
typedef struct conninfo { int fd; } conninfo_t;
struct conn;
provider xp {
	probe swap(int a, char *b) : (char *b, int a);
	probe widen(int n, Oid o, str_t *v, string s) : (long n, Oid o, str_t *v, string s);
	probe conv(int a, struct conn *c) : (int a, conninfo_t *c);
};
D
cat > x.c <<'C'
#include <stdio.h>
#include "x.h"
struct conn { int fd; };
int main(void)
{
	struct conn c = { 3 };
	char s1[16], s2[16], *v[2] = { s1, 0 };

	snprintf(s1, sizeof(s1), "hello");
	snprintf(s2, sizeof(s2), "swapped");
	XP_SWAP(-5, s2);
	XP_WIDEN(-6, 4000000000u, v, s1);
	XP_CONV(1, &c);
	/* the probes' asm reads no memory: use what they point to */
	return fprintf(fopen("/dev/null", "w"), "%s %s %s %d\n", s1, s2,
		       v[0], c.fd) < 0;
}
C
$DTRACE -h -s x.d && gcc -O1 -c x.c && $DTRACE -G -s x.d -o xp.o x.o &&
	gcc -o x x.o xp.o || echo "build failed"
$DTRACE -lv -n 'xp$target:::' -c "$usdt_dir/x" | argtypes
$DTRACE -qn 'xp$target:::swap {
	printf("%s %d %s %d\n", copyinstr(args[0]), args[1], copyinstr(arg0), arg1);
}
xp$target:::widen {
	printf("%d %u %s %s\n", args[0], args[1],
	       copyinstr(*(uintptr_t *)copyin((uintptr_t)args[2], 8)),
	       copyinstr(args[3]));
}' -c "$usdt_dir/x"
cat > conv.d <<'D'
struct conn { int fd; };
typedef struct conninfo { int fd; } conninfo_t;
translator conninfo_t < struct conn *c > { fd = *(int *)copyin((uintptr_t)c, 4); };
xp$target:::conv { printf("%d fd %d\n", args[0], args[1]->fd); }
D
$DTRACE -qs conv.d -c "$usdt_dir/x"
echo "status $?"

echo "-- no definition"
P=/usr/bin/python3.11
if [ -x $P ]; then
	$DTRACE -lv -n 'python$target:::function-entry' -c "$P -S -I -c pass" |
		argtypes | sed 's/^  [0-9a-z.]* */  MOD /'
	$DTRACE -qn 'python$target:::function-entry { trace(args[0]); }' \
		-c "$P -S -I -c pass"
	echo "status $?"
fi
