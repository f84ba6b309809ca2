# proc:::signal-clear fires in the thread that took a pending signal with
# sigwait(), sigwaitinfo() or sigtimedwait(), the signal its arg0; a
# sigtimedwait() that finds none (EAGAIN) does not fire it.
$DTRACE -qn '
proc:::signal-clear
/pid == $target/
{
	printf("%s %s %d %d\n", probename, execname, arg0, args[0]);
}' -c "$TRIGGERS/sigwaittrig"
echo "status $?"
