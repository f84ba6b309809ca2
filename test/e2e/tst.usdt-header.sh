# dtrace -h: options in any order, DTrace's default output name, -C with
# -D and -I, the public macros of the header, and the errors (definition
# errors at their line, usage errors with status 2).
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1

cat > app.d <<'D'
#pragma D attributes Evolving/Evolving/Common provider app provider
provider app {
	probe request__start(const char *path, int fd);
	probe done();
};
D
$DTRACE -h -s app.d -o x.h; echo "status $?"; mv x.h 1.h
$DTRACE -o x.h -h -s app.d; echo "status $?"; mv x.h 2.h
$DTRACE -s app.d -o x.h -h; echo "status $?"; mv x.h 3.h
$DTRACE -h -s app.d; echo "status $?"
cmp 1.h 2.h && cmp 1.h 3.h && echo "same header in any order"
sed 's/_X_H/_APP_H/' 1.h | cmp - app.h && echo "app.h by default"
grep -E '^#define [A-Z]|^extern|^/\* app' app.h

echo "-- -C -D -I"
mkdir inc
echo '#define FD_T long' >inc/types.h
cat > cpp.d <<'D'
#include "types.h"
provider cpp {
	probe open(FD_T fd, NAME_T name);
};
D
$DTRACE -C -I inc -D 'NAME_T=char *' -h -s cpp.d -o cpp.h; echo "status $?"
grep -E '^/\* cpp|^#define CPP' cpp.h
$DTRACE -h -s cpp.d -o cpp2.h; echo "status $?"
[ -e cpp2.h ] || echo "no cpp2.h written"

echo "-- errors"
cat > bad.d <<'D'
provider bad {
	probe a(int);
	probe b(int, float);
};
D
$DTRACE -h -s bad.d; echo "status $?"
[ -e bad.h ] || echo "no bad.h written"
$DTRACE -h; echo "status $?"
$DTRACE -h -s app.d -s cpp.d; echo "status $?"
cp app.d app.txt
$DTRACE -h -s app.txt; echo "status $?"
$DTRACE -h -n 'BEGIN {}' -o x.h; echo "status $?"
$DTRACE -h -s app.d -o /nonexistent/x.h; echo "status $?"
$DTRACE -h -s nosuch.d; echo "status $?"
$DTRACE -h -l -s app.d; echo "status $?"
