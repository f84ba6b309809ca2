# Thread-local self-> variables, DTrace's semantics.
# Entry/return timing: set on entry, read in the return predicate, freed.
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ { self->ts = timestamp; } syscall::getppid:return /self->ts/ { printf("%d\n", timestamp - self->ts > 0); self->ts = 0; }' -c "$TRIGGERS/getppid 3"
# Another thread does not see dtrace's own (BEGIN's) value; op=, ++ and a
# declared type work; assigning 0 deletes, so the predicate stops firing.
$DTRACE -qs /dev/stdin -c "$TRIGGERS/getppid 4" <<'D'
self char c;
BEGIN { self->x = 5; self->x *= 3; self->c = 127; self->c++; }
BEGIN { printf("begin %d %d %d\n", self->x, self->x++, self->c); }
syscall::getppid:entry /pid == $target/ { printf("target %d\n", self->x); self->n++; }
syscall::getppid:entry /self->n == 2/ { self->y = 7; }
syscall::getppid:return /self->y/ { printf("y %d n %d\n", self->y, self->n); self->y = 0; }
D
# A store the map has no room for is a dynamic variable drop: the map has
# max(dynvarsize / 16, 1024) entries, and 1100 threads each set one
# variable.  With the variable freed on return, nothing is dropped.
spawn=/tmp/self-spawn.$$.sh
printf '#!/bin/bash\nfor i in $(seq 1100); do %s/spin-getppid 1; done\n' "$TRIGGERS" >$spawn
chmod +x $spawn
count() { sed -n 's/^dtrace: \([0-9]*\) dynamic variable drops\{0,1\}$/\1/p' | awk '{ s += $1 } END { print "dynamic variable drops:", s + 0 }'; }
$DTRACE -x dynvarsize=1k -qn 'syscall::getppid:entry /ppid == $target/ { self->x = 1; }' -c $spawn 2>&1 >/dev/null | count
$DTRACE -x dynvarsize=1k -qn 'syscall::getppid:entry /ppid == $target/ { self->x = 1; } syscall::getppid:return /self->x/ { self->x = 0; }' -c $spawn 2>&1 >/dev/null | count
rm -f $spawn
