# The one-liner: sched:::on-cpu counted per CPU for a second
# prints a count for CPUs that exist (every switch fires it).
n=$(getconf _NPROCESSORS_CONF)
$DTRACE -qn 'sched:::on-cpu { @[cpu] = count(); } tick-1s { exit(0); }' |
    awk -v n="$n" 'NF == 2 { lines++; if ($1 >= 0 && $1 < n && $2 > 0) ok++ }
	END { print (lines >= 1 && ok == lines) ? "per-CPU counts" : "wrong" }'
echo "status ${PIPESTATUS[0]}"
