#!/usr/bin/env bash
# Two binaries on one scenario of bench/cases.sh, taken in turns (A, B, A, B, …) so that the
# drift of a shared machine's speed, often larger than the change being measured, falls on
# both alike. SQLite only.
#
#   bench/ab.sh SCENARIO BIN_A BIN_B
#   BENCH_SQLITE_STORE=/tmp/store1m.db bench/ab.sh create /tmp/bianmin-before build/bianmin
#
# SCENARIO is one of bench/cases.sh's (read, public, search, …, action, create). Each round
# runs bench/cases.sh once per binary with BENCH_RUNS runs (default 2); BENCH_AB_ROUNDS
# rounds (default 3). The store: BENCH_SQLITE_STORE, copied for every run (so a creation
# run does not grow it, and a binary with a newer schema migrates its copy only; migrate a
# copy beforehand when that takes long), or, per binary, BENCH_AB_STORE_A and
# BENCH_AB_STORE_B (a store already migrated for B, say); without any, every run generates
# BENCH_CASES cases first. The reports go to BENCH_AB_OUT (default a new folder under /tmp,
# kept). Prints, per run, requests/s, the server's and wrk's CPU per request (wrk's is a
# gauge of how fast the machine was at that moment) and the server's RSS, then each
# binary's median requests/s. Nothing else may run on the machine meanwhile.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[ $# -eq 3 ] || { echo "usage: bench/ab.sh SCENARIO BIN_A BIN_B" >&2; exit 2; }
scen=$1
bins=("$(realpath "$2")" "$(realpath "$3")")
for b in "${bins[@]}"; do [ -x "$b" ] || { echo "ab.sh: $b is not an executable" >&2; exit 2; }; done
rounds=${BENCH_AB_ROUNDS:-3}
runs=${BENCH_RUNS:-2}
[[ $rounds =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] ||
  { echo "ab.sh: BENCH_AB_ROUNDS and BENCH_RUNS must be positive numbers" >&2; exit 2; }
stores=("${BENCH_AB_STORE_A:-${BENCH_SQLITE_STORE:-}}" "${BENCH_AB_STORE_B:-${BENCH_SQLITE_STORE:-}}")
out=${BENCH_AB_OUT:-$(mktemp -d /tmp/bianmin-ab.XXXXXX)}
mkdir -p "$out"
declare -a rps_a=() rps_b=()

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "ab.sh: $scen, A = ${bins[0]}, B = ${bins[1]}, $rounds rounds of $runs runs; reports in $out"
for r in $(seq "$rounds"); do
  for k in 0 1; do
    name=$([ $k -eq 0 ] && echo A || echo B)
    report=$out/$name-$r.md
    BENCH_BIN=${bins[$k]} BENCH_SCENARIOS=$scen BENCH_BACKENDS=sqlite BENCH_CEILINGS=0 \
      BENCH_SQLITE_STORE=${stores[$k]} BENCH_RUNS=$runs BENCH_OUT=$report \
      "$here/cases.sh" >"$out/$name-$r.log" 2>&1 ||
      { echo "ab.sh: bench/cases.sh failed for $name (log: $out/$name-$r.log)" >&2; exit 1; }
    # The "Every run" table: | backend | scenario | run | requests | req/s | p50 | p99 | … |
    # server CPU µs/req (12th column) | PostgreSQL | wrk CPU µs/req | rest | steal | RSS |
    while IFS='|' read -r _ _ _ run _ rps _ _ _ _ _ _ cpu _ wrk _ _ rss _; do
      printf 'round %d %s run %s: %s req/s, server %s µs/req, wrk %s µs/req, RSS %s MiB\n' \
        "$r" "$name" ${run} ${rps} ${cpu} ${wrk} ${rss}
      if [ $k -eq 0 ]; then rps_a+=(${rps}); else rps_b+=(${rps}); fi
    done < <(grep -E '^\| sqlite \| [^`|]+ \| [0-9]+ \| [0-9]+ \| [0-9.]+ \|' "$report")
  done
done
[ ${#rps_a[@]} -gt 0 ] && [ ${#rps_b[@]} -gt 0 ] || { echo "ab.sh: no runs found in the reports" >&2; exit 1; }
echo "median req/s: A $(median "${rps_a[@]}"), B $(median "${rps_b[@]}")"
