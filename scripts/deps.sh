#!/bin/sh
# deps.sh — install the Debian packages Juwei needs to build, run and test.
# Checks each library with pkg-config (or its header) and each tool with
# `command -v`, then installs only what is missing with apt-get.
#   scripts/deps.sh          build + run packages
#   scripts/deps.sh test     also the test tools (cmocka, pytest, requests,
#                            Chromium + CJK fonts, Node.js for the browser journeys,
#                            clang and libFuzzer to build the fuzz targets)
#   scripts/deps.sh bench    also the benchmark tools (wrk, sqlite3 CLI)
set -eu
want=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || want="$want $2"; }
need_h()  { [ -f "$1" ] || want="$want $2"; }
need_cmd(){ command -v "$1" >/dev/null 2>&1 || want="$want $2"; }
need_py() { /usr/bin/python3 -c "import $1" 2>/dev/null || want="$want $2"; }

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
need_pc sqlite3 libsqlite3-dev
need_pc libpq libpq-dev
need_pc libmicrohttpd libmicrohttpd-dev
need_pc jansson libjansson-dev
need_pc libsodium libsodium-dev
need_pc icu-i18n libicu-dev
need_pc xlsxwriter libxlsxwriter-dev
need_pc libzip libzip-dev
need_pc libxml-2.0 libxml2-dev
need_pc freexl libfreexl-dev
need_h /usr/include/csv.h libcsv-dev
case "${1:-}" in
test)
	need_pc cmocka libcmocka-dev
	# the black-box suite runs on PostgreSQL too (a server started in a temporary directory)
	[ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || want="$want postgresql"
	need_py pytest python3-pytest
	need_py requests python3-requests
	need_py openpyxl python3-openpyxl
	need_py xlwt python3-xlwt
	need_cmd chromium chromium
	[ -d /usr/share/fonts/opentype/noto ] || want="$want fonts-noto-cjk"
	need_cmd node nodejs
	need_cmd npm npm
	# make test also builds every fuzz target (clang + libFuzzer)
	need_cmd clang clang
	[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
		want="$want libclang-rt-14-dev"
	;;
bench)
	need_cmd wrk wrk
	need_cmd sqlite3 sqlite3
	need_cmd /usr/bin/time time
	need_cmd unzip unzip
	;;
esac

if [ -z "$want" ]; then
	echo "deps: all packages present"
	exit 0
fi
echo "deps: installing missing Debian packages:$want"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes apt-get install fail; refresh it once.
$SUDO apt-get update -qq || echo "deps: apt-get update failed; trying the install anyway" >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $want
echo "deps: done"
