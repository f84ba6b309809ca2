# dtrace as the drop-in PostgreSQL, CPython and MariaDB builds call it:
#   PostgreSQL: probes.d whose types are cpp macros, `dtrace -C -h` then
#     sed s/POSTGRESQL_/TRACE_POSTGRESQL_/g, `dtrace -C -G -s probes.d
#     objs... -o probes.o`, linked with the objects;
#   CPython: sed s/PYTHON_/PyDTrace_/ (first match on a line only);
#   MariaDB: named parameters, #pragma D attributes, and -G run at
#     configure time with no objects.
# A C toolchain is needed (the check-kernel VM has none): skip without.
for t in gcc as; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
. "$(dirname "$0")/usdt-common.sh"
exec 2>&1

mkdir -p utils
cat > utils/probes.d <<'D'
/* Types PostgreSQL's code uses, as macros for cpp (dtrace -C). */
#define LocalTransactionId unsigned int
#define LWLockMode int
#define BlockNumber unsigned int
#define Oid unsigned int
#define ForkNumber int
#define bool unsigned char

provider postgresql {
	probe transaction__start(LocalTransactionId);
	probe transaction__commit(LocalTransactionId);
	probe query__start(const char *);
	probe query__done(const char *);
	probe lwlock__acquire(const char *, LWLockMode);
	probe checkpoint__start(int);
	probe buffer__read__done(ForkNumber, BlockNumber, Oid, Oid, Oid, int, bool);
};
D
$DTRACE -C -h -s utils/probes.d -o utils/probes.h.tmp; echo "status $?"
sed -e 's/POSTGRESQL_/TRACE_POSTGRESQL_/g' utils/probes.h.tmp >utils/probes.h
rm utils/probes.h.tmp
cat > pg_trace.h <<'C'
#include "utils/probes.h"
C
cat > xact.c <<'C'
#include "pg_trace.h"
void start_xact(unsigned int xid)
{
	TRACE_POSTGRESQL_TRANSACTION_START(xid);
	TRACE_POSTGRESQL_LWLOCK_ACQUIRE("XidGenLock", 1);
	TRACE_POSTGRESQL_TRANSACTION_COMMIT(xid);
}
C
cat > postgres.c <<'C'
#include <stdio.h>
#include "pg_trace.h"
void start_xact(unsigned int xid);
int main(void)
{
	const char *sql = "select 1";
	TRACE_POSTGRESQL_QUERY_START(sql);
	start_xact(731);
	if (TRACE_POSTGRESQL_BUFFER_READ_DONE_ENABLED())
		TRACE_POSTGRESQL_BUFFER_READ_DONE(0, 7, 1663, 5, 1259, 0, 1);
	TRACE_POSTGRESQL_QUERY_DONE(sql);
	TRACE_POSTGRESQL_CHECKPOINT_START(0);
	printf("query done\n");
	return 0;
}
C
gcc -O2 -Wall -Wextra -Werror -I. -c xact.c -o xact.o &&
gcc -O2 -Wall -Wextra -Werror -I. -c postgres.c -o postgres.o &&
$DTRACE -C -G -s utils/probes.d xact.o postgres.o -o utils/probes.o &&
gcc -o postgres postgres.o xact.o utils/probes.o || echo "build failed"
usdt_notes postgres
./postgres
grep -c POSTGRESQL_ utils/probes.h
grep -v '^#define TRACE_POSTGRESQL_' utils/probes.h | grep -c POSTGRESQL

echo "-- CPython"
cat > pydtrace.d <<'D'
provider python {
	probe function__entry(const char *, const char *, int);
	probe function__return(const char *, const char *, int);
	probe gc__start(int);
};
D
$DTRACE -o pydtrace_probes.h -h -s pydtrace.d && sed 's/PYTHON_/PyDTrace_/' \
	pydtrace_probes.h >pydtrace_probes.h.tmp && mv pydtrace_probes.h.tmp \
	pydtrace_probes.h
cat > ceval.c <<'C'
#include "pydtrace_probes.h"
int main(void)
{
	if (PyDTrace_FUNCTION_ENTRY_ENABLED())
		PyDTrace_FUNCTION_ENTRY("x.py", "f", 1);
	PyDTrace_FUNCTION_RETURN("x.py", "f", 2);
	PyDTrace_GC_START(0);
	return 0;
}
C
gcc -O2 -Wall -Wextra -Werror -c ceval.c &&
$DTRACE -G -o pydtrace.o -s pydtrace.d ceval.o &&
gcc -o python ceval.o pydtrace.o && ./python || echo "build failed"
usdt_notes python

echo "-- MariaDB"
cat > probes_mysql.d <<'D'
#pragma D attributes Evolving/Evolving/Common provider mysql provider
#pragma D attributes Evolving/Evolving/Common provider mysql module
provider mysql {
	probe connection__start(unsigned long conn_id, char *user, char *host);
	probe query__start(char *query, unsigned long conn_id, char *db_name,
	    char *user, char *host);
	probe keycache__read__block(unsigned long long bytes);
};
D
echo 'BEGIN {}' > dtrace_test.d
$DTRACE -G -s dtrace_test.d -o dtrace_test.o; echo "status $?"
$DTRACE -h -s probes_mysql.d -o probes_mysql_dtrace.h; echo "status $?"
grep '^/\* mysql' probes_mysql_dtrace.h
