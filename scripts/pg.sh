#!/bin/sh
# pg.sh — a throw-away PostgreSQL server for the tests, on 127.0.0.1 only.
#   scripts/pg.sh start DIR [PORT]   initdb in DIR (C locale, UTF-8, trust
#                                    for local connections), start it, and
#                                    print its connection URI
#   scripts/pg.sh replica PRIMARY_URL DIR
#                                    a streaming replica of that server
#                                    (pg_basebackup -R) in DIR, started;
#                                    prints its connection URI
#   scripts/pg.sh stop DIR           stop it (the caller removes DIR)
#   scripts/pg.sh resume DIR         start a stopped one again, as it was
# PostgreSQL will not run as root: as root the server runs as the
# `postgres` user that Debian's package makes.
set -eu
cmd=${1:?start or stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL server not installed (scripts/deps.sh test installs it)" >&2; exit 1; }
as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
	port=${3:-$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	as "$bin/initdb" -D "$dir/data" -U juwei --auth=trust --locale=C -E UTF8 -N >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	echo "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=200 -c shared_buffers=64MB" >"$dir/options"
	as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "postgres://juwei@127.0.0.1:$port/postgres"
	;;
replica)
	# here $2 is the primary's URI and $3 the directory
	primary=$2
	dir=${3:?directory}
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	as "$bin/pg_basebackup" -d "${primary%/*}/postgres" -D "$dir/data" -R -X stream -c fast -N >"$dir/basebackup.log" 2>&1 ||
		{ cat "$dir/basebackup.log" >&2; exit 1; }
	echo "-h 127.0.0.1 -p $port -k $dir -F -c max_connections=200 -c shared_buffers=64MB -c hot_standby=on" >"$dir/options"
	as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "${primary%:*}:$port/${primary##*/}"
	;;
resume)
	as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	;;
stop)
	as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
*)
	echo "pg.sh: start or stop" >&2
	exit 2
	;;
esac
