#!/usr/bin/env bash
# Run the test suite on SQLite and on PostgreSQL at the same time (two processes, two
# throw-away Redis servers, one throw-away PostgreSQL), then print both reports in full.
# Fails when either run fails. The runs share nothing but the machine: each has its own
# database, upload folder and rate-limit store.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
LOGS=$(mktemp -d /tmp/krsd-tests.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT

echo "== pytest on SQLite (embedded) and on PostgreSQL (throw-away server on 127.0.0.1), side by side"
KRSD_TEST_DATABASE_URL= scripts/with-redis.sh "$BIN/pytest" -q -p no:cacheprovider "$@" \
  >"$LOGS/sqlite.log" 2>&1 &
SQLITE=$!
scripts/with-redis.sh scripts/with-postgres.sh "$BIN/pytest" -q -p no:cacheprovider "$@" \
  >"$LOGS/postgres.log" 2>&1 &
POSTGRES=$!

wait "$SQLITE"; SQLITE_RC=$?
echo "== pytest on SQLite (exit $SQLITE_RC)"
cat "$LOGS/sqlite.log"
wait "$POSTGRES"; POSTGRES_RC=$?
echo "== pytest on PostgreSQL (exit $POSTGRES_RC)"
cat "$LOGS/postgres.log"

[[ $SQLITE_RC -eq 0 && $POSTGRES_RC -eq 0 ]]
