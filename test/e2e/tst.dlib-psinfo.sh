# The D library's curpsinfo, curlwpsinfo and curcpu: psinfo_t of dtrace
# itself and of a -c target (its name and command line), lwpsinfo_t.
$DTRACE -qn 'BEGIN { printf("%s %d\n", curpsinfo->pr_fname, curthread->tgid == pid); exit(0); }'
$DTRACE -qn 'BEGIN { printf("%d %d %d %d %d\n", curpsinfo->pr_pid == pid,
    curpsinfo->pr_ppid == ppid, curpsinfo->pr_uid == uid,
    curpsinfo->pr_gid == gid, curpsinfo->pr_dmodel == PR_MODEL_LP64);
    printf("%d %c %d %s %d\n", curlwpsinfo->pr_lwpid == tid,
    curlwpsinfo->pr_sname, curlwpsinfo->pr_state == SONPROC,
    curlwpsinfo->pr_name, curlwpsinfo->pr_onpro == cpu);
    printf("%d\n", curcpu->cpu_id == cpu); exit(0); }'
$DTRACE -qn 'syscall::getppid:entry /pid == $target/ {
    printf("%s|%s|%d\n", curpsinfo->pr_fname, curpsinfo->pr_psargs,
    curpsinfo->pr_pid == $target); exit(0); }' -c "$TRIGGERS/getppid 2 two  three" | sed "s|$TRIGGERS|TRIGGERS|"
echo "status ${PIPESTATUS[0]}"
