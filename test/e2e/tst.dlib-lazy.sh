# The D library is parsed only for programs that name something it may
# declare: a broken library file troubles only the programs that use it
# (and the error names the file and line).
lib=$(mktemp -d)
trap 'rm -rf "$lib"' EXIT
printf 'inline int BROKEN_VALUE = ;\n' >"$lib/broken.d"
$DTRACE -L "$lib" -qn 'BEGIN { printf("ok\n"); exit(0); }'
$DTRACE -L "$lib" -qn 'BEGIN { trace(BROKEN_VALUE); exit(0); }' 2>&1 |
    sed "s|$lib|LIB|"
