# Bad input gets DTrace's kind of error and a non-zero status, never a
# crash: malformed scripts, huge and deeply nested ones, invalid options
# and bad -c/-p targets.  Long lines are cut at 160 columns here.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
r() {	# run dtrace with these arguments, show what it said and its status
	echo "--- dtrace $*" | cut -c1-80
	timeout 60 "$DTRACE" "$@" 2>&1 </dev/null | sed -n 1,4p | cut -c1-160 |
		cat -v
	echo "status ${PIPESTATUS[0]}"
}
# malformed scripts
printf 'BEGIN { /* never closed\n' >comment.d
printf 'BEGIN { trace("never closed); }\n' >string.d
printf 'BEGIN { trace(1);\n' >brace.d
printf 'BEGIN { exit(0); } }\n' >extra.d
printf 'BEGIN { exit(0); }\n\x01\x02\xff\xfe garbage\n' >binary.d
: >empty.d
r -s comment.d
r -s string.d
r -s brace.d
r -s extra.d
r -s binary.d
r -s empty.d
r -s /
r -s nonexistent.d
r -n 'BEGIN { trace(; }'
r -n '::::'
# huge: a 1 MB expression (a balanced sum of 262144 ones; constant folded),
# 10000 nested parentheses, a 200000-term chain (deep on the left), a
# 1 MB line of statements with an error at its end, 1000 clauses
# (the sum: ones paired level by level, 18 levels of parentheses)
awk 'BEGIN { e = "1"; for (i = 0; i < 18; i++) e = "(" e "+" e ")"
	print "BEGIN { trace(" e "); exit(0); }" }' >big.d
echo "big.d: $(($(wc -c <big.d) / 1024)) KiB"
r -qs big.d
rep() {	# text count: text, count times
	awk -v t="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'
}
echo "BEGIN { trace($(rep '(' 10000)1$(rep ')' 10000)); }" >parens.d
r -s parens.d
echo "BEGIN { trace(arg0$(rep '+arg0' 199999)); }" >chain.d
r -s chain.d
echo "BEGIN { $(rep 'x = 1; ' 150000)x = ; }" >lasterr.d
r -s lasterr.d
awk 'BEGIN { for (i = 0; i < 1000; i++)
	printf "syscall::getppid:entry /arg0 == %d/ { @[%d] = count(); }\n",
	    i, i % 9 }' >many.d
r -q -x loadonly -s many.d
# options
r -x nosuchoption -n 'BEGIN { exit(0); }'
r -x bufsize=lots -n 'BEGIN { exit(0); }'
r -x switchrate=-1 -n 'BEGIN { exit(0); }'
r -x strsize=1g -n 'BEGIN { exit(0); }'
r -Q
r -n
# -c and -p targets
r -c /nonexistent/prog -n 'BEGIN { exit(0); }'
r -c '' -n 'BEGIN { exit(0); }'
r -c /etc/passwd -n 'BEGIN { exit(0); }'
r -p 0 -n 'BEGIN { exit(0); }'
r -p 12abc -n 'BEGIN { exit(0); }'
r -p 99999999999999999999 -n 'BEGIN { exit(0); }'
r -p 2147483647 -n 'BEGIN { exit(0); }'
r -o /nonexistent/out -n 'BEGIN { exit(0); }'
