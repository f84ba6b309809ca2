#!/bin/bash
# Every program that compiles loads: each tst.*.d script of this suite is
# compiled and put through the kernel's verifier (-x loadonly: nothing is
# attached, BEGIN does not fire, a -c command never runs).  A script that
# fails is named with dtrace's message, which for a verifier rejection
# names the probe, the clause and its D line.
cd "$(dirname "$0")" || exit 1
n=0 bad=0
for t in tst.*.d; do
	opts=$(sed -n '1s|^/\* opts: \(.*\) \*/$|\1|p' "$t")
	opts=${opts//@TRIGGERS@/$TRIGGERS}
	# shellcheck disable=SC2086
	if ! out=$("$DTRACE" $opts -x loadonly -s "$t" 2>&1 </dev/null); then
		echo "$t does not load:"
		echo "$out" | head -20
		bad=$((bad + 1))
	fi
	n=$((n + 1))
done
[ "$n" -ge 10 ] || echo "only $n scripts found"
[ "$bad" = 0 ] && echo "every e2e script loads"
# the notices a loaded script gets, without -q
"$DTRACE" -x loadonly -n 'BEGIN { exit(0); }' -n 'syscall::getppid:entry { @ = count(); }' 2>&1
echo "status $?"
# a -c command is never let run
f=$(mktemp -u)
"$DTRACE" -q -x loadonly -n 'syscall::getppid:entry /pid == $target/ { }' \
	-c "touch $f"
echo "status $?"
[ -e "$f" ] && { echo "the -c command ran"; rm -f "$f"; }
# a program that does not compile is not loaded
"$DTRACE" -x loadonly -n 'BEGIN { trace(nosuch); }' 2>&1
echo "status $?"
