#!/bin/bash
# Every program that compiles loads, across probe kinds: each clause body
# below is compiled for the dtrace provider (BEGIN, END), one syscall
# (entry, return), every syscall entry (a program on many probes, whose
# names come from a map), profile and tick, and the programs are put
# through the kernel's verifier with -x loadonly (nothing is attached).
# Then the fuzz corpus, whose scripts compile, must load too.
P='BEGIN, END, syscall::read:entry, syscall::read:return, syscall:::entry,
profile:::profile-997, profile:::tick-1s'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bodies=(
''
'trace(arg0);'
'printf("%s %s %s %s %s %d %d %d %d %d %d %d %d %d\n", probeprov, probemod,
  probefunc, probename, execname, pid, tid, ppid, uid, gid, cpu, id, epid,
  errno);'
'trace(timestamp); trace(vtimestamp); trace(walltimestamp); trace(curthread);'
'x++; y += arg0; z = x * y / (arg1 | 1); w = z % 7;'
'self->ts = timestamp; self->d = timestamp - self->ts; self->ts = 0;'
'this->a = arg0; this->b = this->a * 2; trace(this->b);'
'@c = count(); @s[execname] = sum(arg0); @q[pid] = quantize(arg0);
 @l = lquantize(arg0, 0, 100, 10); @ll = llquantize(arg0, 10, 0, 6, 20);
 @a[probefunc, pid] = avg(arg0); @m = min(arg0); @M = max(arg0);
 @sd = stddev(arg0);'
'@k[execname, probefunc] = count(); printa("%s %s %@d\n", @k); trunc(@k, 3);
 normalize(@k, 2); denormalize(@k); clear(@k); trunc(@k);'
'printf("%s\n", execname == "bash" ? "yes" : "no"); trace(probefunc < "m");'
'if (arg0 > 1) { @x = count(); } else if (arg1 == 2) { @y = count(); }
 else { @z = sum(arg2); }'
'trace(arg0 / (arg1 | 1) % 7 << 3 >> 1 ^ ~arg2 & 0xff | 3);'
'trace(arg0 / arg1); trace(arg2 % arg3);'
'printf("%-*d %5.2s %x %o %c %u %i %%\n", 4, arg0, execname, arg1, arg2, 65,
  arg3, arg4);'
'trace((char)arg0 + (uint16_t)arg1 + (int)arg9 + (unsigned char)arg5);'
'trace(arg0 && arg1 || !arg2 ^^ arg3); trace(arg4 ? arg5 : arg6);'
'exit(arg0 != 0);'
)
n=0 bad=0
for b in "${bodies[@]}"; do
	n=$((n + 1))
	printf '%s\n/arg0 != 12345 || pid != 1/\n{\n%s\n}\n' "$P" "$b" \
		>"$tmp/m$n.d"
	if ! out=$("$DTRACE" -q -x loadonly -s "$tmp/m$n.d" 2>&1 </dev/null)
	then
		echo "body $n does not load:"; echo "$b"; echo "$out" | head -20
		bad=$((bad + 1))
	fi
done
echo "$n bodies: $((n - bad)) load"
here=$(cd "$(dirname "$0")/../fuzz/corpus" && pwd)
n=0 bad=0
for t in "$here"/*; do
	# with the macro arguments it uses: none, $1, or $1 and $2
	for a in "" "123" "123 456" none; do
		# shellcheck disable=SC2086
		"$DTRACE" -q -e -s "$t" $a >/dev/null 2>&1 </dev/null && break
	done
	[ "$a" = none ] && continue
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! out=$("$DTRACE" -q -x loadonly -s "$t" $a 2>&1 </dev/null)
	then
		echo "corpus ${t##*/} does not load:"; echo "$out" | head -20
		bad=$((bad + 1))
	fi
done
[ "$n" -ge 1 ] && echo "the fuzz corpus scripts that compile load: $bad fail"
