# Speculative tracing: every openat of the children of $target is traced
# speculatively and only the failing ones are committed, so exactly the
# failing call prints; a speculation discarded prints nothing; records of
# a failed speculation() (id 0) are dropped; speculate() after a
# data-recording action is refused.
exec 2>&1
two=/tmp/spec-two.$$
printf '%s\n' "$TRIGGERS/openat 3" "$TRIGGERS/sysargs" > $two
$DTRACE -x nspec=8 -qn '
syscall::openat:entry /ppid == $target/ { self->a = arg1; }
syscall::openat:return /self->a/
{
	self->spec = speculation();
	speculate(self->spec);
	printf("%s %d\n", copyinstr(self->a), errno);
}
syscall::openat:return /self->spec && errno != 0/
{
	commit(self->spec);
}
syscall::openat:return /self->spec && errno == 0/
{
	discard(self->spec);
}
syscall::openat:return /self->a/
{
	self->spec = 0;
	self->a = 0;
}' -c "sh $two"
echo "status $?"
rm -f $two
$DTRACE -qn 'BEGIN { speculate(0); printf("never\n"); } BEGIN { printf("done\n"); exit(0); }'
echo "status $?"
$DTRACE -qn 'BEGIN { printf("x"); speculate(1); }'
echo "status $?"
