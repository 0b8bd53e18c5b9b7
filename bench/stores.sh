#!/bin/sh
# stores.sh — the same store on SQLite and on PostgreSQL, measured in the
# same run (issue 10): the foundation's HTTP figures of `juwei serve` on
# each back end side by side, and the move of the file into PostgreSQL.
#
#   bench/stores.sh [N]       a store of N synthetic persons, default 15000
#
# Steps:
#   1. a fresh SQLite store made by `juwei init`, filled with N persons (fill);
#   2. a throw-away PostgreSQL server (scripts/pg.sh: 127.0.0.1, a temporary
#      directory, fsync off as in the tests) and `juwei migrate` of the file
#      into it, timed: rows a second;
#   3. `juwei serve` on each store ($(nproc) threads); for BENCH_ROUNDS
#      rounds, alternating SQLite / PostgreSQL: wrk -t2 -c64 GET
#      /api/v1/persons/{id} (the point read), GET /api/v1/persons?q=<two
#      characters of a name> (a search page), and POST /api/v1/persons
#      (a create: validation, search keys, audit, ledger derivation); the
#      medians kept;
#   4. the table: each PostgreSQL figure next to SQLite's.
#
# Environment: BENCH_DURATION (wrk seconds, default 10), BENCH_ROUNDS (3),
# BENCH_PORT (18290; uses it and the next), BENCH_VAR (bench/var/stores).
set -eu
cd "$(dirname "$0")"

N=${1:-15000}
DUR=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=${BENCH_PORT:-18290}
PORT_SQ=$PORT
PORT_PG=$((PORT + 1))
PW='Bench@2026x'
JUWEI=../build/juwei
B=build
VAR=${BENCH_VAR:-var/stores}
JDB=$VAR/juwei.db
RES=$VAR/results.txt
ROUNDS_FILE=$VAR/wrk_rounds.txt
THREADS=$(nproc)

case "$N" in ''|*[!0-9]*) echo "stores.sh: N must be a number, not \"$N\"" >&2; exit 2;; esac
for p in "$JUWEI" $B/fill; do
	[ -x "$p" ] || { echo "stores.sh: $p is missing; run make -C bench programs" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "stores.sh: wrk is missing; run scripts/deps.sh bench" >&2; exit 2; }
command -v psql >/dev/null || { echo "stores.sh: psql is missing; run scripts/deps.sh test" >&2; exit 2; }

mkdir -p "$VAR"
rm -f "$JDB" "$JDB-wal" "$JDB-shm" "$RES" "$VAR"/wrk_*.txt
: >"$RES"
: >"$ROUNDS_FILE"
. ./lib.sh
PGDIR=$(mktemp -d /tmp/juwei-bench-pg.XXXXXX)
chmod 755 "$PGDIR"
stop_pg() { ../scripts/pg.sh stop "$PGDIR/srv" 2>/dev/null || true; rm -rf "$PGDIR"; }
trap 'cleanup; stop_pg' EXIT

REV=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C .. status --porcelain -- src 2>/dev/null)" ] || REV="$REV+local changes in src/"
say "== Juwei on SQLite and PostgreSQL: N=$N persons, $THREADS cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $REV"

# ---- 1. the SQLite store
JUWEI_ADMIN_PASSWORD=$PW timeout 60 "$JUWEI" init --db "$JDB" --community-code 110105087003 \
	--community-name 测试社区 >/dev/null
timeout 600 $B/fill "$JDB" "$N" >"$VAR/fill.txt"

# ---- 2. PostgreSQL, and the move
PGURL=$(../scripts/pg.sh start "$PGDIR/srv")
psql "$PGURL" -qXc "CREATE DATABASE juwei" >/dev/null
PDB=${PGURL%/*}/juwei
rows=$(sqlite3 "$JDB" "SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM person_gram) +
	(SELECT count(*) FROM person_key) + (SELECT count(*) FROM household) + (SELECT count(*) FROM house) +
	(SELECT count(*) FROM ledger_entry) + (SELECT count(*) FROM audit)" 2>/dev/null || echo 0)
t0=$(date +%s.%N)
timeout 1200 "$JUWEI" migrate --from "$JDB" --to "$PDB" >"$VAR/migrate.txt"
t1=$(date +%s.%N)
put migrate_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
put migrate_rows "$rows"

# ---- 3. both servers
"$JUWEI" serve --db "$JDB" --listen "127.0.0.1:$PORT_SQ" >"$VAR/serve_sqlite.log" 2>&1 &
SQ_PID=$!
PIDS="$PIDS $SQ_PID"
"$JUWEI" serve --db "$PDB" --listen "127.0.0.1:$PORT_PG" >"$VAR/serve_pg.log" 2>&1 &
PG_PID=$!
PIDS="$PIDS $PG_PID"
wait_up "http://127.0.0.1:$PORT_SQ/login"
wait_up "http://127.0.0.1:$PORT_PG/login"
token() {
	curl -s -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" \
		"http://127.0.0.1:$1/api/v1/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
TSQ=$(token "$PORT_SQ")
TPG=$(token "$PORT_PG")
[ -n "$TSQ" ] && [ -n "$TPG" ] || { say "stores.sh: login failed"; exit 1; }
for log in "$VAR/serve_sqlite.log" "$VAR/serve_pg.log"; do   # the start-up derivation
	i=0
	while ! grep -q '台账已按' "$log"; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { say "stores.sh: the ledger derivation did not end within 300 s ($log)"; exit 1; }
		sleep 0.1
	done
done
# a name fragment that finds people: two characters of the first person's name
Q=$(sqlite3 "$JDB" "SELECT substr(name, 1, 2) FROM person ORDER BY id LIMIT 1")
QENC=$(printf '%s' "$Q" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')
export BENCH_N=$N
run_no=0
one() {   # one STORE PORT TOKEN
	BENCH_PREFIX=/api/v1/persons/ BENCH_TOKEN=$3 bench_wrk "$1_read" "http://127.0.0.1:$2" wrk_get.lua
	BENCH_N=1 BENCH_PREFIX="/api/v1/persons?q=$QENC&page=" BENCH_TOKEN=$3 bench_wrk "$1_search" "http://127.0.0.1:$2" wrk_get.lua
	run_no=$((run_no + 1))
	BENCH_RUN=$((run_no * 2 + $4)) BENCH_POST=person BENCH_PATH=/api/v1/persons BENCH_TOKEN=$3 \
		bench_wrk "$1_create" "http://127.0.0.1:$2" wrk_post.lua
}
BENCH_PREFIX=/api/v1/persons/ BENCH_TOKEN=$TSQ warm "http://127.0.0.1:$PORT_SQ" wrk_get.lua
BENCH_PREFIX=/api/v1/persons/ BENCH_TOKEN=$TPG warm "http://127.0.0.1:$PORT_PG" wrk_get.lua
r=1
while [ $r -le "$ROUNDS" ]; do
	say " round $r of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
	one sqlite "$PORT_SQ" "$TSQ" 0
	one pg "$PORT_PG" "$TPG" 1
	r=$((r + 1))
done
rounds_to_results
rss "$SQ_PID" sqlite
rss "$PG_PID" pg
stop "$SQ_PID"
stop "$PG_PID"
cleanup

# ---- 4. the table
{
	echo
	echo "Juwei on SQLite and on PostgreSQL — the same store of N=$N persons, $THREADS server threads each"
	echo "$(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(date -u '+%Y-%m-%d'), juwei $REV, $(psql --version | head -1)"
	echo
}
awk '
	{ v[$1] = $2 }
	function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "—" : sprintf("%.2f", a / b) }
	function row(m, k) {
		printf "| %s (req/s) | %s | %s | %s |\n", m, v["pg_" k "_rps"], v["sqlite_" k "_rps"], r(v["pg_" k "_rps"], v["sqlite_" k "_rps"])
		printf "| the same: p99 (ms) | %s | %s | %s |\n", v["pg_" k "_p99"], v["sqlite_" k "_p99"], r(v["pg_" k "_p99"], v["sqlite_" k "_p99"])
	}
	END {
		print "| measure, wrk -t2 -c64, median of the rounds | PostgreSQL | SQLite | PostgreSQL ÷ SQLite |"
		print "|---|---|---|---|"
		row("GET /api/v1/persons/{id}", "read")
		row("GET /api/v1/persons?q=<2 characters>", "search")
		row("POST /api/v1/persons", "create")
		printf "| juwei serve VmRSS after the runs (MB) | %s | %s | — |\n", v["pg_rss"], v["sqlite_rss"]
		e = v["pg_read_errors"] + v["sqlite_read_errors"] + v["pg_search_errors"] + v["sqlite_search_errors"] + v["pg_create_errors"] + v["sqlite_create_errors"]
		printf "\n`juwei migrate` of the file into PostgreSQL: %s rows (persons, grams, keys, households, houses, ledger entries, audit) in %.1f s = %.0f rows/s, every table counted and checksummed.  wrk errors, all runs: %d.\n",
		       v["migrate_rows"], v["migrate_s"], v["migrate_rows"] / v["migrate_s"], e
	}' "$RES" | tee "$VAR/table.md"
