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

JUWEI_BIN="$bin" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/blackbox
py=$?
if [ $unit_fail -ne 0 ] || [ $browser -ne 0 ] || [ $py -ne 0 ]; then
	echo "make test: FAILED (unit programs failed: $unit_fail, browser: $browser, pytest exit: $py)"
	exit 1
fi
exit 0
