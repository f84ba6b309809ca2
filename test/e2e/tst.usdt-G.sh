# dtrace -G: the object for a script with only a clause and no objects
# (CPython's and MariaDB's configure checks), DTrace's output names, the
# semaphores, the target and the CET property notes taken from the input
# objects (kept through the link), and its errors.
# A C toolchain is needed (the check-kernel VM has none): skip without.
for t in gcc as ld readelf md5sum; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1

sections() { readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '
	$1 != "NULL" && $1 != "Name" { print "  " $1, $2, "size " $5,
		"flags " (NF == 10 ? $7 : "-"), "align " $NF }'; }
symbols() { readelf -sW "$1" | awk 'NR > 3 { print "  " $2, $3, $4, $5, $6, $7, $8 }'; }
props() {
	printf '%s:' "$1"
	readelf -n "$1" | sed -n 's/^ *Properties:/ /p' | tr -d '\n'
	echo
}

echo 'BEGIN {}' > conftest.d
$DTRACE -G -s conftest.d; echo "status $?"
readelf -h conftest.o | grep -E 'Class|Type|Machine'
sections conftest.o
symbols conftest.o

cp conftest.d conftest
$DTRACE -G -s conftest; echo "status $?"
ls d.out
$DTRACE -G -s conftest.d -s conftest; echo "status $?"
ls conftest.o d.out.1

echo "-- semaphores"
cat > app.d <<'D'
provider app {
	probe start(int);
	probe stop__now(char *, long);
};
provider other { probe x(); };
D
$DTRACE -G -s app.d; echo "status $?"
sections app.o
symbols app.o

echo "-- CET"
cat > app.c <<'C'
#include "app.h"
int main(void) { APP_START(1); APP_STOP_NOW("x", 2L); OTHER_X(); return 0; }
C
$DTRACE -h -s app.d || exit 1
gcc -O2 -fcf-protection -c app.c -o cet.o
gcc -O2 -fcf-protection=none -c app.c -o nocet.o
md5sum cet.o nocet.o > sums
$DTRACE -G -s app.d -o cet-probes.o cet.o; echo "status $?"
props cet.o
props cet-probes.o
ld -r -o cet-all.o cet.o cet-probes.o && props cet-all.o
gcc -fcf-protection -o cet cet.o cet-probes.o -Wl,-z,cet-report=warning 2>&1 |
	grep -c cet-probes.o
$DTRACE -G -s app.d -o mixed-probes.o cet.o nocet.o; echo "status $?"
props mixed-probes.o
ld -r -o lost.o cet.o mixed-probes.o && props lost.o	# why it matters
md5sum --quiet -c sums && echo "inputs unchanged"

echo "-- targets"
as --32 -o i386.o /dev/null
$DTRACE -G -s app.d -o i386-probes.o i386.o; echo "status $?"
readelf -h i386-probes.o | grep -E 'Class|Machine'
symbols i386-probes.o | tail -1

echo "-- errors"
$DTRACE -G; echo "status $?"
$DTRACE -G -s app.d -o x.o cet.o i386.o; echo "status $?"
$DTRACE -G -s app.d -o x.o app.c; echo "status $?"
$DTRACE -G -s app.d -o x.o nosuch.o; echo "status $?"
$DTRACE -G -s app.d -o cet.o cet.o; echo "status $?"
md5sum --quiet -c sums && echo "inputs unchanged"
[ -e x.o ] || echo "no x.o written"
