#!/bin/sh
# run-tests.sh BUILD UNIT_BIN... — the whole test suite: the C unit tests
# (cmocka), the browser journeys (headless Chromium) and the black-box tests
# (pytest) against the real binary.  Ends with pytest's summary line and a
# total line; exits non-zero if anything failed.
build=$1; shift
bin="$(cd "$build" && pwd)/juwei"
unit_fail=0; unit_pass=0
for t in "$@"; do
	if "$t"; then unit_pass=$((unit_pass + 1)); else unit_fail=$((unit_fail + 1)); fi
done
echo "unit test programs: $unit_pass passed, $unit_fail failed"

browser=0
if sh tests/browser/setup.sh; then
	(cd tests/browser && JUWEI_BIN="$bin" node --test) || browser=1
else
	echo "browser journeys: set-up failed"
	browser=1
fi

# First under AddressSanitizer + UndefinedBehaviorSanitizer (a memory error
# aborts the server, so the tests that meet it fail), then the normal build.
asan=0
if [ -n "${ASAN_BIN:-}" ] && [ -x "$ASAN_BIN" ]; then
	echo "black-box tests against the sanitizer build:"
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		JUWEI_BIN="$(cd "$(dirname "$ASAN_BIN")" && pwd)/$(basename "$ASAN_BIN")" \
		/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/blackbox || asan=1
fi

JUWEI_BIN="$bin" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/blackbox
py=$?

# Then the same suite on PostgreSQL: a server of our own on 127.0.0.1, in
# a temporary directory, stopped and removed afterwards (scripts/pg.sh).
pg=0
pgdir=$(mktemp -d /tmp/juwei-pg.XXXXXX)
if pgurl=$(scripts/pg.sh start "$pgdir"); then
	echo "black-box tests on PostgreSQL ($pgurl):"
	JUWEI_TEST_PG="${pgurl%/*}" JUWEI_BIN="$bin" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/blackbox || pg=1
	scripts/pg.sh stop "$pgdir"
else
	echo "black-box tests on PostgreSQL: the server did not start"
	pg=1
fi
rm -rf "$pgdir"
if [ $unit_fail -ne 0 ] || [ $browser -ne 0 ] || [ $asan -ne 0 ] || [ $py -ne 0 ] || [ $pg -ne 0 ]; then
	echo "make test: FAILED (unit programs failed: $unit_fail, browser: $browser, sanitizer run: $asan, pytest exit: $py, PostgreSQL run: $pg)"
	exit 1
fi
exit 0
