#!/bin/sh
# run-tests.sh BUILD UNIT_BIN... — the whole test suite: the C unit tests
# (cmocka), then the black-box tests (pytest) against the real binary.
# Closes with one summary line that CI reads.
build=$1; shift
unit_fail=0; unit_pass=0
for t in "$@"; do
	if "$t"; then unit_pass=$((unit_pass + 1)); else unit_fail=$((unit_fail + 1)); fi
done
echo "unit test programs: $unit_pass passed, $unit_fail failed"
JUWEI_BIN="$(cd "$build" && pwd)/juwei" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/blackbox
py=$?
if [ $unit_fail -ne 0 ] || [ $py -ne 0 ]; then
	exit 1
fi
exit 0
