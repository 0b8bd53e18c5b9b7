#!/bin/sh
# run-unit.sh — runs each cmocka test program given; exits non-zero if any fails.
fail=0
for t in "$@"; do
	"$t" || fail=1
done
exit $fail
