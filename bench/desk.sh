#!/bin/sh
# desk.sh — every desk page under load on a large store, on SQLite and on
# PostgreSQL in the same run (issue 10: p99 under 100 ms at 32 concurrent
# sessions on a 1,000,000-person store, on both stores).
#
#   bench/desk.sh [N]         a store of N synthetic persons, default 1000000
#
# Steps:
#   1. a SQLite store (kept in $VAR between runs of the same N): `juwei
#      init`, `juwei demo --persons N` (households, houses, buildings,
#      grids, the ledgers derived), ANALYZE;
#   2. unless BENCH_PG=0: a throw-away PostgreSQL server (scripts/pg.sh) and
#      `juwei migrate` of the file into it;
#   3. `juwei serve` on each store, 32 web sessions on each (form logins);
#      bare_server on the SQLite file (the reference: libmicrohttpd + SQLite,
#      GET /persons/{id}, nothing else);
#   4. for each desk page — the dashboard /, the people list /persons, the
#      ledgers index /ledgers, the elderly ledger /ledgers/elderly, its
#      statistics /ledgers/elderly/stats, community statistics /stats,
#      reminders /reminders — wrk -t2 -c32 for BENCH_DURATION seconds, each
#      request in the next of the 32 sessions; the same for the reference;
#   5. the table: req/s, p50, p99 of each page on each store.
#
# Environment: BENCH_DURATION (wrk seconds, default 10), BENCH_PG (1),
# BENCH_PORT (18300; uses it and the next two), BENCH_VAR (bench/var/desk).
set -eu
cd "$(dirname "$0")"

N=${1:-1000000}
DUR=${BENCH_DURATION:-10}
WITH_PG=${BENCH_PG:-1}
PORT=${BENCH_PORT:-18300}
PORT_SQ=$PORT
PORT_PG=$((PORT + 1))
PORT_BARE=$((PORT + 2))
PW='Bench@2026x'
JUWEI=../build/juwei
B=build
VAR=${BENCH_VAR:-var/desk}
JDB=$VAR/desk-$N.db
RES=$VAR/results.txt
ROUNDS_FILE=$VAR/wrk_rounds.txt
SESSIONS=32

case "$N" in ''|*[!0-9]*) echo "desk.sh: N must be a number, not \"$N\"" >&2; exit 2;; esac
for p in "$JUWEI" $B/bare_server; do
	[ -x "$p" ] || { echo "desk.sh: $p is missing; run make -C bench programs" >&2; exit 2; }
done
for t in wrk sqlite3 curl; do
	command -v $t >/dev/null || { echo "desk.sh: $t is missing; run scripts/deps.sh bench" >&2; exit 2; }
done
[ "$WITH_PG" = 0 ] || command -v psql >/dev/null || { echo "desk.sh: psql is missing; run scripts/deps.sh test" >&2; exit 2; }

mkdir -p "$VAR"
rm -f "$RES" "$VAR"/wrk_*.txt
: >"$RES"
: >"$ROUNDS_FILE"
. ./lib.sh
PGDIR=$(mktemp -d /tmp/juwei-bench-pg.XXXXXX)
chmod 755 "$PGDIR"
stop_pg() { [ "$WITH_PG" = 0 ] || ../scripts/pg.sh stop "$PGDIR/srv" 2>/dev/null || true; rm -rf "$PGDIR"; }
trap 'cleanup; stop_pg' EXIT

REV=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C .. status --porcelain -- src 2>/dev/null)" ] || REV="$REV+local changes in src/"
say "== desk pages: N=$N persons, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $REV"

# ---- 1. the SQLite store
if [ ! -s "$JDB" ] || [ "$(sqlite3 "$JDB" "SELECT value FROM meta WHERE key = 'bench_desk'" 2>/dev/null)" != "$N" ]; then
	rm -f "$JDB" "$JDB-wal" "$JDB-shm"
	say "-- building the store (once for this N)"
	t0=$(date +%s)
	JUWEI_ADMIN_PASSWORD=$PW timeout 120 $JUWEI init --db "$JDB" --community-code 110105087003 \
		--community-name 示范社区居民委员会 >/dev/null
	timeout 7200 $JUWEI demo --db "$JDB" --persons "$N" --seed 1 >/dev/null
	sqlite3 "$JDB" "INSERT INTO meta (key, value) VALUES ('bench_desk', '$N'); ANALYZE;"
	say "   built in $(($(date +%s) - t0)) s"
fi
put persons "$(sqlite3 "$JDB" "SELECT count(*) FROM person WHERE status = 'active'")"
put entries "$(sqlite3 "$JDB" "SELECT count(*) FROM ledger_entry WHERE end_date IS NULL")"

# ---- 2. PostgreSQL
if [ "$WITH_PG" != 0 ]; then
	PGURL=$(../scripts/pg.sh start "$PGDIR/srv")
	psql "$PGURL" -qXc "CREATE DATABASE juwei" >/dev/null
	PDB=${PGURL%/*}/juwei
	say "-- juwei migrate into PostgreSQL"
	t0=$(date +%s)
	timeout 7200 "$JUWEI" migrate --from "$JDB" --to "$PDB" >"$VAR/migrate.txt"
	psql "$PDB" -qXc "ANALYZE" >/dev/null
	say "   moved in $(($(date +%s) - t0)) s"
fi

# ---- 3. the servers and the sessions
serve() {   # serve NAME DB PORT
	"$JUWEI" serve --db "$2" --listen "127.0.0.1:$3" --backup-dir "$VAR/backups" >"$VAR/serve_$1.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_up "http://127.0.0.1:$3/login"
	i=0   # the start-up derivation: wait for it, so that it does not share the cores
	until grep -q '台账已按' "$VAR/serve_$1.log"; do
		i=$((i + 1)); [ $i -lt 6000 ] || { say "desk.sh: the derivation did not end within 600 s"; exit 1; }
		sleep 0.1
	done
}
# sessions PORT: SESSIONS form logins, their cookies on one line
sessions() {
	k=0 out=""
	while [ $k -lt $SESSIONS ]; do
		jar=$VAR/jar.txt
		rm -f "$jar"
		csrf=$(curl -s -c "$jar" "http://127.0.0.1:$1/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
		curl -s -b "$jar" -c "$jar" -o /dev/null -X POST "http://127.0.0.1:$1/login" \
			--data-urlencode "_csrf=$csrf" --data-urlencode "username=admin" --data-urlencode "password=$PW"
		c=$(awk '$6 == "jw_session" && $7 != "" { print $6 "=" $7 }' "$jar")
		[ -n "$c" ] || { say "desk.sh: the login on port $1 failed"; exit 1; }
		out="$out $c"
		k=$((k + 1))
	done
	echo "${out# }"
}
serve sqlite "$JDB" "$PORT_SQ"
CSQ=$(sessions "$PORT_SQ")
if [ "$WITH_PG" != 0 ]; then
	serve pg "$PDB" "$PORT_PG"
	CPG=$(sessions "$PORT_PG")
fi
$B/bare_server "$JDB" "$PORT_BARE" "$(nproc)" >"$VAR/bare.log" 2>&1 &
PIDS="$PIDS $!"
wait_up "http://127.0.0.1:$PORT_BARE/persons/1"

PAGES="dashboard=/ persons=/persons ledgers=/ledgers elderly=/ledgers/elderly elderly_stats=/ledgers/elderly/stats stats=/stats reminders=/reminders"
page() {   # page STORE PORT COOKIES NAME PATH
	code=$(curl -s -o "$VAR/$4.html" -w '%{http_code}' -H "Cookie: ${3%% *}" "http://127.0.0.1:$2$5")
	[ "$code" = 200 ] || { say "desk.sh: $5 on $1 answered $code"; exit 1; }
	BENCH_PATH=$5 BENCH_COOKIES=$3 warm "http://127.0.0.1:$2" wrk_pages.lua 2 $SESSIONS
	BENCH_PATH=$5 BENCH_COOKIES=$3 bench_wrk "$1_$4" "http://127.0.0.1:$2" wrk_pages.lua 2 $SESSIONS
}
say "-- wrk -t2 -c$SESSIONS, ${DUR} s a page"
BENCH_N=$N BENCH_PREFIX=/persons/ warm "http://127.0.0.1:$PORT_BARE" wrk_get.lua 2 $SESSIONS
BENCH_N=$N BENCH_PREFIX=/persons/ bench_wrk bare_read "http://127.0.0.1:$PORT_BARE" wrk_get.lua 2 $SESSIONS
for p in $PAGES; do
	page sqlite "$PORT_SQ" "$CSQ" "${p%%=*}" "${p#*=}"
	[ "$WITH_PG" = 0 ] || page pg "$PORT_PG" "$CPG" "${p%%=*}" "${p#*=}"
done
rounds_to_results
cleanup

# ---- 5. the table
{
	echo
	echo "Desk pages at N=$N persons ($(get persons) active, $(get entries) open ledger entries), wrk -t2 -c$SESSIONS over $SESSIONS sessions, ${DUR} s each"
	echo "$(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(date -u '+%Y-%m-%d'), juwei $REV"
	echo
}
awk -v pages="$PAGES" '
	{ v[$1] = $2 }
	function f(k) { return (k in v) ? v[k] : "—" }
	END {
		print "| page | SQLite req/s | SQLite p50 ms | SQLite p99 ms | PostgreSQL req/s | PostgreSQL p50 ms | PostgreSQL p99 ms |"
		print "|---|---|---|---|---|---|---|"
		n = split(pages, p, " ")
		for (i = 1; i <= n; i++) {
			split(p[i], kv, "=")
			k = kv[1]
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", kv[2], f("sqlite_" k "_rps"), f("sqlite_" k "_p50"), f("sqlite_" k "_p99"), f("pg_" k "_rps"), f("pg_" k "_p50"), f("pg_" k "_p99")
		}
		printf "| reference: bare_server GET /persons/{id} (libmicrohttpd + SQLite, same file) | %s | %s | %s | | | |\n", f("bare_read_rps"), f("bare_read_p50"), f("bare_read_p99")
		e = 0
		for (k in v) if (k ~ /_errors$/) e += v[k]
		printf "\nwrk errors (non-2xx and socket errors), all runs: %d.\n", e
	}' "$RES" | tee "$VAR/table.md"
