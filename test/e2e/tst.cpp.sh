# -C runs the C preprocessor with -D/-U/-I; errors still name the script's
# own lines; without -C a #define is refused as DTrace refuses it.
exec 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/inc"
echo '#define FROM_HEADER 7' > "$tmp/inc/defs.h"
cat > "$tmp/c.d" <<'EOS'
#include "defs.h"
#define GREETING "hello"
#ifdef __SUNW_D
BEGIN { printf("%s %d %d %d\n", GREETING, VALUE, FROM_HEADER, __LINE__); }
#endif
#ifdef GONE
BEGIN { printf("not undefined\n"); }
#endif
BEGIN { exit(0); }
EOS
$DTRACE -C -I "$tmp/inc" -DVALUE=42 -DGONE -UGONE -qs "$tmp/c.d"
echo "status $?"
printf '#define X 1\n\nBEGIN { trace(X +); }\n' > "$tmp/bad.d"
$DTRACE -C -qs "$tmp/bad.d" 2>&1 | sed "s|$tmp|TMP|"
echo "status ${PIPESTATUS[0]}"
$DTRACE -qs "$tmp/bad.d" 2>&1 | sed "s|$tmp|TMP|"
echo "status ${PIPESTATUS[0]}"
