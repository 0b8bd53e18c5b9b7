#!/bin/sh
# write.sh — write throughput over HTTP, next to a bare libmicrohttpd +
# SQLite server doing the same single-row INSERT in its own transaction,
# measured in the same run; and reads while writes go on.
#
#   bench/write.sh [N]        a store of N synthetic persons, default 15000
#
# Steps (each bounded in time; servers are killed on exit):
#   1. a fresh store made by `juwei init` and filled with N persons (fill);
#   2. both servers side by side on it, $(nproc) threads each; for
#      BENCH_ROUNDS rounds, alternating: wrk -t2 -c64 POST creates of
#      persons (bare_server POST /persons; juwei POST /api/v1/persons with
#      name, a valid ID number and residence type: validation, search keys,
#      audit) and of work-log lines (bare POST /entries; juwei POST
#      /api/v1/ledgers/worklog/entries); the medians kept;
#   3. one connection creating persons (juwei, wrk -t1 -c1);
#   4. reads alone and reads under writes: wrk -t1 -c32 GET
#      /api/v1/persons/{id} on its own, then the same at the same time as
#      wrk -t1 -c16 POST /api/v1/persons;
#   5. the table: each figure next to its reference and the target.
#
# Environment: BENCH_DURATION (wrk seconds, default 10), BENCH_ROUNDS (3),
# BENCH_PORT (18190; uses it and the next), BENCH_VAR (bench/var/write).
set -eu
cd "$(dirname "$0")"

N=${1:-15000}
DUR=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=${BENCH_PORT:-18190}
PORT_BARE=$PORT
PORT_JW=$((PORT + 1))
PW='Bench@2026x'
JUWEI=../build/juwei
B=build
VAR=${BENCH_VAR:-var/write}
JDB=$VAR/juwei.db
RES=$VAR/results.txt
ROUNDS_FILE=$VAR/wrk_rounds.txt
THREADS=$(nproc)

case "$N" in ''|*[!0-9]*) echo "write.sh: N must be a number, not \"$N\"" >&2; exit 2;; esac
for p in "$JUWEI" $B/fill $B/bare_server; do
	[ -x "$p" ] || { echo "write.sh: $p is missing; run make -C bench programs" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "write.sh: wrk is missing; run scripts/deps.sh bench" >&2; exit 2; }
command -v curl >/dev/null || { echo "write.sh: curl is missing" >&2; exit 2; }


mkdir -p "$VAR"
rm -f "$JDB" "$JDB-wal" "$JDB-shm" "$RES" "$VAR"/wrk_*.txt
: >"$RES"
: >"$ROUNDS_FILE"
. ./lib.sh

REV=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C .. status --porcelain -- src 2>/dev/null)" ] || REV="$REV+local changes in src/"
say "== Juwei write benchmark: N=$N persons, $THREADS cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $REV"

# ---- 1. the store
JUWEI_ADMIN_PASSWORD=$PW timeout 60 "$JUWEI" init --db "$JDB" --community-code 110105087003 \
	--community-name 测试社区 >/dev/null
timeout 600 $B/fill "$JDB" "$N" >"$VAR/fill.txt"
# the work log is written by the committee's workers (not by admin)
JUWEI_PASSWORD=$PW timeout 60 "$JUWEI" user add bench_worker --role worker --db "$JDB" >/dev/null

# ---- 2. both servers
: >"$VAR/juwei_serve.log"
$B/bare_server "$JDB" "$PORT_BARE" "$THREADS" >"$VAR/bare_server.log" 2>&1 &
BARE_PID=$!
PIDS="$PIDS $BARE_PID"
"$JUWEI" serve --db "$JDB" --listen "127.0.0.1:$PORT_JW" >>"$VAR/juwei_serve.log" 2>&1 &
JW_PID=$!
PIDS="$PIDS $JW_PID"
wait_up "http://127.0.0.1:$PORT_BARE/persons/1"
wait_up "http://127.0.0.1:$PORT_JW/login"
login() {
	curl -s -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$PW\"}" "http://127.0.0.1:$PORT_JW/api/v1/login" |
		sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
TOKEN=$(login admin)
WTOKEN=$(login bench_worker)
[ -n "$TOKEN" ] && [ -n "$WTOKEN" ] || { say "write.sh: login to juwei serve failed"; exit 1; }
i=0
while ! grep -q '台账已按' "$VAR/juwei_serve.log"; do   # the start-up derivation
	i=$((i + 1))
	[ $i -lt 3000 ] || { say "write.sh: the ledger derivation did not end within 300 s"; exit 1; }
	sleep 0.1
done
# the bare server's writes need no session: they share the store with juwei's
BARE="http://127.0.0.1:$PORT_BARE"
JW="http://127.0.0.1:$PORT_JW"
export BENCH_N=$N
put load_start "$(cut -d' ' -f1 /proc/loadavg)"

run_no=0
post() {   # post NAME URL person|entry PATH TOKEN [THREADS CONNECTIONS]
	run_no=$((run_no + 1))
	BENCH_RUN=$run_no BENCH_POST=$3 BENCH_PATH=$4 BENCH_TOKEN=$5 bench_wrk "$1" "$2" wrk_post.lua "${6:-2}" "${7:-64}"
}
BENCH_RUN=19 BENCH_POST=person BENCH_PATH=/api/v1/persons BENCH_TOKEN=$TOKEN warm "$JW" wrk_post.lua
r=1
while [ $r -le "$ROUNDS" ]; do
	say " round $r of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
	post bare_person "$BARE" person /persons ""
	post juwei_person "$JW" person /api/v1/persons "$TOKEN"
	post bare_entry "$BARE" entry /entries ""
	post juwei_entry "$JW" entry /api/v1/ledgers/worklog/entries "$WTOKEN"
	r=$((r + 1))
done

# ---- 3. one connection
post juwei_person_c1 "$JW" person /api/v1/persons "$TOKEN" 1 1

# ---- 4. reads alone, then reads while 16 connections write
NOW=$(curl -s -H "Authorization: Bearer $TOKEN" "$JW/api/v1/persons?limit=1" |
	sed -n 's/.*"total":\([0-9]*\).*/\1/p')
export BENCH_N=${NOW:-$N}
BENCH_PREFIX=/api/v1/persons/ BENCH_TOKEN=$TOKEN bench_wrk read_alone "$JW" wrk_get.lua 1 32
run_no=$((run_no + 1))
BENCH_RUN=$run_no BENCH_POST=person BENCH_PATH=/api/v1/persons BENCH_TOKEN=$TOKEN \
	bench_wrk mixed_write "$JW" wrk_post.lua 1 16 &
WPID=$!
BENCH_PREFIX=/api/v1/persons/ BENCH_TOKEN=$TOKEN bench_wrk mixed_read "$JW" wrk_get.lua 1 32
wait "$WPID"
rounds_to_results
put persons_after "$(curl -s -H "Authorization: Bearer $TOKEN" "$JW/api/v1/persons?limit=1" |
	sed -n 's/.*"total":\([0-9]*\).*/\1/p')"
rss "$JW_PID" juwei
stop "$BARE_PID"
stop "$JW_PID"
cleanup

# ---- 5. the table
{
	echo
	echo "Juwei write benchmark — a store of N=$N persons, $THREADS server threads each"
	echo "$(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(date -u '+%Y-%m-%d'), juwei $REV"
	echo
}
awk '
	{ v[$1] = $2 }
	function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "—" : sprintf("%.2f", a / b) }
	function yes(c) { return c ? "yes" : "**NO**" }
	function row(m, j, ref, ratio, t, met) { printf "| %s | %s | %s | %s | %s | %s |\n", m, j, ref, ratio, t, met }
	function pair(k, label) {
		q = r(v["juwei_" k "_rps"], v["bare_" k "_rps"])
		row(label " creates, wrk -c64 (req/s)", v["juwei_" k "_rps"], v["bare_" k "_rps"] " (bare server)", q,
		    "≥ 0.33 × bare", yes(q != "—" && q >= 0.33))
		row(label " creates: p99 (ms)", v["juwei_" k "_p99"], v["bare_" k "_p99"] " (bare server)",
		    r(v["juwei_" k "_p99"], v["bare_" k "_p99"]), "< 20 ms", yes(v["juwei_" k "_p99"] < 20))
	}
	END {
		print "| measure | juwei | reference | ratio | target | met? |"
		print "|---|---|---|---|---|---|"
		pair("person", "person")
		pair("entry", "work-log line")
		row("person creates, one connection: req/s, p99 (ms)", v["juwei_person_c1_rps"] ", " v["juwei_person_c1_p99"], "—", "—", "—", "—")
		q = r(v["mixed_read_rps"], v["read_alone_rps"])
		row("GET person by id, wrk -c32, while -c16 create persons (req/s)", v["mixed_read_rps"],
		    v["read_alone_rps"] " (the same reads alone)", q, "≥ 0.50 × alone", yes(q != "—" && q >= 0.5))
		row("the same reads: p99 (ms)", v["mixed_read_p99"], v["read_alone_p99"] " (alone)",
		    r(v["mixed_read_p99"], v["read_alone_p99"]), "—", "—")
		row("the writes meanwhile (req/s, p99 ms)", v["mixed_write_rps"] ", " v["mixed_write_p99"], "—", "—", "—", "—")
		e = v["bare_person_errors"] + v["juwei_person_errors"] + v["bare_entry_errors"] + v["juwei_entry_errors"] + v["mixed_write_errors"] + v["mixed_read_errors"] + v["juwei_person_c1_errors"]
		printf "\nwrk errors (non-2xx or socket), all runs: %d.  Persons in the store at the end: %s.  juwei serve VmRSS %s MB (VmHWM %s MB).  Load average (1 min) at the start: %s.\n",
		       e, v["persons_after"], v["juwei_rss"], v["juwei_hwm"], v["load_start"]
	}' "$RES" | tee "$VAR/table.md"
