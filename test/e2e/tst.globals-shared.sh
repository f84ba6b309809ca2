# A global belongs to the whole dtrace run: two -n programs, compiled
# separately, share it; a declaration in one fixes its type for the other.
$DTRACE -q -n 'int total; BEGIN { total = 41; }' \
	-n 'BEGIN { total++; } END { printf("total=%d\n", total); }' \
	-n 'BEGIN /total == 42/ { printf("seen %d\n", total); exit(0); }'
echo "status $?"
