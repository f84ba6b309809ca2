# '#!/usr/sbin/dtrace -qs' scripts run directly, with macro arguments:
# $1 as an integer, $$2 as a string, $0 the script name; an argument the
# script never references is an error, as in DTrace.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/args.d" <<EOS
#!$DTRACE -qs
BEGIN { printf("%d %s %d\n", \$1 + 1, \$\$2, \$\$0 == "$tmp/args.d"); exit(0); }
EOS
chmod +x "$tmp/args.d"
"$tmp/args.d" 41 hello
echo "status $?"
"$tmp/args.d" 41 hello extra 2>&1 | sed "s|$tmp|TMP|"
echo "status ${PIPESTATUS[0]}"
# -x defaultargs: an argument not given is 0 ($N) or "" ($$N), also from
# a pragma; -x argref: arguments the script does not use are allowed
$DTRACE -xdefaultargs -qn 'BEGIN { printf("[%d] [%s] [%s]\n", $1, $$2, $$3); exit(0); }' 7 x
echo "status $?"
printf '#pragma D option defaultargs\nBEGIN { printf("[%%s] [%%d]\\n", $$1, $2); exit(0); }\n' > "$tmp/da.d"
$DTRACE -qs "$tmp/da.d" word
echo "status $?"
$DTRACE -xargref -qn 'BEGIN { printf("%s\n", $$2); exit(0); }' a b c
echo "status $?"
