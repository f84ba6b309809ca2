# freopen(fmt, ...) (destructive: needs -w) sends later output to the file
# it names, appending; freopen("") sends it back to stdout; ftruncate()
# empties the output file first.  END's output goes where output was
# going; a file that cannot be opened is reported and output stays put.
exec 2>&1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "old" > "$dir/out.txt"
$DTRACE -wqn "BEGIN {
	printf(\"a\n\");
	freopen(\"$dir/%s.%s\", \"out\", \"txt\");
	printf(\"b\n\");
	freopen(\"\");
	printf(\"c\n\");
}
BEGIN { freopen(\"$dir/out.txt\"); printf(\"d\n\"); ftruncate(); printf(\"e\n\"); }
BEGIN { freopen(\"$dir/nodir/x\"); printf(\"f\n\"); exit(0); }
END { printf(\"end\n\"); }" 2>&1 | sed "s|$dir|DIR|"
echo "status ${PIPESTATUS[0]}"
echo "-- file:"
cat "$dir/out.txt"
