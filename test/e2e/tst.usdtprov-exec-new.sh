# Clauses that match nothing at start (-Z) get their programs when a
# program with their probes starts (uexec.c); what only they use is there
# then: string constants the loaded string table lacked (the program gets
# a grown copy of its own), global and self-> variables and strjoin's
# scratch space.
[ -x "$TRIGGERS/usdttrig" ] || { echo "needs usdttrig"; exit 77; }
dir=$(mktemp -d /tmp/usdt-new.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cp "$TRIGGERS/usdttrig" "$dir/lzprog"
$DTRACE -Zq -o "$dir/out" -n 'BEGIN { printf("ready\n"); }
trig*:lzprog::round /ppid == $1/ { r++; }
trig*:lzprog::always /ppid == $1 && execname == "lzprog"/ {
	printf("%s %s %d\n", "late", strjoin(execname, "-x"), arg0);
	self->y = arg0;
	g += arg0;
}
trig*:lzprog::always /ppid == $1 && self->y == 3/ {
	printf("g=%d self=%d r=%d %s\n", g, self->y, r,
	       self->y == 3 ? "done" : "?");
	exit(0);
}' $$ 2>&1 & dt=$!
for i in $(seq 600); do grep -q ready "$dir/out" 2>/dev/null && break; sleep 0.05; done
"$dir/lzprog" wait 3; echo "lzprog $?"
wait $dt
echo "dtrace status $?"
cat "$dir/out"
