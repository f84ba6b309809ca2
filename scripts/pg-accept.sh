#!/bin/sh
# pg-accept.sh - issue 5's PostgreSQL acceptance: build PostgreSQL 15 from
# Debian's source package with `--enable-dtrace DTRACE=<our dtrace>` (our
# -h makes its probes.h, our -G the object with its semaphores), start it,
# and trace its probes with our dtrace.  Run as root; `make check-pg` runs
# it.  Not part of `make check`: the build takes minutes.
#
# What it shows, each step checked (the script fails at the first miss):
#   1. configure and the build succeed with our dtrace as DTRACE;
#   2. `dtrace -l -p <postmaster>` lists the postgres binary's probes
#      (postgresqlPID:postgres:...), as many as its .note.stapsdt notes;
#   3. query-start prints the SQL of a query run by psql, traced on a
#      backend's pid (postgresql$target with -p);
#   4. the wildcard provider `postgresql*:::transaction-start` traces a
#      backend started after dtrace (every psql connection is a new
#      process).
# Steps 2 to 4 run again on Debian's stock postgres binary (postgresql-15)
# when it is installed.
#
# Needs: deb-src in apt's sources (added as
# /etc/apt/sources.list.d/dtrace-deb-src.sources if none is there),
# dpkg-dev for `apt-get source`, and the build's tools (gcc, make, bison,
# flex, perl).  Configured without readline, zlib and ICU to keep the
# build small.  Work directory: build/pg (kept: a second run skips the
# build).  PG_JOBS sets make's -j (default: the number of CPUs).
#
# With CI=true (as .ci/run has it) or PG_CLEAN=1 it leaves nothing behind,
# pass or fail: the servers are stopped, and build/pg, the pgaccept user
# and the deb-src file are removed if this run made them.  Every dtrace
# run has a time limit (PG_TIMEOUT seconds, default 120), so a probe that
# never fires fails the step instead of hanging.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
DTRACE=$TOP/build/dtrace
W=$TOP/build/pg
PORT=5499
JOBS=${PG_JOBS:-$(nproc)}
LIMIT=${PG_TIMEOUT:-120}
CLEAN=${PG_CLEAN:-}
[ "${CI:-}" = true ] && CLEAN=1
SRCLIST=/etc/apt/sources.list.d/dtrace-deb-src.sources
made_list= made_user= made_work=

# PostgreSQL's make generates its headers only at MAKELEVEL 0: run from
# `make check-pg`, it must not see that it is inside another make.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

say() { echo "pg-accept: $*"; }
fail() { echo "pg-accept: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root"
[ -x "$DTRACE" ] || make -j"$JOBS"
[ -d "$W" ] || made_work=1
mkdir -p "$W"

stop_server() {
	[ -n "${DATA:-}" ] && [ -f "$DATA/postmaster.pid" ] &&
		as_pg "$SBIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1
	true
}
cleanup() {
	rc=$?
	stop_server
	[ -n "$CLEAN" ] || return 0
	if [ "$rc" != 0 ]; then		# the logs, before they go
		for f in "$W"/*.log "$W"/run-*/*.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }
		done
	fi
	[ -n "$made_list" ] && rm -f "$SRCLIST"
	[ -n "$made_user" ] && userdel pgaccept 2>/dev/null
	[ -n "$made_work" ] && rm -rf "$W"
	true
}
trap cleanup EXIT

# ---- source and build ------------------------------------------------------
start=$(date +%s)
if [ ! -x "$W/inst/bin/postgres" ]; then
	if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list \
	    /etc/apt/sources.list.d/; then
		say "adding deb-src for bookworm"
		made_list=1
		cat > "$SRCLIST" <<-EOF
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends dpkg-dev gcc make \
		bison flex perl xz-utils bzip2 >/dev/null
	cd "$W"
	rm -rf src
	mkdir src
	cd src
	apt-get source -qq postgresql-15 > "$W/source.log" 2>&1 ||
		fail "apt-get source postgresql-15 (see $W/source.log)"
	cd postgresql-15-*/
	say "configure (DTRACE=$DTRACE)"
	./configure -q --prefix="$W/inst" --enable-dtrace DTRACE="$DTRACE" \
		--without-readline --without-zlib --without-icu \
		> "$W/configure.log" 2>&1 || fail "configure (see $W/configure.log)"
	say "make -j$JOBS"
	make -s -j"$JOBS" > "$W/make.log" 2>&1 || fail "make (see $W/make.log)"
	make -s install > "$W/install.log" 2>&1 || fail "make install"
	cd "$TOP"
fi
built=$(date +%s)
say "source and build took $((built - start)) s"

# ---- a server, then steps 2 to 4 on it --------------------------------------
if ! id -u pgaccept >/dev/null 2>&1; then
	made_user=1
	useradd --system --no-create-home --shell /usr/sbin/nologin pgaccept
fi
as_pg() { runuser -u pgaccept -- "$@"; }

# accept TAG BINDIR: a server of BINDIR's postgres, traced (psql is ours).
accept() {
	TAG=$1 SBIN=$2
	RUN=$W/run-$TAG		# the server's: data, socket, log
	DATA=$RUN/data
	SOCK=$RUN/sock
	stop_server
	rm -rf "$RUN"
	mkdir -p "$DATA" "$SOCK"
	chown -R pgaccept "$RUN"
	as_pg "$SBIN/initdb" -A trust -U postgres -D "$DATA" \
		> "$RUN/initdb.log" 2>&1 || fail "initdb (see $RUN/initdb.log)"
	as_pg "$SBIN/pg_ctl" -D "$DATA" -l "$RUN/server.log" -w \
		-o "-p $PORT -k $SOCK -c listen_addresses=" start >/dev/null ||
		fail "server start (see $RUN/server.log)"
	PSQL="$W/inst/bin/psql -X -q -A -t -h $SOCK -p $PORT -U postgres -d postgres"
	PM=$(head -1 "$DATA/postmaster.pid")

	# 2: dtrace -l -p
	nnotes=$(readelf -n "$SBIN/postgres" | grep -c 'stapsdt')
	nlisted=$("$DTRACE" -l -p "$PM" | grep -c "^ *[0-9]* *postgresql$PM ")
	say "$TAG: dtrace -l -p $PM lists $nlisted probes ($nnotes SDT notes)"
	[ "$nlisted" -gt 0 ] || fail "no probes listed"
	# (in exec_simple_query where the binary has its .symtab; Debian's
	# is stripped, and exec_simple_query is static: no function name)
	"$DTRACE" -l -n "postgresql$PM:::query-start" -p "$PM" |
		grep -q "postgresql$PM *postgres .*query-start$" ||
		fail "query-start is not listed"

	# 3: query-start on a backend that waits: psql reads a fifo
	FIFO=$RUN/fifo
	mkfifo "$FIFO"
	$PSQL < "$FIFO" > "$RUN/psql.out" 2>&1 &
	PSQLPID=$!
	exec 9> "$FIFO"
	echo "select 1;" >&9
	BE=
	for _ in $(seq 50); do
		BE=$($PSQL -c "select pid from pg_stat_activity where
			backend_type = 'client backend' and
			pid <> pg_backend_pid()")
		[ -n "$BE" ] && break
		sleep 0.1
	done
	[ -n "$BE" ] || fail "no backend for the waiting psql"
	timeout "$LIMIT" "$DTRACE" -q -p "$BE" -o "$RUN/query.out" -n '
	BEGIN { printf("ready\n"); }
	postgresql$target:::query-start { printf("%s\n", copyinstr(arg0)); exit(0); }
	' &
	DT=$!
	for _ in $(seq 100); do
		grep -q ready "$RUN/query.out" 2>/dev/null && break
		sleep 0.1
	done
	echo "select 'traced by dtrace' as hello;" >&9
	wait "$DT" || fail "dtrace on the backend failed"
	exec 9>&-
	wait "$PSQLPID" || true
	say "$TAG: query-start: $(grep -v '^ready$' "$RUN/query.out" | head -1)"
	grep -qx "select 'traced by dtrace' as hello;" "$RUN/query.out" ||
		fail "query-start did not print the query"

	# 4: the wildcard provider, in a backend started after dtrace
	timeout "$LIMIT" "$DTRACE" -q -o "$RUN/txn.out" -n '
	BEGIN { printf("ready\n"); }
	postgresql*:::transaction-start /execname == "postgres"/ { n++; }
	postgresql*:::query-start /copyinstr(arg0) == "select 4242;"/ {
		printf("query %s\n", copyinstr(arg0)); exit(0); }
	END { printf("transaction-start %s\n", n > 0 ? "seen" : "not seen"); }
	' &
	DT=$!
	for _ in $(seq 100); do
		grep -q ready "$RUN/txn.out" 2>/dev/null && break
		sleep 0.1
	done
	$PSQL -c "select 4242;" >/dev/null
	wait "$DT" || fail "dtrace with postgresql* failed"
	say "$TAG: wildcard: $(grep -v ready "$RUN/txn.out" | tr '\n' ' ')"
	grep -qx "query select 4242;" "$RUN/txn.out" ||
		fail "no query-start via postgresql*"
	grep -qx "transaction-start seen" "$RUN/txn.out" ||
		fail "no transaction-start"
	stop_server
}

accept built "$W/inst/bin"
STOCK=/usr/lib/postgresql/15/bin
if [ -x $STOCK/postgres ] && [ -x $STOCK/initdb ]; then
	accept stock $STOCK
else
	say "Debian's postgresql-15 is not installed: its stock binary not tried"
fi
say "PASS ($(($(date +%s) - start)) s in all)"
