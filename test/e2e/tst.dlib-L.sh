# -L adds a directory to the D library: its types, translators and
# inlines are there for every program; a library file depending on a
# provider that does not exist is skipped, as in DTrace; -x nolibs loads
# no library at all.
lib=$(mktemp -d)
trap 'rm -rf "$lib"' EXIT
cat >"$lib/mylib.d" <<'D'
typedef struct mytask { int m_pid; char m_comm[16]; } mytask_t;
enum mylevel { LOW = 10, HIGH = 20 };
translator mytask_t < struct task_struct *T > {
	m_pid = T->tgid;
	m_comm = T->comm;
};
inline mytask_t *curmytask = xlate <mytask_t *> (curthread);
inline int MYTEN = 10;
D
cat >"$lib/other.d" <<'D'
#pragma D depends_on library mylib.d
inline int MYTWENTY = MYTEN * 2;
D
cat >"$lib/skipped.d" <<'D'
#pragma D depends_on provider nosuchprovider
inline int SKIPPED = 1;
D
$DTRACE -L "$lib" -qn 'BEGIN { printf("%d %s %d %d %d\n",
    curmytask->m_pid == pid, curmytask->m_comm, MYTEN, MYTWENTY, HIGH);
    exit(0); }'
$DTRACE -L "$lib" -qn 'BEGIN { trace(SKIPPED); exit(0); }' 2>&1
$DTRACE -L "$lib" -xnolibs -qn 'BEGIN { trace(MYTEN); exit(0); }' 2>&1
$DTRACE -xnolibs -qn 'BEGIN { trace(curpsinfo->pr_pid); exit(0); }' 2>&1
echo "status $?"
