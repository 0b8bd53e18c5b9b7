#!/bin/sh
# gen-surnames.sh — turns data/surnames.tsv into src/model/surnames.inc, the
# table built into the program (model/pinyin.c parses it at start, exactly
# as it parses a file named by JUWEI_SURNAMES).
#   scripts/gen-surnames.sh data/surnames.tsv > src/model/surnames.inc
set -eu
in=${1:-data/surnames.tsv}
printf '/* generated from %s by scripts/gen-surnames.sh — do not edit */\n' "$in"
printf 'static const char surnames_tsv[] =\n'
# every line of the file, comments too, as one C string literal a line
LC_ALL=C awk '{
	gsub(/\r$/, "")
	gsub(/\\/, "\\\\")
	gsub(/"/, "\\\"")
	gsub(/\t/, "\\t")
	printf "\t\"%s\\n\"\n", $0
}' "$in"
printf '\t;\n'
