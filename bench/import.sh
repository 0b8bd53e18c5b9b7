#!/bin/sh
# import.sh — the import/export benchmark: `juwei import persons` of a CSV
# of N synthetic persons next to a bare C ceiling and the sqlite3 CLI,
# measured in the same run; then `juwei export persons` of the imported
# store to .xlsx.  Everything also runs at N/10, so that the memory of
# both sizes can be compared (it should not grow with N).
#
#   bench/import.sh [N]        default 1000000
#   make -C bench import N=100000
#   bench/import.sh --table    prints the table of the last run again
#
# For each size (N/10, then N):
#   1. gencsv: persons_SIZE.csv in the import format (UTF-8 BOM, CRLF,
#      Chinese headers and labels, 房屋编号 B0001-2-302, 户编号);
#   2. bare_import into a fresh `juwei init` store    → the ceiling
#      sqlite3 CLI `.import --csv --skip 1` into an 18-column table with
#      only the unique ID-number index                → the CLI reference
#      `juwei import persons FILE --db … --json` into a fresh store
#      each timed with /usr/bin/time (wall clock, max RSS); rows/s = rows
#      of the file / wall seconds of the whole process;
#   3. a check that Juwei's and the bare store hold the same persons,
#      households, houses, buildings, name grams and search rows
#      (BENCH_CHECK=0 skips it; it takes a minute or two at 1,000,000);
#   4. `juwei export persons --db … --out persons_SIZE.xlsx`, timed with
#      max RSS; the workbook's rows counted (openpyxl read-only for up to
#      100,000 rows, else the <row> elements of sheet1.xml, streamed).
# Prints the table and writes var/import/results.txt and table.md.
#
# Environment: BENCH_JUWEI (the program under test, default ../build/juwei,
# relative to bench/; it is copied to BENCH_VAR/import/juwei first, so that
# a rebuild during the run changes nothing), BENCH_VAR (default bench/var;
# this uses BENCH_VAR/import), BENCH_IMPORT_ROUNDS (1: each size's three
# imports run this many times, in turn, and the medians are kept, so that
# the machine's other load falls on all three alike), BENCH_CHECK (1),
# BENCH_KEEP (0: the bare and CLI stores and the CSVs are deleted after
# use; 1 keeps them).
set -eu
cd "$(dirname "$0")"

TABLE_ONLY=0
[ "${1:-}" != --table ] || { TABLE_ONLY=1; shift; }
N=${1:-1000000}
case "$N" in ''|*[!0-9]*) echo "import.sh: N must be a number, not \"$N\"" >&2; exit 2;; esac
case "${BENCH_IMPORT_ROUNDS:-1}" in ''|0|*[!0-9]*) echo "import.sh: BENCH_IMPORT_ROUNDS must be a positive number" >&2; exit 2;; esac
[ "$N" -ge 10 ] || { echo "import.sh: N must be at least 10" >&2; exit 2; }
SMALL=$((N / 10))
PW='Bench@2026x'
B=build
VAR=${BENCH_VAR:-var}
D=$VAR/import
JUWEI=$D/juwei
RES=$D/results.txt
CHECK=${BENCH_CHECK:-1}
ROUNDS=${BENCH_IMPORT_ROUNDS:-1}
KEEP=${BENCH_KEEP:-0}
TIME=/usr/bin/time

say() { printf '%s\n' "$*" >&2; }
put() { printf '%s %s\n' "$1" "$2" >>"$RES"; }
get() { awk -v k="$1" '$1 == k { $1 = ""; v = substr($0, 2) } END { print (v == "" ? "-" : v) }' "$RES"; }
load() { put "load_$1" "$(cut -d' ' -f1 /proc/loadavg)"; }
rmdb() { rm -f "$1" "$1-wal" "$1-shm"; }
newstore() {
	rmdb "$1"
	JUWEI_ADMIN_PASSWORD=$PW timeout 60 "$JUWEI" init --db "$1" --community-code 110105087003 \
		--community-name 测试社区 >/dev/null
}

# timed KEY TIMEOUT CMD…: runs CMD under /usr/bin/time; KEY_s (wall
# seconds) and KEY_rss (max RSS, MB) go to the results.  CMD's stdout goes
# to $D/KEY.out, its stderr to $D/KEY.err.  Returns CMD's status.
timed() {
	key=$1 limit=$2
	shift 2
	st=0
	timeout "$limit" $TIME -f '%e %M' -o "$D/$key.time" "$@" >"$D/$key.out" 2>"$D/$key.err" || st=$?
	# /usr/bin/time writes "Command exited with non-zero status N" first
	# when the command fails: the figures are on the last line.
	tail -n 1 "$D/$key.time" | awk -v k="$key" '{ printf "%s_s %s\n%s_rss %.1f\n", k, $1, k, $2 / 1024 }' >>"$RES"
	return $st
}

# fig KEY ROWS: the last run's figures, for the log.
fig() {
	awk -v n="$2" -v s="$(get "$1_s")" -v m="$(get "$1_rss")" \
		'BEGIN { printf "%.0f rows/s, %s s, max RSS %s MB", (s > 0 ? n / s : 0), s, m }'
}

# median KEY: appends the median of every KEY value so far (get then
# returns it; each round's value stays in the file above it).
median() {
	awk -v k="$1" '$1 == k { a[++n] = $2 }
		END { if (n) { asort_n(a, n); print k, (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) } }
		function asort_n(x, m,   i, j, t) {
			for (i = 2; i <= m; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] + 0 > t + 0; j--) x[j + 1] = x[j]; x[j + 1] = t }
		}' "$RES" >"$RES.tmp"
	cat "$RES.tmp" >>"$RES"
	rm -f "$RES.tmp"
}

# rate KEY ROWS: KEY_rate = ROWS / KEY_s.
rate() {
	put "$1_rate" "$(awk -v n="$2" -v s="$(get "$1_s")" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')"
}

# table: the table of the results file (also `import.sh --table`).
table() {
	{
		echo
		echo "Juwei import/export — N=$(get n_rows) and N/10=$(get s_rows) persons ($(get n_csv_households) households, $(get n_csv_buildings) buildings, CSV $(get n_csv_mb) MB, store $(get n_db_mb) MB)"
		echo "$(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(get date), juwei $(get rev)"
		echo
	}
	awk -v small="$(get s_rows)" -v n="$(get n_rows)" -v rounds="$(get rounds)" '
		{ v[$1] = $2; if ($1 ~ /^load_/) L[$1] = (L[$1] == "" ? $2 : L[$1] ", " $2) }
		function r(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "—" : sprintf("%.2f", a / b) }
		function yes(c) { return c ? "yes" : "**NO**" }
		function num(x,   s, out) {   # 1234567 → 1,234,567
			if (x == "") return "-"
			s = sprintf("%d", x); out = ""
			while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
			return s out
		}
		function row(m, a, b, t, met) { printf "| %s | %s | %s | %s | %s |\n", m, a, b, t, met }
		function imp(p, label) {
			row(label " (rows/s; s; max RSS)",
			    num(v["s_" p "_rate"]) "; " v["s_" p "_s"] " s; " v["s_" p "_rss"] " MB",
			    num(v["n_" p "_rate"]) "; " v["n_" p "_s"] " s; " v["n_" p "_rss"] " MB", "—", "—")
		}
		END {
			printf "| measure | N/10 = %s | N = %s | target | met? |\n", num(small), num(n)
			print "|---|---|---|---|---|"
			imp("bare", "import: bare C + SQLite (ceiling)")
			imp("cli", "import: sqlite3 CLI `.import`, ID index only")
			imp("juwei", "import: `juwei import persons`")
			rs = r(v["s_juwei_rate"], v["s_bare_rate"]); rn = r(v["n_juwei_rate"], v["n_bare_rate"])
			row("juwei / ceiling", rs, rn, "≥ 0.50", yes(rs != "—" && rs >= 0.5) " / " yes(rn != "—" && rn >= 0.5))
			row("juwei / sqlite3 CLI", r(v["s_juwei_rate"], v["s_cli_rate"]), r(v["n_juwei_rate"], v["n_cli_rate"]), "—", "—")
			row("juwei import max RSS (MB)", v["s_juwei_rss"], v["n_juwei_rss"], "flat: at N < 1.5 × at N/10",
			    small >= 100000 ? yes(v["n_juwei_rss"] < 1.5 * v["s_juwei_rss"]) : "— (N/10 < 100,000 fills less than the 128 MiB page cache)")
			row("rows rejected by juwei", v["s_juwei_rejected"], v["n_juwei_rejected"], "0", yes(v["s_juwei_rejected"] + v["n_juwei_rejected"] == 0))
			if ("n_identical" in v)
				row("juwei and bare stores hold the same rows", v["s_identical"], v["n_identical"], "yes", yes(v["s_identical"] == "yes" && v["n_identical"] == "yes"))
			row("export to .xlsx: s (rows/s)", v["s_export_s"] " (" num(v["s_export_rate"]) ")",
			    v["n_export_s"] " (" num(v["n_export_rate"]) ")", (n >= 1000000 ? "< 30 s at 1,000,000" : "—"),
			    (n >= 1000000 ? yes(v["n_export_s"] < 30 * n / 1000000) : "—"))
			row("export max RSS (MB)", v["s_export_rss"], v["n_export_rss"], "flat: at N < 1.5 × at N/10",
			    yes(v["n_export_rss"] < 1.5 * v["s_export_rss"]))
			row("workbook: rows (header + persons); MB", num(v["s_xlsx_rows"]) "; " v["s_xlsx_mb"],
			    num(v["n_xlsx_rows"]) "; " v["n_xlsx_mb"], "N + 1",
			    yes(v["s_xlsx_rows"] == small + 1 && v["n_xlsx_rows"] == n + 1))
			printf "\nCeiling phases at N (bare_import, last round, seconds): SQL %s, pinyin and grams %s, reading and the rest %s; WAL checkpoint at close %s.\n",
			       v["n_bare_sql_s"], v["n_bare_pinyin_s"], v["n_bare_inner_s"] - v["n_bare_sql_s"] - v["n_bare_pinyin_s"], v["n_bare_close_s"]
			printf "Created by juwei at N: %s households, %s houses, %s buildings.\n",
			       num(v["n_juwei_households_created"]), num(v["n_juwei_houses_created"]), num(v["n_juwei_buildings_created"])
			if (rounds > 1)
				printf "Imports: the median of %d rounds (bare, CLI, juwei in turn); each round is in results.txt.\n", rounds
			printf "Load average (1 min) at the start of each import round: %s (N/10), %s (N); of the export: %s, %s.\n",
			       L["load_s_import"], L["load_n_import"], L["load_s_export"], L["load_n_export"]
		}' "$RES"
	}

if [ "$TABLE_ONLY" = 1 ]; then
	[ -s "$RES" ] || { echo "import.sh: no results in $RES" >&2; exit 2; }
	table
	exit 0
fi

for p in "${BENCH_JUWEI:-../build/juwei}" $B/gencsv $B/bare_import; do
	[ -x "$p" ] || { echo "import.sh: $p is missing; run make -C bench programs" >&2; exit 2; }
done
mkdir -p "$D"
cp "${BENCH_JUWEI:-../build/juwei}" "$JUWEI"
"$JUWEI" import --help >/dev/null 2>&1 ||
	{ echo "import.sh: $JUWEI has no import command (build a newer juwei)" >&2; exit 2; }
[ -x $TIME ] || { echo "import.sh: $TIME is missing; run scripts/deps.sh bench" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "import.sh: sqlite3 is missing; run scripts/deps.sh bench" >&2; exit 2; }
command -v unzip >/dev/null || { echo "import.sh: unzip is missing; run scripts/deps.sh bench" >&2; exit 2; }

rm -f "$D"/*.db "$D"/*.db-wal "$D"/*.db-shm "$D"/*.xlsx "$D"/*.csv "$RES"
: >"$RES"

REV=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C .. status --porcelain -- src 2>/dev/null)" ] || REV="$REV+local changes in src/"
say "== Juwei import/export benchmark: N=$N and N/10=$SMALL persons, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $REV"
put rev "$REV"
put date "$(date -u '+%Y-%m-%d')"
put rounds "$ROUNDS"

COLS=$(seq 1 18 | sed 's/^/c/' | paste -sd, -)
# The CSV's columns (gencsv.c): the ID number is the 6th.
IDCOL=c6

# What both stores must agree on: persons by their fields (the places by
# what names them, so that the ids of buildings, houses and households may
# differ), households, houses and buildings likewise, grams and search rows
# by person id (both import the file's rows in order).
PSEL="SELECT p.id, p.community, p.name, p.sex, p.doc_type, p.id_number, p.nationality, p.ethnic,
	p.birth_date, p.phone, p.hukou_address, p.current_address, p.residence_type, p.political_status,
	p.education, p.marital_status, p.employment_status, h.household_no, p.relation, p.notes,
	b.name, ho.unit, ho.room, g.name, p.status, p.name_py, p.name_ini, p.id_rev, p.phone_rev
	FROM %s.person p LEFT JOIN %s.household h ON h.id = p.household_id
	LEFT JOIN %s.house ho ON ho.id = p.house_id LEFT JOIN %s.building b ON b.id = p.building_id
	LEFT JOIN %s.grid g ON g.id = p.grid_id"
HSEL="SELECT h.household_no, h.type, h.size, b.name, ho.unit, ho.room, g.name FROM %s.household h
	LEFT JOIN %s.house ho ON ho.id = h.house_id LEFT JOIN %s.building b ON b.id = h.building_id
	LEFT JOIN %s.grid g ON g.id = h.grid_id"
HOSEL="SELECT b.name, ho.unit, ho.floor, ho.room, ho.address, g.name FROM %s.house ho
	LEFT JOIN %s.building b ON b.id = ho.building_id LEFT JOIN %s.grid g ON g.id = ho.grid_id"
BSEL="SELECT b.name, b.address, b.floors, b.units, g.name FROM %s.building b LEFT JOIN %s.grid g ON g.id = b.grid_id"
q() { printf '%s' "$1" | sed "s/%s/$2/g"; }
# differ JDB BDB: prints "table:count" for each kind of row that differs.
differ() {
	for t in P H HO B; do
		eval sel=\$${t}SEL
		n=$(timeout 1800 sqlite3 "$1" "ATTACH '$2' AS b;
			SELECT (SELECT count(*) FROM ($(q "$sel" main) EXCEPT $(q "$sel" b)))
			     + (SELECT count(*) FROM ($(q "$sel" b) EXCEPT $(q "$sel" main)));")
		[ "$n" = 0 ] || printf '%s:%s ' "$t" "$n"
	done
	n=$(timeout 1800 sqlite3 "$1" "ATTACH '$2' AS b;
		SELECT (SELECT count(*) FROM (SELECT * FROM main.person_gram EXCEPT SELECT * FROM b.person_gram))
		     + (SELECT count(*) FROM (SELECT * FROM b.person_gram EXCEPT SELECT * FROM main.person_gram));")
	[ "$n" = 0 ] || printf 'gram:%s ' "$n"
	n=$(timeout 1800 sqlite3 "$1" "ATTACH '$2' AS b;
		SELECT (SELECT count(*) FROM (SELECT * FROM main.person_key EXCEPT SELECT * FROM b.person_key))
		     + (SELECT count(*) FROM (SELECT * FROM b.person_key EXCEPT SELECT * FROM main.person_key));")
	[ "$n" = 0 ] || printf 'key:%s ' "$n"
	n=$(timeout 1800 sqlite3 "$1" "ATTACH '$2' AS b;
		SELECT (SELECT count(*) FROM (SELECT rowid, id_number, phone, address FROM main.person_fts
		                              EXCEPT SELECT rowid, id_number, phone, address FROM b.person_fts))
		     + (SELECT count(*) FROM (SELECT rowid, id_number, phone, address FROM b.person_fts
		                              EXCEPT SELECT rowid, id_number, phone, address FROM main.person_fts));")
	[ "$n" = 0 ] || printf 'fts:%s ' "$n"
}

# xlsx_rows FILE ROWS: the rows of the workbook's first sheet.
xlsx_rows() {
	if [ "$2" -le 100000 ] && /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
		/usr/bin/python3 -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)))' "$1"
	else
		# the sheet is one line of XML (1.3 GB at 1,000,000 rows): split
		# it at each tag so that grep counts lines, not one giant match list
		unzip -p "$1" xl/worksheets/sheet1.xml | tr '<' '\n' | grep -c '^row[ >]' || true
	fi
}

for size in $SMALL $N; do
	[ "$size" = "$N" ] && k=n || k=s
	CSV=$D/persons_$size.csv
	JDB=$D/juwei_$size.db
	BDB=$D/bare_$size.db
	CDB=$D/cli_$size.db
	say "== $size persons: generating $CSV"
	timeout 1800 $B/gencsv "$size" "$CSV" | awk -v k="$k" '$1 == "RESULT" { print k "_" $2, $3 }' >>"$RES"
	put "${k}_rows" "$size"

	r=1
	while [ $r -le "$ROUNDS" ]; do
		load "${k}_import"
		[ "$ROUNDS" = 1 ] || say "-- $size, round $r of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
		say "== $size: bare_import (the ceiling)"
		newstore "$BDB"
		timed "${k}_bare" 3600 $B/bare_import "$BDB" "$CSV" ||
			{ say "import.sh: bare_import failed"; cat "$D/${k}_bare.err" >&2; exit 1; }
		head -n 1 "$D/${k}_bare.out" >&2
		awk -v k="$k" '$1 == "RESULT" { print k "_bare_" $2, $3 }' "$D/${k}_bare.out" >>"$RES"
		say "   $(fig "${k}_bare" "$size")"

		say "== $size: sqlite3 CLI .import --csv (unique index on the ID number only)"
		rmdb "$CDB"
		sqlite3 "$CDB" "CREATE TABLE p($COLS); CREATE UNIQUE INDEX p_id ON p($IDCOL);"
		timed "${k}_cli" 3600 sqlite3 "$CDB" ".import --csv --skip 1 $CSV p" ||
			{ say "import.sh: sqlite3 .import failed"; cat "$D/${k}_cli.err" >&2; exit 1; }
		got=$(sqlite3 "$CDB" 'SELECT count(*) FROM p')
		[ "$got" = "$size" ] || { say "import.sh: sqlite3 .import stored $got rows, not $size"; exit 1; }
		say "   $(fig "${k}_cli" "$size")"

		say "== $size: juwei import persons"
		newstore "$JDB"
		st=0
		timed "${k}_juwei" 7200 "$JUWEI" import persons "$CSV" --db "$JDB" --json || st=$?
		J=$D/${k}_juwei.out
		imported=$(grep -o '"imported":[0-9]*' "$J" | head -n 1 | cut -d: -f2)
		rejected=$(grep -o '"rejected":[0-9]*' "$J" | head -n 1 | cut -d: -f2)
		if [ "$st" != 0 ] || [ "${imported:-0}" != "$size" ]; then
			say "import.sh: juwei import exited $st and imported ${imported:-?} of $size rows (rejected ${rejected:-?})"
			head -c 2000 "$J" >&2
			head -c 2000 "$D/${k}_juwei.err" >&2
			[ "$st" = 3 ] || exit 1
		fi
		say "   $(fig "${k}_juwei" "$size")"
		r=$((r + 1))
	done
	for w in bare cli juwei; do
		median "${k}_${w}_s"
		median "${k}_${w}_rss"
		rate "${k}_$w" "$size"
	done
	[ "$ROUNDS" = 1 ] || say "   medians of $ROUNDS rounds: ceiling $(get "${k}_bare_rate") rows/s," \
		"sqlite3 CLI $(get "${k}_cli_rate") rows/s, juwei $(get "${k}_juwei_rate") rows/s"
	put "${k}_juwei_imported" "${imported:-0}"
	put "${k}_juwei_rejected" "${rejected:-0}"
	for f in households_created houses_created buildings_created; do
		put "${k}_juwei_$f" "$(grep -o "\"$f\":[0-9]*" "$J" | head -n 1 | cut -d: -f2)"
	done
	say "   juwei created $(get "${k}_juwei_households_created") households, $(get "${k}_juwei_houses_created") houses," \
	    "$(get "${k}_juwei_buildings_created") buildings"
	put "${k}_db_mb" "$(du -m "$JDB" | awk '{ print $1 }')"

	if [ "$CHECK" = 1 ]; then
		say "== $size: do the juwei and bare stores hold the same rows?"
		d=$(differ "$JDB" "$BDB")
		if [ -z "$d" ]; then
			say "   identical: persons, households, houses, buildings, name grams, search rows"
			put "${k}_identical" yes
		else
			say "   THEY DIFFER (kind:rows): $d— the ceiling did not do the same work"
			put "${k}_identical" "no:$(echo "$d" | tr ' ' ',')"
		fi
	fi
	[ "$KEEP" = 1 ] || { rmdb "$BDB"; rmdb "$CDB"; rm -f "$CSV"; }

	load "${k}_export"
	say "== $size: juwei export persons → xlsx"
	X=$D/persons_$size.xlsx
	timed "${k}_export" 3600 "$JUWEI" export persons --db "$JDB" --out "$X" ||
		{ say "import.sh: juwei export failed"; cat "$D/${k}_export.err" >&2; exit 1; }
	rate "${k}_export" "$size"
	put "${k}_xlsx_mb" "$(du -m "$X" | awk '{ print $1 }')"
	put "${k}_xlsx_rows" "$(xlsx_rows "$X" "$size")"
	say "   $(get "${k}_export_s") s, max RSS $(get "${k}_export_rss") MB, $(get "${k}_xlsx_mb") MB, $(get "${k}_xlsx_rows") rows (want $((size + 1)))"
	[ "$KEEP" = 1 ] || rmdb "$JDB"
done

# ---- the table
table | tee "$D/table.md"
