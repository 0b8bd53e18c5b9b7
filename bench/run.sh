#!/bin/sh
# run.sh — the whole Juwei benchmark for N synthetic persons; prints each
# figure next to its reference measured in the same run.
#
#   bench/run.sh [N]          N persons, default 1000000
#
# Steps (each bounded in time; servers are killed on exit):
#   1. two fresh stores made by `juwei init` under bench/var/;
#   2. fill: the persons through Juwei's svc_create      → juwei insert rate
#      bare_insert: the same rows with raw SQLite         → reference
#      and a check that both stores hold identical rows;
#   3. search: in-process svc_list latency (name, initials, ID fragment);
#   4. wrk -t2 -c64 against bare_server (GET /persons/{id})  → reference,
#      and against `juwei serve`: GET /api/v1/persons/{id} with a Bearer
#      token, then GET /api/v1/persons?q=<2-character name fragment>;
#      both servers run side by side and the wrk runs alternate, so load
#      from elsewhere on the machine hits both alike; the median of the
#      rounds is kept; the servers' VmRSS/VmHWM after the runs;
#   5. diagnostic (BENCH_DIAG=0 skips it): the same searches after running
#      SQLite's ANALYZE on the filled store (measured planner statistics in
#      place of the ones Juwei's migrations ship);
#   6. import.sh N: the import/export benchmark (BENCH_IMPORT=0 skips it).
#
# Environment: BENCH_DURATION (wrk seconds, default 10), BENCH_ROUNDS
# (alternating wrk rounds of bare / juwei, median kept, default 3), BENCH_QUERIES
# (in-process queries a kind, default 1000), BENCH_SEARCH_BUDGET (seconds
# a kind may take, default 60), BENCH_DIAG (1), BENCH_PORT (18180),
# BENCH_VAR (where the stores and results go, default bench/var),
# BENCH_IMPORT (1: also run import.sh N at the end), BENCH_HTTP_ONLY (1:
# only step 4, on the filled store of an earlier run of the same N).
set -eu
cd "$(dirname "$0")"

N=${1:-1000000}
DUR=${BENCH_DURATION:-10}
NQ=${BENCH_QUERIES:-1000}
BUDGET=${BENCH_SEARCH_BUDGET:-60}
DIAG=${BENCH_DIAG:-1}
PORT=${BENCH_PORT:-18180}
ROUNDS=${BENCH_ROUNDS:-3}
PORT_BARE=$PORT
PORT_JW=$((PORT + 1))
PW='Bench@2026x'
JUWEI=../build/juwei
B=build
VAR=${BENCH_VAR:-var}
JDB=$VAR/juwei.db
BDB=$VAR/bare.db
RES=$VAR/results.txt
ROUNDS_FILE=$VAR/wrk_rounds.txt
THREADS=$(nproc)

case "$N" in ''|*[!0-9]*) echo "run.sh: N must be a number, not \"$N\"" >&2; exit 2;; esac
for p in "$JUWEI" $B/fill $B/bare_insert $B/search $B/bare_server; do
	[ -x "$p" ] || { echo "run.sh: $p is missing; run make -C bench programs" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "run.sh: wrk is missing; run scripts/deps.sh bench" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "run.sh: sqlite3 is missing; run scripts/deps.sh bench" >&2; exit 2; }
command -v curl >/dev/null || { echo "run.sh: curl is missing" >&2; exit 2; }


HTTP_ONLY=${BENCH_HTTP_ONLY:-0}
mkdir -p "$VAR"
if [ "$HTTP_ONLY" = 1 ]; then
	[ -f "$JDB" ] || { echo "run.sh: BENCH_HTTP_ONLY=1 needs the filled store $JDB of an earlier run" >&2; exit 2; }
	rm -f "$RES" "$VAR"/wrk_*.txt
else
	rm -f "$JDB" "$JDB-wal" "$JDB-shm" "$BDB" "$BDB-wal" "$BDB-shm" "$RES" "$VAR"/wrk_*.txt
fi
: >"$RES"
: >"$ROUNDS_FILE"

. ./lib.sh

REV=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C .. status --porcelain -- src 2>/dev/null)" ] || REV="$REV+local changes in src/"
say "== Juwei benchmark: N=$N persons, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $REV"

if [ "$HTTP_ONLY" != 1 ]; then
# ---- 1. stores
for db in "$JDB" "$BDB"; do
	JUWEI_ADMIN_PASSWORD=$PW timeout 60 "$JUWEI" init --db "$db" --community-code 110105087003 \
		--community-name 测试社区 >/dev/null
done

# ---- 2. inserts
load insert
say "== insert: juwei (svc_create) — a few minutes for 1,000,000"
timeout 3600 $B/fill "$JDB" "$N" >"$VAR/fill.txt"
cat "$VAR/fill.txt" >&2
results "$VAR/fill.txt"
say "== insert: bare SQLite, same rows"
timeout 3600 $B/bare_insert "$BDB" "$N" >"$VAR/bare_insert.txt"
cat "$VAR/bare_insert.txt" >&2
results "$VAR/bare_insert.txt"

say "== checking both stores hold the same rows"
PCOLS="id,community,name,sex,doc_type,id_number,nationality,ethnic,birth_date,phone,hukou_address,current_address,residence_type,political_status,education,marital_status,employment_status,household_id,relation,notes,house_id,building_id,grid_id,status,dereg_reason,dereg_date,dereg_note,name_py,name_ini"
diff=$(timeout 900 sqlite3 "$JDB" "ATTACH '$BDB' AS b;
	SELECT (SELECT count(*) FROM main.person) - $N
	 + (SELECT count(*) FROM b.person) - $N
	 + (SELECT count(*) FROM (SELECT $PCOLS FROM main.person EXCEPT SELECT $PCOLS FROM b.person))
	 + (SELECT count(*) FROM (SELECT * FROM main.person_gram EXCEPT SELECT * FROM b.person_gram))
	 + (SELECT count(*) FROM (SELECT * FROM b.person_gram EXCEPT SELECT * FROM main.person_gram))
	 + (SELECT count(*) FROM (SELECT * FROM main.person_key EXCEPT SELECT * FROM b.person_key))
	 + (SELECT count(*) FROM (SELECT * FROM b.person_key EXCEPT SELECT * FROM main.person_key))
	 + (SELECT count(*) FROM (SELECT rowid, id_number, phone, address FROM main.person_fts
	                          EXCEPT SELECT rowid, id_number, phone, address FROM b.person_fts))
	 + (SELECT count(*) FROM (SELECT id, household_no, house_id, building_id, grid_id, size FROM main.household
	                          EXCEPT SELECT id, household_no, house_id, building_id, grid_id, size FROM b.household));")
if [ "$diff" != 0 ]; then
	say "run.sh: the juwei and bare stores differ ($diff rows); the insert comparison is void"
	exit 1
fi
say "   identical: persons, person_gram, person_key, person_fts, households"
put rows_identical 1
put gram_rows "$(sqlite3 "$JDB" 'SELECT count(*) FROM person_gram')"
put households "$(sqlite3 "$JDB" 'SELECT count(*) FROM household')"
put db_mb "$(du -m "$JDB" | awk '{ print $1 }')"
rm -f "$BDB" "$BDB-wal" "$BDB-shm"

# ---- 3. search in process
load search
say "== search, in process (svc_list, first page of 20 with total)"
BENCH_SEARCH_BUDGET=$BUDGET timeout 1800 $B/search "$JDB" "$NQ" "$VAR" >"$VAR/search.txt"
cat "$VAR/search.txt" >&2
results "$VAR/search.txt"
fi   # BENCH_HTTP_ONLY

# start_juwei: juwei serve in the background; sets JW_PID and TOKEN.
start_juwei() {
	"$JUWEI" serve --db "$JDB" --listen "127.0.0.1:$PORT_JW" >>"$VAR/juwei_serve.log" 2>&1 &
	JW_PID=$!
	PIDS="$PIDS $JW_PID"
	wait_up "http://127.0.0.1:$PORT_JW/login"
	TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"admin\",\"password\":\"$PW\"}" "http://127.0.0.1:$PORT_JW/api/v1/login" |
		sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
	[ -n "$TOKEN" ] || { say "run.sh: login to juwei serve failed"; exit 1; }
	export BENCH_TOKEN=$TOKEN
}

# wait_derived: the filled store's people are in no ledger yet, so serve
# derives them in the background at start (the login above was answered
# while it ran); the measurements start once it is done (its log line,
# also written when nothing needed changing).
wait_derived() {
	t0=$(date +%s.%N)
	i=0
	while ! grep -q '台账已按' "$VAR/juwei_serve.log"; do
		i=$((i + 1))
		[ $i -lt 6000 ] || { say "run.sh: the ledger derivation did not end within 600 s"; exit 1; }
		sleep 0.1
	done
	put juwei_derive_s "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
	say "  ledgers derived in the background in $(get juwei_derive_s) s after the login: $(grep '台账已按' "$VAR/juwei_serve.log" | tail -1)"
}

# ---- 4. HTTP: both servers up side by side; the point reads alternate
# over ROUNDS rounds and the median is kept; the search runs last (a slow
# search leaves a backlog that would spoil whatever ran after it).
say "== HTTP: bare libmicrohttpd + SQLite server and juwei serve, $THREADS threads each"
: >"$VAR/juwei_serve.log"
$B/bare_server "$JDB" "$PORT_BARE" "$THREADS" >"$VAR/bare_server.log" 2>&1 &
BARE_PID=$!
PIDS="$PIDS $BARE_PID"
wait_up "http://127.0.0.1:$PORT_BARE/persons/1"
start_juwei
wait_derived
export BENCH_N=$N BENCH_QUERIES=$VAR/q_name.txt
put bare_get_bytes "$(curl -s "http://127.0.0.1:$PORT_BARE/persons/1" | wc -c)"
put juwei_get_bytes "$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT_JW/api/v1/persons/1" | wc -c)"
BENCH_PREFIX=/persons/ BENCH_TOKEN= warm "http://127.0.0.1:$PORT_BARE" wrk_get.lua
BENCH_PREFIX=/api/v1/persons/ warm "http://127.0.0.1:$PORT_JW" wrk_get.lua
load http
r=1
while [ $r -le "$ROUNDS" ]; do
	say " round $r of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
	BENCH_PREFIX=/persons/ BENCH_TOKEN= bench_wrk bare_get "http://127.0.0.1:$PORT_BARE" wrk_get.lua
	BENCH_PREFIX=/api/v1/persons/ bench_wrk juwei_get "http://127.0.0.1:$PORT_JW" wrk_get.lua
	r=$((r + 1))
done
say " search over HTTP"
bench_wrk juwei_search "http://127.0.0.1:$PORT_JW" wrk_search.lua
rounds_to_results
rss "$BARE_PID" bare
rss "$JW_PID" juwei
say "  medians: bare $(get bare_get_rps) req/s p99 $(get bare_get_p99) ms; juwei $(get juwei_get_rps) req/s p99 $(get juwei_get_p99) ms; search $(get juwei_search_rps) req/s p99 $(get juwei_search_p99) ms"
say "  juwei serve: VmRSS $(get juwei_rss) MB, VmHWM $(get juwei_hwm) MB; bare server VmRSS $(get bare_rss) MB"
stop "$BARE_PID"
stop "$JW_PID"

# ---- 5. diagnostic: the same store after ANALYZE
if [ "$DIAG" = 1 ]; then
	say "== diagnostic: ANALYZE the store (measured statistics), then search again"
	timeout 900 sqlite3 "$JDB" 'ANALYZE;'
	BENCH_SEARCH_BUDGET=$BUDGET timeout 1800 $B/search "$JDB" "$NQ" >"$VAR/search_analyzed.txt"
	cat "$VAR/search_analyzed.txt" >&2
	awk '$1 == "RESULT" { print "an_" $2, $3 }' "$VAR/search_analyzed.txt" >>"$RES"
	start_juwei
	warm "http://127.0.0.1:$PORT_JW" wrk_search.lua
	bench_wrk an_juwei_search "http://127.0.0.1:$PORT_JW" wrk_search.lua
	rounds_to_results
	rss "$JW_PID" an_juwei
	say "  search $(get an_juwei_search_rps) req/s p99 $(get an_juwei_search_p99) ms; VmRSS $(get an_juwei_rss) MB"
	stop "$JW_PID"
fi
cleanup

# ---- the table
{
	echo
	echo "Juwei benchmark — N=$N persons ($(get households) households, $(get gram_rows) name grams, store $(get db_mb) MB)"
	echo "$(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(date -u '+%Y-%m-%d'), juwei $REV"
	echo
}
awk -v dur="$DUR" '
	{ v[$1] = $2 }
	function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "—" : sprintf("%.2f", a / b) }
	function yes(c) { return c ? "yes" : "**NO**" }
	function row(m, j, ref, ratio, t, met) { printf "| %s | %s | %s | %s | %s | %s |\n", m, j, ref, ratio, t, met }
	function srow(k, label) {
		row("search " label ", in process, " v["search_" k "_n"] " queries: median / p99 (ms)",
		    sprintf("%.2f / %.2f", v["search_" k "_p50_ms"], v["search_" k "_p99_ms"]),
		    "—", "—", "p99 < 5 ms", yes(v["search_" k "_p99_ms"] < 5))
	}
	END {
		print "| measure | juwei | reference | ratio | target | met? |"
		print "|---|---|---|---|---|---|"
		ir = r(v["juwei_insert_rate"], v["bare_insert_rate"])
		row("insert rate (persons/s)", v["juwei_insert_rate"], v["bare_insert_rate"] " (bare SQLite)", ir,
		    "≥ 0.50 × bare", yes(ir != "—" && ir >= 0.5))
		srow("name", "2-char name fragment")
		srow("ini", "pinyin initials")
		srow("id", "ID fragment (4–6)")
		gr = r(v["juwei_get_rps"], v["bare_get_rps"])
		row("GET person by id, wrk -c64 (req/s)", v["juwei_get_rps"], v["bare_get_rps"] " (bare server)", gr,
		    "≥ 0.50 × bare", yes(gr != "—" && gr >= 0.5))
		row("GET person by id: p99 (ms)", v["juwei_get_p99"], v["bare_get_p99"] " (bare server)",
		    r(v["juwei_get_p99"], v["bare_get_p99"]), "< 5 ms", yes(v["juwei_get_p99"] < 5))
		row("GET persons?q=name fragment, wrk -c64 (req/s)",
		    v["juwei_search_rps"] (v["juwei_search_errors"] > 0 ? " (" v["juwei_search_requests"] " answered in " dur " s, " v["juwei_search_errors"] " timeouts/errors)" : ""),
		    "—", "—", "—", "—")
		row("GET persons?q=name fragment: p99 (ms)", v["juwei_search_p99"], "—", "—", "—", "—")
		row("RSS of the server after the runs: VmRSS (MB)", v["juwei_rss"], v["bare_rss"] " (bare server)",
		    r(v["juwei_rss"], v["bare_rss"]), "< 32 MB", yes(v["juwei_rss"] < 32))
		printf "\nPeak RSS (VmHWM, counts the Argon2id working memory used at start-up and by each login): juwei %s MB, bare server %s MB.\nResponse sizes: juwei %s bytes, bare %s bytes.\n",
		       v["juwei_hwm"], v["bare_hwm"], v["juwei_get_bytes"], v["bare_get_bytes"]
		printf "Ledgers derived by serve in the background at start: %s s after the login, which was answered while it ran.\n", v["juwei_derive_s"]
		printf "Mean matches a query (in process): name %s, initials %s, ID %s.\n",
		       v["search_name_matches"], v["search_ini_matches"], v["search_id_matches"]
		printf "Load average (1 min) at the start of each phase: insert %s, search %s, HTTP %s.\n",
		       v["load_insert"], v["load_search"], v["load_http"]
		e = v["bare_get_errors"] + v["juwei_get_errors"] + v["juwei_search_errors"]
		if (e > 0)
			printf "wrk errors (non-2xx or socket): bare GET %d, juwei GET %d, juwei search %d.\n",
			       v["bare_get_errors"], v["juwei_get_errors"], v["juwei_search_errors"]
		if ("an_search_name_p99_ms" in v) {
			print "\nDiagnostic, after `ANALYZE` on the filled store (measured planner statistics instead of the ones Juwei ships):\n"
			print "| measure | median (ms) | p99 (ms) | mean matches |"
			print "|---|---|---|---|"
			split("name ini id", ks, " ")
			split("2-char name fragment|pinyin initials|ID fragment (4–6)", ls, "|")
			for (i = 1; i <= 3; i++)
				printf "| search %s, in process | %.2f | %.2f | %s |\n", ls[i],
				       v["an_search_" ks[i] "_p50_ms"], v["an_search_" ks[i] "_p99_ms"], v["an_search_" ks[i] "_matches"]
			printf "| GET persons?q=name fragment, wrk -c64: %s req/s | %.2f | %.2f | |\n",
			       v["an_juwei_search_rps"], v["an_juwei_search_p50"], v["an_juwei_search_p99"]
			printf "\nVmRSS after the diagnostic runs: %s MB (VmHWM %s MB).\n", v["an_juwei_rss"], v["an_juwei_hwm"]
		}
	}' "$RES" | tee "$VAR/table.md"

# ---- 6. import and export (its own stores under $VAR/import)
if [ "${BENCH_IMPORT:-1}" = 1 ] && [ "$HTTP_ONLY" != 1 ]; then
	say "== import and export: ./import.sh $N"
	BENCH_VAR=$VAR ./import.sh "$N"
fi
