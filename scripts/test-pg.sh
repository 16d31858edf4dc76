#!/usr/bin/env bash
# Runs the store contract suite, the API suite and the two-process test against a throwaway
# PostgreSQL server that this script starts (scripts/pg-tmp.sh) and stops on exit, so CI
# needs nothing running beforehand. Usage: test-pg.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
dir=$(mktemp -d /tmp/bianmin-pg.XXXXXX)
trap 'scripts/pg-tmp.sh stop "$dir"; rm -rf "$dir"' EXIT
# Every bianmin process of this run (demo, serve, the CLI) seals personal data with one key,
# kept with the throwaway server rather than in the working directory; so is the log of the
# text messages the servers send.
export BIANMIN_DATA_KEY_FILE="$dir/data.key"
export BIANMIN_NOTIFY_FILE="$dir/sms.log"
url=$(scripts/pg-tmp.sh start "$dir")
base=${url%/*}
for db in bianmin_store bianmin_api bianmin_cases bianmin_parted bianmin_multi bianmin_disclosure bianmin_participation; do
  psql -q "$url" -c "CREATE DATABASE $db"
done
echo "== store contract on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_store "$build/asan/tests/store/test_store"
echo "== API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_api BIANMIN_BIN="$build/asan/bianmin" "$build/asan/tests/api/test_api"
echo "== cases API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_cases BIANMIN_BIN="$build/asan/bianmin" "$build/asan/tests/api/test_cases"
echo "== cases API on PostgreSQL with the growing tables partitioned by county"
BIANMIN_TEST_PG=$base/bianmin_parted BIANMIN_TEST_PG_SCRIPT=scripts/pg-partition.sql \
  BIANMIN_BIN="$build/asan/bianmin" "$build/asan/tests/api/test_cases"
# The script's work is still there after the suite, the county's partition took the rows,
# and the chain verifies.
parted=$(psql -Atq "$base/bianmin_parted" -c "SELECT count(*) FROM pg_partitioned_table")
events=$(psql -Atq "$base/bianmin_parted" -c "SELECT count(*) FROM case_events_110118")
stray=$(psql -Atq "$base/bianmin_parted" -c "SELECT count(*) FROM case_events_default")
if [ "$parted" -ne 7 ] || [ "$events" -eq 0 ] || [ "$stray" -ne 0 ]; then
  echo "partitioning check failed: $parted partitioned tables, $events events in 110118, $stray stray" >&2
  exit 1
fi
"$build/asan/bianmin" audit verify --db "$base/bianmin_parted"
echo "== two bianmin processes on one PostgreSQL database"
BIANMIN_TEST_PG=$base/bianmin_multi BIANMIN_BIN="$build/asan/bianmin" "$build/asan/tests/api/test_multi"
# disclosure
echo "== disclosure API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_disclosure BIANMIN_BIN="$build/asan/bianmin" \
  "$build/asan/tests/api/test_disclosure"
# demands
psql -q "$url" -c "CREATE DATABASE bianmin_demands"
echo "== demands API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_demands BIANMIN_BIN="$build/asan/bianmin" "$build/asan/tests/api/test_demands"
# ratings (好差评) and rectification of bad ratings
psql -q "$url" -c "CREATE DATABASE bianmin_ratings"
echo "== ratings API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_ratings BIANMIN_BIN="$build/asan/bianmin" "$build/asan/tests/api/test_ratings"
# participation (公众参与)
echo "== participation API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_participation BIANMIN_BIN="$build/asan/bianmin" \
  "$build/asan/tests/api/test_participation"
# evaluation (绩效考核)
psql -q "$url" -c "CREATE DATABASE bianmin_evaluation"
echo "== evaluation API on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_evaluation BIANMIN_BIN="$build/asan/bianmin" \
  "$build/asan/tests/api/test_evaluation"
# access matrix and hostile input (issue 8)
psql -q "$url" -c "CREATE DATABASE bianmin_access"
echo "== access matrix and injection on PostgreSQL"
BIANMIN_TEST_PG=$base/bianmin_access BIANMIN_BIN="$build/asan/bianmin" \
  "$build/asan/tests/api/test_access_matrix"
