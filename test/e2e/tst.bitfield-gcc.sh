# D-declared bit-fields against gcc: tst.bitfield-layout.d and
# test/triggers/bitfields.c (the same structs compiled by gcc) print the
# same sizes, words and member values.
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TRIGGERS/bitfields" >"$tmp/c"
$DTRACE -s "$here/tst.bitfield-layout.d" | sed '/^$/d' >"$tmp/d"
diff "$tmp/c" "$tmp/d" && echo same
wc -l <"$tmp/c"
