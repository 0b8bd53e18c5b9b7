# lib.sh — the helpers the benchmark scripts share (sourced by run.sh and
# write.sh): results as `key value` lines in $RES, wrk runs whose rounds
# go to $ROUNDS_FILE and whose medians go to $RES, waiting for a server,
# stopping one, its memory.  Needs VAR, RES, ROUNDS_FILE and DUR set.

# The servers started (PIDS) are stopped when the script ends.
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
	PIDS=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
put() { printf '%s %s\n' "$1" "$2" >>"$RES"; }
# load PHASE: the 1-minute load average at the start of a phase.
load() { put "load_$1" "$(cut -d' ' -f1 /proc/loadavg)"; }
get() { awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$RES"; }
# Copies the RESULT lines of a program's output into the results file.
results() { awk '$1 == "RESULT" { print $2, $3 }' "$1" >>"$RES"; }

# Waits until url answers (any status), at most 20 s.
wait_up() {
	i=0
	while ! curl -s -o /dev/null "$1"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { say "run.sh: $1 did not come up"; exit 1; }
		sleep 0.1
	done
}

# bench_wrk NAME URL SCRIPT [THREADS CONNECTIONS]: the measured wrk run
# (default 2 threads, 64 connections) appended to the rounds file as
# NAME_rps, NAME_p50, NAME_p99 (ms) and NAME_errors (non-2xx responses +
# socket errors, timeouts included).
bench_wrk() {
	name=$1 url=$2 script=$3
	out=$VAR/wrk_$name.txt
	timeout $((DUR + 30)) wrk -t"${4:-2}" -c"${5:-64}" -d"${DUR}s" --timeout 5s --latency -s "$script" "$url" \
		>"$out" 2>&1 || { say "run.sh: wrk $name failed"; cat "$out" >&2; exit 1; }
	cat "$out" >>"$VAR/wrk_all.txt"
	awk -v n="$name" '
		function ms(s) {
			if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
			if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
			if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
			return s + 0
		}
		/^Requests\/sec:/ { printf($2 < 100 ? "%s_rps %.1f\n" : "%s_rps %.0f\n", n, $2) }
		/ requests in / { printf "%s_requests %d\n", n, $1 }
		$1 == "50%" && !p50 { printf "%s_p50 %.3f\n", n, ms($2); p50 = 1 }
		$1 == "99%" && !p99 { printf "%s_p99 %.3f\n", n, ms($2); p99 = 1 }
		/Non-2xx/ { err += $NF }
		/Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
		END { printf "%s_errors %d\n", n, err }
	' "$out" | tee -a "$ROUNDS_FILE" | awk -v n="$name" '
		{ v[$1] = $2 }
		END { printf "  %s: %s req/s, p50 %s ms, p99 %s ms, errors %s\n", n, v[n "_rps"], v[n "_p50"], v[n "_p99"], v[n "_errors"] }' >&2
}

# warm URL SCRIPT [THREADS CONNECTIONS]: 3 s of the same load, not measured.
warm() {
	timeout 30 wrk -t"${3:-2}" -c"${4:-64}" -d3s --timeout 5s -s "$2" "$1" >/dev/null 2>&1 || true
}

# The median of each measure over the rounds (errors: the sum) into $RES.
rounds_to_results() {
	sort -k1,1 -k2,2g "$ROUNDS_FILE" | awk '
		function flush() {
			if (k == "") return
			if (k ~ /_errors$/) { s = 0; for (i = 1; i <= n; i++) s += a[i]; print k, s }
			else print k, (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
		}
		$1 != k { flush(); k = $1; n = 0 }
		{ a[++n] = $2 }
		END { flush() }' >>"$RES"
	: >"$ROUNDS_FILE"
}

# rss PID PREFIX: VmRSS and VmHWM in MB.
rss() {
	awk -v p="$2" '/^VmRSS:/ { printf "%s_rss %.1f\n", p, $2 / 1024 }
		/^VmHWM:/ { printf "%s_hwm %.1f\n", p, $2 / 1024 }' "/proc/$1/status" >>"$RES"
}

# stop PID: SIGTERM, then SIGKILL if it has not gone within 30 s (a
# server still working off a backlog of slow requests).
stop() {
	kill "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

