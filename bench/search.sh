#!/usr/bin/env bash
# Catalog search latency on a 10,000-item catalog (issue: median under 5 ms through the
# HTTP API on the 2-core machine). For SQLite and for PostgreSQL (a throwaway server from
# scripts/pg-tmp.sh, durable settings not needed for reads), one connection per query class,
# BENCH_RUNS runs of BENCH_SECONDS each; prints medians. Loopback only; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
secs=${BENCH_SECONDS:-5}
items=${BENCH_ITEMS:-10000}
bin=build/bianmin
[ -x "$bin" ] || { echo "search.sh: run make first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "search.sh: installing wrk" >&2; apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d /tmp/bianmin-search.XXXXXX)
pid=
pgdir=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true
            if [ -n "$pgdir" ]; then scripts/pg-tmp.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; fi
            rm -rf "$work"; }
trap cleanup EXIT
python3 bench/gen_catalog.py "$items" "$work/catalog.json" >/dev/null

# name | query (URL-encoded): 2, 3 and 4 characters, two terms, a miss, one character
queries=(
  "2 chars 低保|%E4%BD%8E%E4%BF%9D"
  "3 chars 养老保|%E5%85%BB%E8%80%81%E4%BF%9D"
  "4 chars 残疾人证|%E6%AE%8B%E7%96%BE%E4%BA%BA%E8%AF%81"
  "2 terms 养老 补贴|%E5%85%BB%E8%80%81%20%E8%A1%A5%E8%B4%B4"
  "miss 无此事项|%E6%97%A0%E6%AD%A4%E4%BA%8B%E9%A1%B9"
  "1 char 保|%E4%BF%9D"
)

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else {sub(/s$/,"",v); print v*1000}}'; }

bench_backend() { # name url
  local name=$1 url=$2 port
  $bin demo --db "$url" --no-serve --no-catalog >/dev/null 2>&1
  $bin import catalog "$work/catalog.json" --db "$url" --publish >/dev/null
  port=$(( 20000 + RANDOM % 40000 ))
  $bin serve --db "$url" --listen 127.0.0.1:$port --log-level warn 2>"$work/$name.log" &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  for q in "${queries[@]}"; do
    local label=${q%%|*} enc=${q#*|} p50s="" p99s="" rps=""
    for _ in $(seq 1 "$runs"); do
      out=$(wrk -t1 -c1 -d"${secs}s" --latency -s bench/search.lua "http://127.0.0.1:$port" \
            -- "/api/v1/items?q=$enc")
      p50s+="$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)"$'\n'
      p99s+="$(echo "$out" | awk '$1=="99%"{print $2}' | to_ms)"$'\n'
      rps+="$(echo "$out" | awk '/Requests\/sec/{print $2}')"$'\n'
    done
    printf "| %-8s | %-22s | %8.2f | %8.2f | %8.0f |\n" "$name" "$label" \
      "$(printf "%s" "$p50s" | median)" "$(printf "%s" "$p99s" | median)" "$(printf "%s" "$rps" | median)"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

echo "Catalog search, $items published items, 1 connection, median of $runs runs x ${secs}s"
echo
echo "| backend  | query                  | p50 (ms) | p99 (ms) | req/s    |"
echo "|----------|------------------------|----------|----------|----------|"
bench_backend sqlite "$work/bianmin.db"
# The cluster's folder is its own (the server runs as `postgres`, which cannot enter $work).
pgdir=$(mktemp -d /tmp/bianmin-search-pg.XXXXXX)
pgurl=$(scripts/pg-tmp.sh start "$pgdir")
bench_backend postgres "$pgurl"
