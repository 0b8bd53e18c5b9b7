#!/bin/sh
# area.sh — a street office's and a district's figures over many
# communities (issue 10): GET /api/v1/area (every community's dashboard
# figures, and each ledger's open entries, per community and in sum) and
# the same page, on a store of C communities of P synthetic persons each.
#
#   bench/area.sh [C [P]]     default 30 communities × 10000 persons
#
# Steps:
#   1. a SQLite store (kept in $VAR between runs of the same C and P):
#      `juwei init`, then for each community `juwei community add` and
#      `juwei demo --persons P` (its ledgers derived); the communities lie
#      in streets of 20 (codes 110105SSS001…), so 30 make two streets and
#      300 make fifteen, one district 110105;
#   2. users scoped to the first street (110105001) and to the district;
#   3. `juwei serve`; each request BENCH_REPEAT times (default 7) one after
#      another: the district's and the street's GET /api/v1/area, the
#      district's /area page, and one community's GET /api/v1/stats; the
#      median and the slowest of each;
#   4. the reference of the same run: the sqlite3 shell's own time for one
#      of the counts behind it (active persons of the district grouped by
#      community and residence type), on the same file.
#
# Targets (issue 10): 30 × 10,000 under 1 s; 300 × 10,000 under 3 s.
# Environment: BENCH_PORT (18295), BENCH_REPEAT (7), BENCH_VAR (bench/var/area).
set -eu
cd "$(dirname "$0")"

C=${1:-30}
P=${2:-10000}
PORT=${BENCH_PORT:-18295}
REPEAT=${BENCH_REPEAT:-7}
VAR=${BENCH_VAR:-var/area}
PW='Bench@2026x'
JUWEI=../build/juwei
JDB=$VAR/area-$C-$P.db

for v in "$C" "$P"; do
	case "$v" in ''|*[!0-9]*) echo "area.sh: C and P must be numbers, not \"$v\"" >&2; exit 2;; esac
done
[ "$C" -ge 1 ] && [ "$C" -le 3000 ] || { echo "area.sh: C must be 1…3000" >&2; exit 2; }
[ -x "$JUWEI" ] || { echo "area.sh: $JUWEI is missing; run make" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "area.sh: the sqlite3 shell is missing (apt-get install sqlite3)" >&2; exit 2; }
mkdir -p "$VAR"
RES=$VAR/results.txt
ROUNDS_FILE=$VAR/rounds.txt
DUR=0
. ./lib.sh
: >"$RES"

REV=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C .. status --porcelain -- src 2>/dev/null)" ] || REV="$REV+local changes in src/"
say "== a street office and a district: $C communities × $P persons, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $REV"

# community i (0-based): street 110105SSS with SSS = i/20 + 1, number i%20 + 1
code_of() { printf '110105%03d%03d' $(($1 / 20 + 1)) $(($1 % 20 + 1)); }

if [ ! -s "$JDB" ] || [ "$(sqlite3 "$JDB" "SELECT value FROM meta WHERE key = 'bench_area'" 2>/dev/null)" != "$C/$P" ]; then
	rm -f "$JDB" "$JDB-wal" "$JDB-shm"
	say "-- building the store (once for these C and P)"
	t0=$(date +%s)
	JUWEI_ADMIN_PASSWORD=$PW $JUWEI init --db "$JDB" --community-code "$(code_of 0)" \
		--community-name "第1社区居民委员会" >/dev/null
	$JUWEI demo --db "$JDB" --persons "$P" --seed 1 >/dev/null
	i=1
	while [ $i -lt "$C" ]; do
		code=$(code_of $i)
		$JUWEI community add "$code" "第$((i + 1))社区居民委员会" --db "$JDB" >/dev/null
		$JUWEI demo --db "$JDB" --community "$code" --persons "$P" --seed $((i + 1)) >/dev/null
		i=$((i + 1))
		[ $((i % 50)) -ne 0 ] || say "   $i communities"
	done
	$JUWEI community add 110105001 "第一街道办事处" --db "$JDB" >/dev/null
	$JUWEI community add 110105 "示范区" --db "$JDB" >/dev/null
	JUWEI_PASSWORD=$PW $JUWEI user add jiedao --role director --scope 110105001 --db "$JDB" >/dev/null
	JUWEI_PASSWORD=$PW $JUWEI user add quji --role director --scope 110105 --db "$JDB" >/dev/null
	sqlite3 "$JDB" "INSERT INTO meta (key, value) VALUES ('bench_area', '$C/$P'); ANALYZE;"
	say "   built in $(($(date +%s) - t0)) s"
fi
persons=$(sqlite3 "$JDB" "SELECT count(*) FROM person WHERE status = 'active'")
entries=$(sqlite3 "$JDB" "SELECT count(*) FROM ledger_entry WHERE end_date IS NULL")
put persons "$persons"
put open_entries "$entries"

$JUWEI serve --db "$JDB" --listen "127.0.0.1:$PORT" --backup-dir "$VAR/backups" >"$VAR/serve.log" 2>&1 &
PIDS="$PIDS $!"
wait_up "http://127.0.0.1:$PORT/login"
# the day's derivation runs at start: wait for it, so that it does not share the cores
i=0
until grep -q "台账已按" "$VAR/serve.log" && [ "$(grep -c "台账已按" "$VAR/serve.log")" -ge "$C" ]; do
	i=$((i + 1)); [ $i -lt 3000 ] || break; sleep 0.2
done

token() {
	curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$PW\"}" | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/'
}
DT=$(token quji)
ST=$(token jiedao)
AT=$(token admin)
[ ${#DT} -eq 64 ] && [ ${#ST} -eq 64 ] && [ ${#AT} -eq 64 ] || { say "area.sh: login failed"; exit 1; }
# a web session for the page
CSRF_COOKIE=$VAR/cookies.txt
rm -f "$CSRF_COOKIE"
csrf=$(curl -s -c "$CSRF_COOKIE" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b "$CSRF_COOKIE" -c "$CSRF_COOKIE" -o /dev/null -X POST "http://127.0.0.1:$PORT/login" \
	--data-urlencode "_csrf=$csrf" --data-urlencode "username=quji" --data-urlencode "password=$PW"

# timed NAME URL [curl options]: REPEAT requests, median and slowest (ms)
timed() {
	name=$1 url=$2
	shift 2
	code=$(curl -s -o "$VAR/$name.out" -w '%{http_code}' "$@" "$url")
	[ "$code" = 200 ] || { say "area.sh: $url answered $code: $(head -c 300 "$VAR/$name.out")"; exit 1; }
	n=0
	: >"$VAR/$name.times"
	while [ $n -lt "$REPEAT" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url" >>"$VAR/$name.times"
		n=$((n + 1))
	done
	sort -g "$VAR/$name.times" | awk -v n="$name" '
		{ t[NR] = $1 * 1000 }
		END { printf "%s_median %.1f\n%s_max %.1f\n", n, t[int((NR + 1) / 2)], n, t[NR] }' >>"$RES"
}
timed district_api "http://127.0.0.1:$PORT/api/v1/area" -H "Authorization: Bearer $DT"
timed street_api "http://127.0.0.1:$PORT/api/v1/area" -H "Authorization: Bearer $ST"
timed district_page "http://127.0.0.1:$PORT/area" -b "$CSRF_COOKIE"
timed community_stats "http://127.0.0.1:$PORT/api/v1/stats" -H "Authorization: Bearer $AT"
grep -q "\"code\":\"$(code_of $((C - 1)))\"" "$VAR/district_api.out" ||
	{ say "area.sh: the district's figures lack its last community"; exit 1; }

# the reference: one grouped count of the same rows in the sqlite3 shell
ref=$(for k in 1 2 3; do
	printf '.timer on\n%s\n' "SELECT community, residence_type, count(*) FROM person WHERE community BETWEEN '110105000000' AND '110105999999' AND status = 'active' GROUP BY 1, 2;" |
		sqlite3 "$JDB" | awk '/^Run Time/ { print $4 * 1000 }'
done | sort -g | awk '{ t[NR] = $1 } END { printf "%.1f", t[2] }')
put sqlite3_one_count_ms "$ref"
cleanup

g() { get "$1"; }
say ""
say "| measure ($C communities × $P persons; $persons active persons, $entries open ledger entries) | median ms | slowest ms |"
say "|---|---|---|"
say "| district GET /api/v1/area ($C communities) | $(g district_api_median) | $(g district_api_max) |"
say "| street GET /api/v1/area ($([ "$C" -lt 20 ] && echo "$C" || echo 20) communities) | $(g street_api_median) | $(g street_api_max) |"
say "| district /area page | $(g district_page_median) | $(g district_page_max) |"
say "| one community's GET /api/v1/stats (reference) | $(g community_stats_median) | $(g community_stats_max) |"
say "| sqlite3 shell: one of its counts, the district's persons by community and type (reference) | $(g sqlite3_one_count_ms) | |"
