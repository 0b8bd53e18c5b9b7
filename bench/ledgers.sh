#!/bin/sh
# ledgers.sh — the ledger engine on a big store: derivation and statistics
# of every ledger, next to raw SQLite on the same store (bench/ledgers.c).
#   bench/ledgers.sh [STORE]   default: a copy of bench/var/juwei.db (made by
#                              `make -C bench`, 1,000,000 persons)
set -eu
cd "$(dirname "$0")"
SRC=${1:-var/juwei.db}
[ -f "$SRC" ] || { echo "ledgers.sh: $SRC missing: run make -C bench first (it fills it)"; exit 1; }
COPY=var/ledgers.db
echo "== copying $SRC"
rm -f "$COPY" "$COPY-wal" "$COPY-shm"
sqlite3 "$SRC" "VACUUM INTO '$COPY'"
echo "== bench/build/ledgers $COPY ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), juwei $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
/usr/bin/time -f "RESULT max_rss_kb %M" build/ledgers "$COPY" 2>&1 | tee var/ledgers.txt
rm -f "$COPY" "$COPY-wal" "$COPY-shm"
