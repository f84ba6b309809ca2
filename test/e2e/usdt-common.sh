# usdt-common.sh - what the tst.usdt-*.sh tests share (sourced, not a test).
#
# They build small C and C++ programs against headers made by `dtrace -h`,
# link them with objects made by `dtrace -G` and look at the result with
# readelf (and bpftrace) in a private temporary directory, removed on exit.
set -u
usdt_app=$(cd "$(dirname "${BASH_SOURCE[0]}")/../usdtapp" && pwd)
usdt_dir=$(mktemp -d /tmp/usdt-e2e.XXXXXX)
trap 'rm -rf "$usdt_dir"' EXIT
cd "$usdt_dir" || exit 1

# The SDT notes of a linked file, one line per distinct note:
#   provider:probe sizes... [semaphore NAME] [base ok]
# where NAME is provider_probe_semaphore when that symbol's address is the
# note's semaphore address ("none" if it has none, "?" and the address if
# it does not match) and "base ok" says the
# note's base is the address of the file's .stapsdt.base section.
usdt_notes() {
	local f=$1
	{
		readelf -SW "$f" | sed 's/^ *\[ *[0-9]*\] //' |
			awk '$1 == ".stapsdt.base" { print "base", $3 }'
		readelf -sW "$f" | awk '$2 ~ /^[0-9a-f]+$/ && $8 != "" {
			print "sym", $8, $2 }'
		readelf -n "$f"
	} | awk '
	$1 == "base" { base = $2; next }
	$1 == "sym" { sym[$2] = $3; next }
	$1 == "Provider:" { prov = $2; next }
	$1 == "Name:" { name = $2; next }
	$1 == "Location:" {
		b = $4; sub(/^0x/, "", b); sub(/,$/, "", b)
		s = $6; sub(/^0x/, "", s)
		next
	}
	$1 == "Arguments:" {
		line = prov ":" name
		for (i = 2; i <= NF; i++) { a = $i; sub(/@.*/, "", a); line = line " " a }
		want = prov "_" name "_semaphore"
		if (s ~ /^0+$/) sn = "none"
		else if (sym[want] == s) sn = want
		else sn = "? (" s ")"
		print line " [semaphore " sn "] [base " (b == base ? "ok" : b "!=" base) "]"
	}' | sort -u
}

# The sample application (test/usdtapp): app.d and app.c, here.
usdt_sample_app() {
	cp "$usdt_app/app.d" "$usdt_app/app.c" .
}
