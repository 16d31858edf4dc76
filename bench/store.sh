#!/usr/bin/env bash
# Statistics and warnings on an existing store, without generating one: the quick way to
# measure them again on the million-case store that bench/cases.sh made (keep a copy of it
# with `bianmin backup`).
#
#   BENCH_STORE=/tmp/bench/store1m.db bench/store.sh
#
# Serves BENCH_STORE (its data key is BENCH_STORE.key) with the release build on a free
# loopback port, the warning job off; logs in as `supervisor` and `xtgz_clerk`; and runs
# wrk (1 thread) for BENCH_SECONDS (8) at 1 and at 8 connections, BENCH_RUNS (3) times each:
# statistics of last month by township and by item (supervisor) and the warnings list of
# 西田各庄镇 (xtgz_clerk). Prints every run and the server's RSS; take the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
store=${BENCH_STORE:?set BENCH_STORE to a store made by bench/cases.sh}
runs=${BENCH_RUNS:-3}
secs=${BENCH_SECONDS:-8}
bin=build/bianmin
[ -x "$bin" ] || { echo "bench: build the release binary first (make)" >&2; exit 1; }
work=$(mktemp -d /tmp/bianmin-store.XXXXXX)
port=
for _ in $(seq 1 200); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "bench: no free port" >&2; exit 1; }
B=http://127.0.0.1:$port
BIANMIN_DATA_KEY_FILE="$store.key" "$bin" serve --db "$store" --listen "127.0.0.1:$port" \
  --set warn_interval_s=0 >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "$B/healthz" >/dev/null && break; sleep 0.2; done
login() {
  curl -sf -c "$work/cj-$1" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"${BIANMIN_DEMO_PASSWORD:-Bianmin2026}\"}" \
    "$B/api/v1/session" >/dev/null
  awk '$0 ~ /bm_session/ {print $6 "=" $7}' "$work/cj-$1"
}
sup=$(login supervisor)
clerk=$(login xtgz_clerk)
from=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)
to=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)
run() { # name cookie connections url
  for i in $(seq 1 "$runs"); do
    wrk -t1 "-c$3" "-d${secs}s" --latency -H "Cookie: $2" "$4" |
      awk -v n="$1 c=$3 run $i:" '/Requests\/sec/ {r=$2} / 50%/ {p50=$2} / 99%/ {p99=$2}
        /Non-2xx/ {bad=$NF} END {print n, r " req/s, p50 " p50 ", p99 " p99 (bad ? ", non-2xx " bad : "")}'
  done
}
for c in 1 8; do
  run stats_township "$sup" "$c" "$B/api/v1/stats/cases?group_by=township&from=$from&to=$to"
  run stats_item "$sup" "$c" "$B/api/v1/stats/cases?group_by=item&from=$from&to=$to"
  run warnings_town "$clerk" "$c" "$B/api/v1/supervision/warnings"
done
echo "server RSS: $(map_rss_kib "$pid" "$store" 0) KiB, and $(map_rss_kib "$pid" "$store" 1) KiB of the store file mapped (the OS's cache of it)"
