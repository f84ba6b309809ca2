#!/bin/bash
# run.sh - the end-to-end suite: real D scripts against the live kernel.
#
#   tst.NAME.d   run with `dtrace -s tst.NAME.d`; stdout must equal
#                tst.NAME.d.out exactly; stderr must equal tst.NAME.d.err
#                if that file exists; exit status must equal the number in
#                tst.NAME.d.status (default 0).  Extra dtrace options come
#                from a first-line comment `/* opts: ... */`, in which
#                @TRIGGERS@ names the directory of the built trigger
#                programs.
#   tst.NAME.sh  run with bash (DTRACE and TRIGGERS in the environment);
#                same .out/.err/.status rules.  For what a .d cannot say:
#                -n one-liners, -l, -c, signals, exit codes.
#   err.TAG.NAME.d  must fail to compile: exit status 1 and stderr naming
#                [TAG] (run with -xerrtags).
#
# A tst.NAME.sh that exits 77 is skipped, the first line of its stdout
# saying why (a kernel feature this kernel lacks: the fbt tests run only
# under `make check-kernel`).
#
# Every test runs under a timeout (30 s for a .d, 60 s for a .sh, times
# $E2E_TIMEOUT_SCALE: the emulated kernel of check-kernel is slower).
# Needs root.  Usage: run.sh [pattern]  (the tests whose names contain
# it; "a,b": those that contain a or b)
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${DTRACE:?set DTRACE to the dtrace binary}"
: "${TRIGGERS:=}"
: "${E2E_TIMEOUT_SCALE:=1}"
export DTRACE TRIGGERS
IFS=, read -ra patterns <<<"${1:-}"
[ ${#patterns[@]} -gt 0 ] || patterns=("")
wanted() {
	local p
	for p in "${patterns[@]}"; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}
pass=0 fail=0 skip=0 failed=()
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "e2e: the end-to-end tests trace the live kernel: run them as root" >&2
	exit 1
fi

check() {	# name, status, expected status, expected-out file, err file
	local name=$1 st=$2 want=$3 out=$4 err=$5 ok=1
	if [ "$st" = 77 ] && [ "$want" != 77 ]; then
		echo "SKIP $name: $(head -1 "$tmp/out")"
		skip=$((skip + 1)); return
	fi
	if [ "$st" != "$want" ]; then
		echo "FAIL $name: exit status $st, expected $want"; ok=0
	fi
	if [ -f "$out" ] && ! diff -u "$out" "$tmp/out" >"$tmp/diff"; then
		echo "FAIL $name: stdout differs"; cat "$tmp/diff"; ok=0
	fi
	if [ -f "$err" ] && ! diff -u "$err" "$tmp/err" >"$tmp/diff"; then
		echo "FAIL $name: stderr differs"; cat "$tmp/diff"; ok=0
	fi
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		[ -s "$tmp/err" ] && { echo "--- stderr:"; head -20 "$tmp/err"; }
		fail=$((fail + 1)); failed+=("$name")
	fi
}

cd "$here"
for t in tst.*.d tst.*.sh err.*.d; do
	[ -e "$t" ] || continue
	wanted "$t" || continue
	want=0
	[ -f "$t.status" ] && want=$(cat "$t.status")
	case "$t" in
	tst.*.d)
		opts=$(sed -n '1s|^/\* opts: \(.*\) \*/$|\1|p' "$t")
		opts=${opts//@TRIGGERS@/$TRIGGERS}
		# shellcheck disable=SC2086
		timeout $((30 * E2E_TIMEOUT_SCALE)) "$DTRACE" $opts -s "$t" >"$tmp/out" 2>"$tmp/err" </dev/null
		check "$t" $? "$want" "$t.out" "$t.err" ;;
	tst.*.sh)
		timeout $((60 * E2E_TIMEOUT_SCALE)) bash "$t" >"$tmp/out" 2>"$tmp/err" </dev/null
		check "$t" $? "$want" "$t.out" "$t.err" ;;
	err.*.d)
		tag=${t#err.}; tag=${tag%%.*}
		timeout $((30 * E2E_TIMEOUT_SCALE)) "$DTRACE" -xerrtags -e -s "$t" >"$tmp/out" 2>"$tmp/err" </dev/null
		st=$?
		if ! grep -q "\[$tag\]" "$tmp/err"; then
			echo "FAIL $t: stderr does not name [$tag]"; st=99
		fi
		check "$t" $st 1 /dev/null/none /dev/null/none ;;
	esac
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || { printf '  %s\n' "${failed[@]}"; exit 1; }
