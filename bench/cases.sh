#!/usr/bin/env bash
# Bianmin case-handling (办件) benchmark: opening and reading cases through the HTTP API with
# a million historical cases in the store.
#
#   make && bench/cases.sh                       # about 16 minutes with the defaults on 2 cores
#   BENCH_CASES=100000 bench/cases.sh            # a quick run, about 9 minutes
#   BENCH_BACKENDS=sqlite BENCH_RUNS=5 bench/cases.sh
#
# For each backend it generates a store of historical cases with `bianmin demo --no-serve
# --cases N` (the demo county, its catalog and N cases over the past months, written straight
# to the store) and reports how long that took; takes a random sample of BENCH_SAMPLE case
# numbers with their query codes from the store (sqlite3 or psql); starts a copy of the
# release binary (build/bianmin, which it never builds) on a free loopback port; logs in with
# curl as the window clerk `xtgz_clerk` (西田各庄镇便民服务中心), the county-wide `supervisor`
# and `admin` (for the audit checks); and runs each scenario BENCH_RUNS times for
# BENCH_SECONDS with wrk (BENCH_THREADS threads, BENCH_CONNS keep-alive connections), after a
# BENCH_WARMUP-second warm-up that is not counted. Scenarios (BENCH_SCENARIOS), in this order:
#   read            GET /api/v1/cases/{case_no}, a random case of the sample per request, as
#                   supervisor (bench/get_case.lua)
#   public          GET /api/v1/public/cases/{case_no}?code=QUERY_CODE, the same way, no log-in
#   queue_window    GET /api/v1/cases?queue=window&status=accepted as xtgz_clerk
#   queue_deadline  GET /api/v1/cases?status=open&sort=deadline as supervisor
#   warnings_town   GET /api/v1/supervision/warnings as xtgz_clerk: the cases in warning of
#                   西田各庄镇 (its first page of 50)
#   warnings_county GET /api/v1/supervision/warnings as supervisor: the whole county's
#   stats_month     GET /api/v1/stats/cases?group_by=township for last month as supervisor:
#                   the county's monthly statistics (from the summary table)
#   stats_items     the same month by item (the most groups)
#   search          GET /api/v1/items?q=养老, no log-in: catalog search of the demo catalog
#                   (bench/search.sh measures a 10,000-item catalog)
#   action          POST /api/v1/cases/{case_no}/actions, "assign" with If-Match, as the
#                   handler whose unit has the most cases in processing: each request
#                   re-assigns one of them (bench/post_action.lua; the versions are read from
#                   the store before each run)
#   read_busy       `read` while BENCH_BUSY_CONNS connections (default 4, one wrk thread) run
#                   `create` beside it: reads against a store that changes under them (every
#                   commit makes each reader start afresh); reports the creations' rate too
#   create          POST /api/v1/cases with "accept": true as xtgz_clerk: a window case opened
#                   and accepted in one transaction, every material provided, a different
#                   valid resident ID number per request (bench/post_case.lua); last, as it
#                   grows the store
# It reports per scenario the median requests/s, median p50 and p99 latency, the errors of
# all runs together (socket errors, and answers outside 2xx counted by wrk and by the
# server's /metrics), the CPU the server and PostgreSQL spent per request, the server's RSS
# after the last run (without the store file's pages that its read connections map, which
# are the OS's cache of the file: bench/lib.sh map_rss_kib), and the issue's targets (3,000 accepted cases/s and 20,000 case
# reads/s with 1,000,000 cases in the store); per run also wrk's CPU, the CPU the rest of
# the machine used and the hypervisor's steal; per backend a check that every case created
# is in the store with its audit entries, the audit chain verified, warnings from the logs
# and, on PostgreSQL, its sequential-scan counts. The Markdown report goes to stdout and to
# bench/results/cases.md; progress goes to stderr.
#
# Ceilings, measured in the same run after the sqlite backend (BENCH_CEILINGS=0 skips them):
#   nginx           Debian's nginx serving the case read's answer (saved from the pre-flight
#                   request) as a static file, driven by wrk exactly like `read`
#   sqlite-raw      the sqlite3 shell committing single-row inserts of a case-sized row, one
#                   transaction each, in WAL mode with synchronous=FULL (every commit on disk
#                   before the next: the durability `create` promises), BENCH_RAW_ROWS rows
#                   per run (20,000)
# A "Targets" table then gives each of the issue's targets (case reads ≥ 20,000/s and ≥ 0.5
# of nginx; durable creations ≥ 3,000/s and ≥ 0.5 of sqlite-raw; p99 of every read scenario
# under 10 ms; server RSS under 64 MiB) with the figure, the ratio and met or missed.
#
# Backends (BENCH_BACKENDS, in this order by default):
#   sqlite            a SQLite file in a temporary folder, BENCH_CASES cases
#   postgres          scripts/pg-tmp.sh with PG_DURABLE=1, then set by ALTER SYSTEM to
#                     fsync=off, synchronous_commit=off, full_page_writes=off (what
#                     pg-tmp.sh uses for tests, and bench/run.sh's `postgres`);
#                     BENCH_PG_CASES cases
#   postgres-durable  the same cluster and store, back to PostgreSQL's durable defaults
#                     (ALTER SYSTEM RESET, reload, CHECKPOINT); runs only the scenarios in
#                     BENCH_DURABLE_SCENARIOS (default: create)
# The store is generated once per backend kind and reused by its scenarios. BENCH_PG_CASES
# defaults to BENCH_CASES but at most 100,000: `demo` writes PostgreSQL one row per round
# trip, about 400 cases/s here, so a million cases take about 45 minutes there.
# Other settings: BENCH_SQLITE_STORE (a kept SQLite store, with its .key file beside it, to
# copy instead of generating one, e.g. one made by `bianmin demo --no-serve --cases 1000000`),
# BENCH_SAMPLE (5000 cases for the reads), BENCH_MIN_FREE_GB (5: the script
# skips, exiting 0, when the temporary folder's file system has less free), BENCH_BIN (the
# binary to measure, default build/bianmin; a copy is run), BENCH_SERVE_ARGS (extra `serve`
# flags), BENCH_PERF (1: after the counted runs of each scenario, two more under perf, the
# whole machine flat and the server with call graphs, and a third under strace; the top
# functions and the system calls per request go to bench/results/cases-perf-BACKEND-SCENARIO.txt),
# BENCH_OUT (report file).
#
# Every process it starts listens on 127.0.0.1 only; every generation, wrk, curl and server
# start is bounded in time; the servers, PostgreSQL clusters and temporary folders (with the
# generated stores) are removed on exit, also on error or Ctrl-C. Nothing here asserts on
# timings: the figures are for docs/performance.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
src_bin=${BENCH_BIN:-$root/build/bianmin}

CASES=${BENCH_CASES:-1000000}
SECS=${BENCH_SECONDS:-10}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2}
SAMPLE=${BENCH_SAMPLE:-5000}
MIN_FREE_GB=${BENCH_MIN_FREE_GB:-5}
PERF=${BENCH_PERF:-0}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres postgres-durable}
SCENARIOS=${BENCH_SCENARIOS:-read public search queue_window queue_deadline warnings_town warnings_county stats_month stats_items action read_busy create}
CEILINGS=${BENCH_CEILINGS:-1}
RAW_ROWS=${BENCH_RAW_ROWS:-20000}
DURABLE_SCENARIOS=${BENCH_DURABLE_SCENARIOS:-create}
OUT=${BENCH_OUT:-$here/results/cases.md}
read -r -a serve_extra <<<"${BENCH_SERVE_ARGS:-}"

PASSWORD=Bianmin2026
ALL_SCENARIOS="read public search queue_window queue_deadline warnings_town warnings_county stats_month stats_items action read_busy create"
BUSY_CONNS=${BENCH_BUSY_CONNS:-4}
TARGET_CASES=1000000   # the issue's targets hold with this many cases in the store
TARGET_CREATE=3000     # accepted cases per second
TARGET_READ=20000      # single-case reads per second
TARGET_RATIO=0.5       # of the ceiling (nginx for reads, raw SQLite commits for creation)
TARGET_P99_MS=10       # every read scenario, at 64 connections
TARGET_RSS_MIB=64

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for v in CASES SECS RUNS CONNS THREADS WARMUP SAMPLE MIN_FREE_GB PERF CEILINGS RAW_ROWS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a whole number (got '${!v}')"
done
if [ -z "${BENCH_PG_CASES:-}" ]; then
  PG_CASES=$((CASES < 100000 ? CASES : 100000))
else
  PG_CASES=$BENCH_PG_CASES
  [[ $PG_CASES =~ ^[0-9]+$ ]] || die "BENCH_PG_CASES must be a whole number (got '$PG_CASES')"
fi
if [ "$SECS" -lt 1 ] || [ "$RUNS" -lt 1 ] || [ "$THREADS" -lt 1 ] || [ "$SAMPLE" -lt 1 ]; then
  die "BENCH_SECONDS, BENCH_RUNS, BENCH_THREADS and BENCH_SAMPLE must be at least 1"
fi
[ "$CASES" -ge 1 ] && [ "$PG_CASES" -ge 1 ] || die "BENCH_CASES and BENCH_PG_CASES must be at least 1"
[ "$CONNS" -ge "$THREADS" ] || die "BENCH_CONNS must be at least BENCH_THREADS"
for s in $SCENARIOS $DURABLE_SCENARIOS; do
  [[ " $ALL_SCENARIOS " == *" $s "* ]] || die "unknown scenario '$s' (known: $ALL_SCENARIOS)"
done
for b in $BACKENDS; do
  case $b in sqlite | postgres | postgres-durable) ;; *) die "unknown backend '$b'" ;; esac
done

# Settings from the caller's environment would change what is measured.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^BIANMIN_' || true)

# --- tools and disk -------------------------------------------------------------------------
[ -x "$src_bin" ] || die "$src_bin not found: run \`make\` first (this script builds nothing)"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [[ " $BACKENDS " == *" sqlite "* ]]; then
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  # The ceilings run after the sqlite backend.
  if [ "$CEILINGS" -gt 0 ] && [ ! -x /usr/sbin/nginx ]; then missing+=(nginx-light); fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v python3 >/dev/null || die "python3 is needed (JSON parsing, and scripts/pg-tmp.sh)"
if [[ " $BACKENDS " == *" postgres"* ]]; then
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || die "PostgreSQL server not installed: run \`make deps\`"
  command -v psql >/dev/null || die "psql not found: run \`make deps\`"
fi
if [ "$PERF" -gt 0 ]; then
  command -v perf >/dev/null || die "BENCH_PERF=1 needs perf (linux-perf)"
  command -v strace >/dev/null || die "BENCH_PERF=1 needs strace"
fi
CLK_TCK=$(getconf CLK_TCK)

tmp_root=${TMPDIR:-/tmp}
free_kib=$(df -Pk "$tmp_root" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt $((MIN_FREE_GB * 1048576)) ]; then
  msg="skipped: $(awk -v k="$free_kib" 'BEGIN { printf "%.1f", k / 1048576 }') GB free in $tmp_root, under the $MIN_FREE_GB GB a store of $CASES cases needs (set TMPDIR to a larger file system, or lower BENCH_CASES and BENCH_MIN_FREE_GB)"
  say "$msg"
  echo "bench/cases.sh $msg"
  exit 0
fi

# --- state and clean-up ---------------------------------------------------------------------
work=$(mktemp -d "$tmp_root/bianmin-cases.XXXXXX")
# Last calendar month, for the statistics scenarios.
last_month="from=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)&to=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)"
pg_dir=""       # the PostgreSQL cluster (one, shared by postgres and postgres-durable)
pg_url=""
server_pid=""
perf_pid=""
nginx_pid=""

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local i
  for i in $(seq 150); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    say "server $server_pid still running 15 s after SIGTERM; sending SIGKILL"
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
  stop_server || true
  if [ -n "$nginx_pid" ]; then kill -TERM "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$pg_dir" ]; then
    "$root/scripts/pg-tmp.sh" stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a private copy, so that a `make` elsewhere cannot swap the binary half-way through.
bin=$work/bianmin
cp "$src_bin" "$bin"
bin_sha=$(sha256sum "$bin" | cut -c1-12)
bin_version=$("$bin" --version 2>/dev/null || echo unknown)

# --- helpers --------------------------------------------------------------------------------
. "$here/lib.sh"

# The PostgreSQL server's processes: the postmaster and its children.
pg_pids() {
  [ -n "$pg_active" ] || return 0
  local pm
  pm=$(head -n 1 "$pg_dir/data/postmaster.pid")
  echo "$pm"
  cat /proc/"$pm"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}

SLOW_US=5000000   # wrk's --timeout
ms() { awk -v u="$1" -v s="$SLOW_US" 'BEGIN { if (u >= s) printf "≥ %d", s / 1000; else printf "%.2f", u / 1000 }'; }

# The server's memory without its map of the store file (map_rss_kib, lib.sh).
rss_kib() { map_rss_kib "$server_pid" "$db" 0; }

# "OK BAD": answers of route label $1 so far, 2xx and other, from the server's /metrics.
route_counts() {
  curl -sS --max-time 10 "$base/metrics" | awk -v r="route=\"$1\"" '
    index($0, "bianmin_http_requests_total{") == 1 && index($0, r) {
      if (index($0, "status=\"2")) ok += $NF; else bad += $NF }
    END { printf "%d %d\n", ok, bad }'
}

# The group commit's counters (SQLite): commits, writes, seconds in COMMIT, seconds the write
# lock was held.
store_metrics() {
  curl -sS --max-time 10 "$base/metrics" | awk '
    $1 == "bianmin_store_commits_total" { c = $2 } $1 == "bianmin_store_committed_writes_total" { w = $2 }
    $1 == "bianmin_store_commit_seconds_total" { cs = $2 } $1 == "bianmin_store_write_lock_seconds_total" { l = $2 }
    $1 == "bianmin_store_syncs_total" { sy = $2 } $1 == "bianmin_store_sync_seconds_total" { ss = $2 }
    END { printf "%d %d %.6f %.6f %d %.6f\n", c, w, cs, l, sy, ss }'
}

declare -A cookie csrf   # per user name, from login

api() { # api USER METHOD PATH [BODY]: prints the body, fails on a status outside 2xx
  local code body=() auth=()
  [ $# -ge 4 ] && body=(-H 'Content-Type: application/json' --data-binary "$4")
  [ -n "$1" ] && auth=(-b "${cookie[$1]}" -H "X-CSRF-Token: ${csrf[$1]}")
  code=$(curl -sS --max-time 60 -o "$work/api.body" -w '%{http_code}' -X "$2" \
    "${auth[@]}" "${body[@]}" "$base$3") || die "$2 $3: curl failed"
  [[ $code == 2* ]] || die "$2 $3 as ${1:-nobody} answered $code: $(head -c 500 "$work/api.body")"
  cat "$work/api.body"
}

login() { # login USER: sets cookie[USER], csrf[USER]
  local resp session
  resp=$(curl -sS --max-time 30 -c "$work/cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session") ||
    die "log-in of $1 failed"
  csrf[$1]=$(printf '%s' "$resp" | json_get 'd["csrf_token"]') || die "log-in of $1 failed: $resp"
  session=$(awk '$6 == "bm_session" { print $7 }' "$work/cookies")
  [ -n "$session" ] || die "log-in of $1 set no bm_session cookie"
  cookie[$1]="bm_session=$session"
}

# The generated store's files and the PostgreSQL data key live in $store_dir, the working
# folder of `demo` and `serve` (the key of a postgres:// store is ./bianmin-data.key).
start_server() { # start_server DB LOGDIR: sets server_pid, base
  (cd "$store_dir" && exec "$bin" serve --db "$1" --listen 127.0.0.1:0 --web "$root/web/placeholder" \
    "${serve_extra[@]}") >"$2/serve.out" 2>"$2/serve.err" &
  server_pid=$!
  local i port=""
  for i in $(seq 300); do
    port=$(sed -n 's/.*serving on port \([0-9][0-9]*\).*/\1/p' "$2/serve.out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || die "bianmin serve exited: $(tail -n 5 "$2/serve.err")"
    sleep 0.1
  done
  [ -n "$port" ] || die "bianmin serve did not report its port within 30 s"
  base=http://127.0.0.1:$port
  listening=$(grep -m1 '"event":"listening"' "$2/serve.err" | json_get 'd["msg"]' || true)
}

pg_sql() { # pg_sql SQL...: each argument one statement, run in autocommit; prints rows
  local a args=()
  for a in "$@"; do args+=(-c "$a"); done
  timeout 600 psql -h 127.0.0.1 -p "$(cat "$pg_dir/port")" -U postgres -d bianmin -AtqX \
    -v ON_ERROR_STOP=1 "${args[@]}"
}

# Fast (fsync off, as scripts/pg-tmp.sh sets for tests) or durable (PostgreSQL's defaults).
# The cluster was started without -c options, so ALTER SYSTEM and a reload decide.
pg_durability() { # pg_durability 0|1
  local want i got
  if [ "$1" = 1 ]; then
    pg_sql "ALTER SYSTEM RESET fsync" "ALTER SYSTEM RESET synchronous_commit" \
      "ALTER SYSTEM RESET full_page_writes" "SELECT pg_reload_conf()" >/dev/null
    want="on on on"
  else
    pg_sql "ALTER SYSTEM SET fsync = off" "ALTER SYSTEM SET synchronous_commit = off" \
      "ALTER SYSTEM SET full_page_writes = off" "SELECT pg_reload_conf()" >/dev/null
    want="off off off"
  fi
  for i in $(seq 50); do
    got=$(pg_sql "SHOW fsync" "SHOW synchronous_commit" "SHOW full_page_writes" | tr '\n' ' ' | sed 's/ $//')
    [ "$got" = "$want" ] && break
    sleep 0.1
  done
  [ "$got" = "$want" ] || die "PostgreSQL settings fsync, synchronous_commit, full_page_writes are '$got', not '$want'"
  pg_sql "CHECKPOINT" >/dev/null   # with fsync back on, this flushes what was written without
  pg_settings="fsync=${got%% *}, synchronous_commit=$(echo "$got" | cut -d' ' -f2), full_page_writes=${got##* }"
}

store_cases() { # the number of cases in the current store
  if [ -n "$pg_active" ]; then
    pg_sql "SELECT count(*) FROM cases"
  else
    timeout 120 sqlite3 -readonly "$db" "SELECT count(*) FROM cases"
  fi
}

store_count() { # store_count TABLE
  if [ -n "$pg_active" ]; then
    pg_sql "SELECT count(*) FROM $1"
  else
    timeout 120 sqlite3 -readonly "$db" "SELECT count(*) FROM $1"
  fi
}

# wrk_run SECONDS SCRIPT PATH OUTFILE
wrk_run() {
  [ "$2" = post_action.lua ] && take_action_sample
  BENCH_LUA_DIR=$here BENCH_COOKIE=$wrk_cookie BENCH_CSRF=$wrk_csrf BENCH_MODE=$mode \
    BENCH_SAMPLE_FILE=${wrk_sample:-$sample_file} BENCH_BODY_FILE=$body_file \
    BENCH_HANDLER_ID=${action_uid:-0} BENCH_THREADS=$THREADS timeout -k 5 $(($1 + 60)) \
    wrk -t"$THREADS" -c"$CONNS" -d"$1s" --timeout 5s -s "$here/$2" "$base$3" >"$4" 2>&1 ||
    die "wrk failed: $(tail -n 5 "$4")"
  grep -q '^BENCH_RESULT ' "$4" || die "wrk printed no result: $(tail -n 5 "$4")"
}

# wrk_run for the scenario, with read_busy's creations beside it: BUSY_CONNS connections of
# post_case.lua as xtgz_clerk on one more wrk thread, for the same time; their rate goes to
# busy_rps. wrk_scenario SECONDS OUT
wrk_scenario() {
  local busy_pid="" bout=${2%.txt}-busy.txt kv
  if [ "$scen" = read_busy ]; then
    BENCH_LUA_DIR=$here BENCH_COOKIE=${cookie[xtgz_clerk]} BENCH_CSRF=${csrf[xtgz_clerk]} \
      BENCH_MODE=staff BENCH_SAMPLE_FILE=$sample_file BENCH_BODY_FILE=$body_file BENCH_THREADS=1 \
      timeout -k 5 $(($1 + 60)) wrk -t1 -c"$BUSY_CONNS" -d"$1s" --timeout 5s \
      -s "$here/post_case.lua" "$base/api/v1/cases" >"$bout" 2>&1 &
    busy_pid=$!
  fi
  wrk_run "$1" "$script" "$path" "$2"
  [ -n "$busy_pid" ] || return 0
  wait "$busy_pid" || die "wrk (creations beside the reads) failed: $(tail -n 5 "$bout")"
  busy_rps=""
  for kv in $(grep -m1 '^BENCH_RESULT ' "$bout" | cut -d' ' -f2-); do
    [ "${kv%%=*}" = rps ] && busy_rps=${kv#*=}
  done
  [ -n "$busy_rps" ] || die "wrk (creations beside the reads) printed no result: $(tail -n 5 "$bout")"
}

# --- scenarios ------------------------------------------------------------------------------
# scenario NAME: sets title, script, path, route, user, mode, target
scenario() {
  mode=staff target="" wrk_sample=""
  case $1 in
    read) title="GET /api/v1/cases/{case_no}" script=get_case.lua path=/ user=supervisor
      route="GET /api/v1/cases/{case_no}" target=$TARGET_READ ;;
    read_busy) title="GET /api/v1/cases/{case_no} beside $BUSY_CONNS creating" script=get_case.lua
      path=/ user=supervisor route="GET /api/v1/cases/{case_no}" ;;
    public) title="GET /api/v1/public/cases/{case_no}?code=…" script=get_case.lua path=/ user=""
      mode=public route="GET /api/v1/public/cases/{case_no}" ;;
    queue_window) title="GET /api/v1/cases?queue=window&status=accepted" script=get.lua
      path="/api/v1/cases?queue=window&status=accepted" user=xtgz_clerk route="GET /api/v1/cases" ;;
    queue_deadline) title="GET /api/v1/cases?status=open&sort=deadline" script=get.lua
      path="/api/v1/cases?status=open&sort=deadline" user=supervisor route="GET /api/v1/cases" ;;
    warnings_town) title="GET /api/v1/supervision/warnings (a township)" script=get.lua
      path="/api/v1/supervision/warnings" user=xtgz_clerk route="GET /api/v1/supervision/warnings" ;;
    warnings_county) title="GET /api/v1/supervision/warnings (the county)" script=get.lua
      path="/api/v1/supervision/warnings" user=supervisor route="GET /api/v1/supervision/warnings" ;;
    stats_month) title="GET /api/v1/stats/cases?group_by=township (last month)" script=get.lua
      path="/api/v1/stats/cases?group_by=township&$last_month" user=supervisor
      route="GET /api/v1/stats/cases" ;;
    stats_items) title="GET /api/v1/stats/cases?group_by=item (last month)" script=get.lua
      path="/api/v1/stats/cases?group_by=item&$last_month" user=supervisor
      route="GET /api/v1/stats/cases" ;;
    search) title="GET /api/v1/items?q=养老" script=get.lua path="/api/v1/items?q=%E5%85%BB%E8%80%81"
      user="" route="GET /api/v1/items" ;;
    action) title="POST /api/v1/cases/{case_no}/actions (assign)" script=post_action.lua path=/
      user=$action_user route="POST /api/v1/cases/{case_no}/actions" wrk_sample=$action_file ;;
    create) title="POST /api/v1/cases (accept)" script=post_case.lua path=/api/v1/cases
      user=xtgz_clerk route="POST /api/v1/cases" target=$TARGET_CREATE ;;
  esac
  wrk_cookie="" wrk_csrf=""
  if [ -n "$user" ]; then wrk_cookie=${cookie[$user]} wrk_csrf=${csrf[$user]}; fi
}

# One request by hand before the load, so that a wrong set-up stops here with its answer;
# notes the size of the answer.
preflight() {
  local first no code
  read -r no code <"$sample_file"
  case $1 in
    read) api "$user" GET "/api/v1/cases/$no" >"$work/pre.json"
      cp "$work/pre.json" "$dir/read.json" ;;
    read_busy) api "$user" GET "/api/v1/cases/$no" >"$work/pre.json" ;;
    public) api "" GET "/api/v1/public/cases/$no?code=$code" >"$work/pre.json" ;;
    action)
      take_action_sample
      read -r no code <"$action_file"
      curl -sS --max-time 60 -o "$work/pre.json" -w '%{http_code}' -X POST -b "${cookie[$user]}" \
        -H "X-CSRF-Token: ${csrf[$user]}" -H 'Content-Type: application/json' -H "If-Match: \"$code\"" \
        --data-binary "{\"action\":\"assign\",\"handler_id\":$action_uid}" \
        "$base/api/v1/cases/$no/actions" >"$work/pre.code" || die "$backend: action pre-flight: curl failed"
      [ "$(cat "$work/pre.code")" = 200 ] ||
        die "$backend: the pre-flight assign of case $no answered $(cat "$work/pre.code"): $(head -c 300 "$work/pre.json")"
      [ "$(json_get 'd["case_no"]' <"$work/pre.json")" = "$no" ] ||
        die "$backend: the action's answer carries no case_no, which post_action.lua needs" ;;
    search | queue_window | queue_deadline | warnings_town | warnings_county | stats_month | stats_items)
      api "$user" GET "$path" >"$work/pre.json"
      first=$(json_get 'str(len(d["items"])) + " items" + (", more pages" if d.get("next_cursor") else "")' <"$work/pre.json")
      notes+=("$backend: \`$title\` answers $first, $(wc -c <"$work/pre.json") bytes (before the runs)") ;;
    create) api "$user" POST "$path" "$(sed 's/__ID__/110119198001010014/' "$body_file")" >"$work/pre.json"
      [ "$(json_get 'd["status"]' <"$work/pre.json")" = accepted ] ||
        die "$backend: the pre-flight case is not accepted: $(head -c 300 "$work/pre.json")" ;;
  esac
}

rows=()     # summary table rows
declare -A med_rps med_p99 last_rss   # by "BACKEND/SCENARIO" (RSS by backend), for the targets
ceil_rows=()
runs=()     # every run
gens=()     # generation table rows
notes=()
perf_files=()

# Generates the store for BACKEND into $db, timing it.
generate() { # generate BACKEND N LOGDIR
  local t0 t1 secs size limit
  limit=$((600 + $2 / 200))   # bounded: SQLite makes ~4,000 cases/s here, PostgreSQL ~400
  say "$1: generating the demo county with $2 cases (bianmin demo --cases $2; at most ${limit}s)"
  t0=$(date +%s.%N)
  (cd "$store_dir" && BIANMIN_DEMO_PASSWORD=$PASSWORD BIANMIN_ADMIN_PASSWORD=$PASSWORD \
    exec timeout "$limit" "$bin" demo --db "$db" --no-serve --cases "$2") \
    >"$3/demo.out" 2>"$3/demo.err" || die "$1: bianmin demo failed: $(tail -n 5 "$3/demo.err")"
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ -n "$pg_active" ]; then
    size=$(pg_sql "SELECT pg_database_size('bianmin')")
  else
    size=$({ du -cb "$db" "$db-wal" 2>/dev/null || true; } | awk 'END { print $1 + 0 }')
  fi
  gen_cases=$(store_cases)
  gens+=("$(awk -v b="$1" -v n="$gen_cases" -v s="$secs" -v z="$size" -v set="$gen_durability" 'BEGIN {
    printf "| %s | %d | %d min %04.1f s | %.0f | %.2f GB | %s |", b, n, int(s / 60), s - 60 * int(s / 60), n / s, z / 1e9, set }')")
  say "$1: $gen_cases cases generated in ${secs}s"
}

# The handler of the `action` scenario: the one whose unit has the most cases in processing
# (roles bit 4 is the handler, src/core/access.h). Sets action_user, action_uid, action_unit.
find_action_user() {
  local q="SELECT u.username || '|' || u.id || '|' || u.org_unit_id FROM users u WHERE (u.roles & 4) <> 0
    ORDER BY (SELECT count(*) FROM cases c WHERE c.status = 'processing' AND c.handling_unit_id = u.org_unit_id) DESC, u.id LIMIT 1"
  local row
  if [ -n "$pg_active" ]; then row=$(pg_sql "$q"); else row=$(timeout 300 sqlite3 -readonly "$db" "$q"); fi
  IFS='|' read -r action_user action_uid action_unit <<<"$row"
  [ -n "$action_uid" ] || die "no handler in the store for the action scenario"
}

# Writes $action_file: up to SAMPLE "CASE_NO VERSION" lines of the cases in processing of the
# handler's unit, with their current versions (each run changes them).
take_action_sample() {
  query_action_sample
  [ "$(wc -l <"$action_file")" -ge $((CONNS * 4)) ] ||
    die "only $(wc -l <"$action_file") cases in processing for the action scenario (need $((CONNS * 4)))"
}

# A small store may hold too few cases in processing for the action scenario: each connection
# needs cases of its own, or requests would meet a case still in flight (412). Such a run
# skips the scenario with a note instead of failing.
action_sample_enough() {
  local n
  query_action_sample
  n=$(wc -l <"$action_file")
  [ "$n" -ge $((CONNS * 4)) ] && return 0
  notes+=("$backend: \`action\` skipped: only $n cases in processing at unit $action_unit, $((CONNS * 4)) needed (4 per connection); use a larger store (BENCH_CASES)")
  say "$backend: action skipped: only $n cases in processing (need $((CONNS * 4)))"
  return 1
}
query_action_sample() {
  local q="SELECT case_no || ' ' || version FROM cases WHERE handling_unit_id = $action_unit AND status = 'processing' ORDER BY id DESC LIMIT $SAMPLE"
  if [ -n "$pg_active" ]; then pg_sql "$q" >"$action_file"; else timeout 300 sqlite3 -readonly "$db" "$q" >"$action_file"; fi
}

take_sample() { # writes $sample_file: SAMPLE random "CASE_NO QUERY_CODE" lines (fewer if ids repeat)
  if [ -n "$pg_active" ]; then
    pg_sql "SELECT case_no || ' ' || query_code FROM cases WHERE id IN (SELECT 1 + floor(random() * (SELECT max(id) FROM cases))::bigint FROM generate_series(1, $SAMPLE))" >"$sample_file"
  else
    timeout 300 sqlite3 -readonly "$db" "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $SAMPLE)
      SELECT case_no || ' ' || query_code FROM cases WHERE id IN (SELECT 1 + abs(random()) % (SELECT max(id) FROM cases) FROM r)" >"$sample_file"
  fi
  [ -s "$sample_file" ] || die "no case numbers sampled from the store"
  notes+=("$backend: $(wc -l <"$sample_file") case numbers sampled at random from the store for \`read\` and \`public\`")
}

# The request body of `create`: the first published county-wide item for residents (lowest
# id), every material of its checklist provided; __ID__ is the applicant's ID number.
make_body() {
  local id
  api "" GET "/api/v1/items?limit=100" >"$work/items.json"
  id=$(json_get 'min(i["id"] for i in d["items"] if i["county_wide"] and i["status"] == "published" and "natural_person" in i["service_objects"])' <"$work/items.json") ||
    die "no published county-wide item for residents in the catalog"
  api "" GET "/api/v1/items/$id" >"$work/item.json"
  python3 - "$work/item.json" "$body_file" <<'EOF'
import json, sys
item = json.load(open(sys.argv[1]))
body = {"item_id": item["id"], "channel": "window",
        "applicant": {"name": "张三", "id_type": "resident_id", "id_number": "__ID__", "phone": "13800138000"},
        "materials": [{"name": m["name"], "provided": True} for m in item["materials"]],
        "accept": True}
open(sys.argv[2], "w").write(json.dumps(body, ensure_ascii=False))
EOF
  item_desc=$(json_get '"%s (id %d, %s, %d materials, promised %d working days)" % (d["name"], d["id"], d["implementing_unit_name"], len(d["materials"]), d["promised_days"])' <"$work/item.json")
}

run_scenario() { # run_scenario SCENARIO
  local scen=$1 ok0 ok1 audit0 audit1 cases0 cases1 outbox0 outbox1
  scenario "$scen"
  if [ "$scen" = action ] && ! action_sample_enough; then return 0; fi
  read -r ok0 _ < <(route_counts "$route")
  if [ "$scen" = create ]; then
    audit0=$(api admin GET "/api/v1/audit?limit=1" | json_get 'd["items"][0]["id"]')
    cases0=$(store_cases)
    outbox0=$(store_count outbox)
  fi
  preflight "$scen"
  if [ "$WARMUP" -gt 0 ]; then
    say "$backend: $title: warm-up ${WARMUP}s"
    wrk_scenario "$WARMUP" "$dir/wrk-$scen-warmup.txt"
  fi
  local r rps=() p50=() p99=() errs=0 scpu=() dcpu=() rss=0 kv kvs=() pgp=() sm0 sm1 t0 t1
  local busy_rps busy=()
  local -A w
  read -r -a sm0 < <(store_metrics)
  t0=$(date +%s.%N)
  for r in $(seq "$RUNS"); do
    say "$backend: $title: run $r/$RUNS, ${SECS}s"
    local okb badb oka bada s0 s1 d0 d1 mb0 ms0 mt0 mb1 ms1 mt1 c0 c1 other steal pgp1=()
    local out=$dir/wrk-$scen-$r.txt
    read -r okb badb < <(route_counts "$route")
    s0=$(cpu_ticks "$server_pid")
    mapfile -t pgp < <(pg_pids)
    d0=$(cpu_ticks "${pgp[@]}")
    read -r mb0 ms0 mt0 < <(machine_ticks)
    children_ms
    c0=$cms
    wrk_scenario "$SECS" "$out"
    [ "$scen" = read_busy ] && busy+=("$busy_rps")
    children_ms
    c1=$cms
    read -r mb1 ms1 mt1 < <(machine_ticks)
    s1=$(cpu_ticks "$server_pid")
    # PostgreSQL processes started during the run (autovacuum workers) count in full.
    mapfile -t pgp1 < <({ printf '%s\n' "${pgp[@]}"; pg_pids; } | grep . | sort -u)
    d1=$(cpu_ticks "${pgp1[@]}")
    [ "$d1" -ge "$d0" ] || d1=$d0
    other=$(awk -v b=$((mb1 - mb0)) -v t=$((mt1 - mt0)) -v s=$((s1 - s0)) -v d=$((d1 - d0)) \
      -v w=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN {
        o = b - s - d - w * hz / 1000; if (o < 0) o = 0; printf "%.0f", (t > 0 ? 100 * o / t : 0) }')
    steal=$(awk -v x=$((ms1 - ms0)) -v t=$((mt1 - mt0)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * x / t : 0) }')
    read -r oka bada < <(route_counts "$route")
    rss=$(rss_kib)
    w=()
    read -r -a kvs < <(grep -m1 '^BENCH_RESULT ' "$out" | cut -d' ' -f2-)
    for kv in "${kvs[@]}"; do w[${kv%%=*}]=${kv#*=}; done
    local sock=$((w[connect] + w[read] + w[write] + w[timeout]))
    local client_bad=${w[status_errors]}
    [ "${w[non2xx]}" -ge 0 ] && client_bad=${w[non2xx]}
    local server_bad=$((bada - badb))
    local bad=$((client_bad > server_bad ? client_bad : server_bad))
    errs=$((errs + sock + bad))
    local n=${w[requests]}
    [ "$n" -gt 0 ] || n=1
    local scpu_r dcpu_r
    scpu_r=$(awk -v t=$((s1 - s0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    dcpu_r="—"
    [ -n "$pg_active" ] && dcpu_r=$(awk -v t=$((d1 - d0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    # wrk records the latency of answers faster than its --timeout (5 s) only, and counts
    # the others as timeouts: with that many, the percentile is at least 5 s.
    if [ "${w[timeout]}" -gt 0 ]; then
      if [ $((w[timeout] * 2)) -ge "${w[requests]}" ]; then w[p50_us]=$SLOW_US; fi
      if [ $((w[timeout] * 100)) -ge "${w[requests]}" ]; then w[p99_us]=$SLOW_US; fi
    fi
    rps+=("${w[rps]}")
    p50+=("${w[p50_us]}")
    p99+=("${w[p99_us]}")
    scpu+=("$scpu_r")
    [ -n "$pg_active" ] && dcpu+=("$dcpu_r")
    runs+=("| $backend | $title | $r | ${w[requests]} | ${w[rps]} | $(ms "${w[p50_us]}") | $(ms "${w[p99_us]}") | $((oka - okb)) | $server_bad | ${w[status_errors]} | $sock | $scpu_r | $dcpu_r | $(awk -v w=$((c1 - c0)) -v n="$n" 'BEGIN { printf "%.1f", w * 1000 / n }') | $other | $steal | $((rss / 1024)) |")
    say "$backend: $title: run $r: ${w[rps]} req/s, p50 ${w[p50_us]} µs, p99 ${w[p99_us]} µs, non-2xx $bad, socket errors $sock, rest of machine ${other}%, steal ${steal}%"
  done
  t1=$(date +%s.%N)
  read -r -a sm1 < <(store_metrics)
  if [ "$backend" = sqlite ] && [[ $scen == create || $scen == action ]] && [ $((sm1[1] - sm0[1])) -gt 0 ]; then
    # Where durable writes wait: the share of the runs' time the write lock was held (near
    # 100 % means they queue for it), its time per write, and how many writes a COMMIT took.
    notes+=("$(awk -v c=$((sm1[0] - sm0[0])) -v n=$((sm1[1] - sm0[1])) -v cs="${sm0[2]} ${sm1[2]}" \
      -v l="${sm0[3]} ${sm1[3]}" -v t="$t0 $t1" -v b="$backend" -v x="$title" \
      -v sy=$((sm1[4] - sm0[4])) -v ss="${sm0[5]} ${sm1[5]}" 'BEGIN {
        split(cs, a, " "); split(l, h, " "); split(t, e, " "); split(ss, f, " "); held = h[2] - h[1]
        printf "%s: %s: the write lock was held %.0f %% of the counted runs, %.0f µs per write (its COMMIT included); %.1f writes per COMMIT, %.0f µs each; %.1f writes per fdatasync of the WAL, %.0f µs each", b, x, 100 * held / (e[2] - e[1]), 1e6 * held / n, n / c, (c ? 1e6 * (a[2] - a[1]) / c : 0), (sy ? n / sy : 0), (sy ? 1e6 * (f[2] - f[1]) / sy : 0) }')")
  fi
  [ ${#busy[@]} -gt 0 ] &&
    notes+=("$backend: \`$title\`: creations beside the reads $(median "${busy[@]}")/s (median; runs: ${busy[*]}); the server's CPU per request counts both")
  local m_rps m_p50 m_p99 m_scpu m_dcpu="—" verdict="—"
  m_rps=$(median "${rps[@]}")
  m_p50=$(median "${p50[@]}")
  m_p99=$(median "${p99[@]}")
  med_rps[$backend/$scen]=$m_rps
  med_p99[$backend/$scen]=$m_p99
  last_rss[$backend]=$rss
  m_scpu=$(median "${scpu[@]}")
  [ -n "$pg_active" ] && m_dcpu=$(median "${dcpu[@]}")
  if [ -n "$target" ]; then
    verdict=$(awk -v q="$m_rps" -v t="$target" -v n="$store_n" -v tn="$TARGET_CASES" 'BEGIN {
      s = (q >= t ? "met" : "**missed**") sprintf(" (%.0f %%)", 100 * q / t)
      if (n < tn) s = s sprintf(", but %d cases, not %d", n, tn)
      printf "≥ %d/s: %s", t, s }')
  fi
  rows+=("$(awk -v b="$backend" -v t="$title" -v c="$store_n" -v q="$m_rps" -v a="$m_p50" -v z="$m_p99" \
    -v e="$errs" -v s="$m_scpu" -v d="$m_dcpu" -v m="$rss" -v v="$verdict" -v a2="$(ms "$m_p50")" \
    -v z2="$(ms "$m_p99")" 'BEGIN {
      if (d != "—") d = sprintf("%.0f", d)
      printf "| %s | `%s` | %d | %.0f | %s | %s | %d | %.0f | %s | %.1f | %s |", b, t, c, q, a2, z2, e, s, d, m / 1024, v }')")

  if [ "$PERF" -gt 0 ]; then
    # Two more runs, not counted, under perf: the whole machine sampled flat (which
    # process and which functions take the CPU), then the server alone with DWARF call
    # graphs (which of its functions take the time, callees included).
    local pa=$dir/perf-$scen-all.data pb=$dir/perf-$scen-server.data rep
    rep=$(dirname "$OUT")/cases-perf-$backend-$scen.txt
    say "$backend: $title: two profile runs under perf, ${SECS}s each (not counted)"
    timeout -k 5 $((SECS + 60)) perf record -a -F 999 -o "$pa" -- sleep "$SECS" >"$dir/perf.out" 2>&1 &
    perf_pid=$!
    wrk_run "$SECS" "$script" "$path" "$dir/wrk-$scen-perf-all.txt"
    wait "$perf_pid" || true
    timeout -k 5 $((SECS + 60)) perf record -F 499 --call-graph dwarf,16384 -p "$server_pid" -o "$pb" \
      -- sleep "$SECS" >>"$dir/perf.out" 2>&1 &
    perf_pid=$!
    wrk_run "$SECS" "$script" "$path" "$dir/wrk-$scen-perf-server.txt"
    wait "$perf_pid" || true
    perf_pid=""
    # A third run under strace counts the server's system calls per request: on a
    # paravirtualised guest each one is dear, and the count does not depend on the drift.
    # strace attaches first and stops after wrk, so that it sees every request wrk counts.
    local st=$dir/strace-$scen.txt
    timeout -s INT -k 5 "$((SECS + 2))" strace -c -f -q -p "$server_pid" -o "$st" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5
    wrk_run "$SECS" "$script" "$path" "$dir/wrk-$scen-strace.txt"
    wait "$perf_pid" || true
    perf_pid=""
    {
      echo "# $backend, $title: profile runs of ${SECS}s (not counted; perf slows them down)"
      echo
      echo "## Whole machine (perf record -a -F 999): share of samples by process"
      grep -m1 '^BENCH_RESULT ' "$dir/wrk-$scen-perf-all.txt" || true
      timeout 300 perf report -i "$pa" --stdio --no-children --sort comm 2>/dev/null | grep -v '^#' | grep . | head -n 12
      echo
      echo "## Whole machine: functions by self time"
      timeout 300 perf report -i "$pa" --stdio --no-children --sort comm,dso,symbol --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep . | head -n 50
      echo
      echo "## Server only (perf record -p PID --call-graph dwarf): functions with callees (children), at least 2 %"
      grep -m1 '^BENCH_RESULT ' "$dir/wrk-$scen-perf-server.txt" || true
      timeout 600 perf report -i "$pb" --stdio --children --sort symbol -g none --percent-limit 2 2>/dev/null | grep -v '^#' | grep . | grep -v '\] 0x0000' | head -n 80
      echo
      echo "## Server only (strace -c -f): system calls per request"
      grep -m1 '^BENCH_RESULT ' "$dir/wrk-$scen-strace.txt" || true
      awk -v n="$(sed -n 's/^BENCH_RESULT requests=\([0-9]*\).*/\1/p' "$dir/wrk-$scen-strace.txt")" '
        $NF ~ /^[a-z_0-9]+$/ && $NF != "total" && $4 ~ /^[0-9]+$/ && n > 0 {
          printf "%8.2f  %s%s\n", $4 / n, $NF, ($5 ~ /^[0-9]+$/ ? sprintf(" (%d failed)", $5) : "") ; t += $4 }
        END { if (n > 0) printf "%8.2f  in all, over %d requests\n", t / n, n }' "$st" | sort -rn
    } >"$rep" 2>&1 || true
    rm -f "$pa" "$pb"
    perf_files+=("$rep")
  fi

  if [ "$scen" = create ]; then
    # Every case created is in the store with two audit entries (case.create, case.accept)
    # and one notification in the outbox.
    read -r ok1 _ < <(route_counts "$route")
    audit1=$(api admin GET "/api/v1/audit?limit=1" | json_get 'd["items"][0]["id"]')
    cases1=$(store_cases)
    outbox1=$(store_count outbox)
    local created=$((ok1 - ok0))
    notes+=("$backend: create check: $created cases created (2xx, pre-flight and warm-up included), the store's cases grew by $((cases1 - cases0)), the audit head moved by $((audit1 - audit0)) ($(awk -v a=$((audit1 - audit0)) -v n="$created" 'BEGIN { printf "%.2f", n ? a / n : 0 }') per case), the outbox by $((outbox1 - outbox0))")
    [ $((cases1 - cases0)) -eq "$created" ] ||
      say "$backend: WARNING: the store's cases grew by $((cases1 - cases0)), but $created creations answered 2xx"
    local vt
    vt=$(curl -sS --max-time 300 -o "$work/verify.json" -w '%{time_total}' -b "${cookie[admin]}" "$base/api/v1/audit/verify") || vt=""
    [ -n "$vt" ] && notes+=("$backend: audit chain verify after the creations: $(head -c 300 "$work/verify.json") in ${vt}s (one request, not a scenario)")
    store_n=$cases1
  fi
}

run_backend() {
  local backend=$1 scen scenarios=$SCENARIOS
  dir=$work/$backend
  mkdir -p "$dir"
  pg_active=""
  case $backend in
    sqlite)
      store_dir=$work/sqlite-store
      mkdir -p "$store_dir"
      db=$store_dir/bianmin.db
      pragmas=$(grep -o 'PRAGMA [a-z_]*=[A-Za-z0-9-]*' "$root/src/store/sqlite/conn.c" | sed 's/^PRAGMA //' | paste -sd, - | sed 's/,/, /g')
      gen_durability=${pragmas:-see src/store/sqlite/conn.c}
      if [ -n "${BENCH_SQLITE_STORE:-}" ]; then
        # A kept store instead of a new one (copied, so the original stays as it was).
        [ -f "$BENCH_SQLITE_STORE" ] && [ -f "$BENCH_SQLITE_STORE.key" ] ||
          die "BENCH_SQLITE_STORE: $BENCH_SQLITE_STORE or its .key file not found"
        say "sqlite: copying the kept store $BENCH_SQLITE_STORE"
        cp "$BENCH_SQLITE_STORE" "$db"
        cp "$BENCH_SQLITE_STORE.key" "$db.key"
        gens+=("| sqlite | $(store_cases) | (kept store $BENCH_SQLITE_STORE, not generated) | — | $(awk -v z="$(stat -c %s "$db")" 'BEGIN { printf "%.2f GB", z / 1e9 }') | — |")
      else
        generate sqlite "$CASES" "$dir"
      fi
      notes+=("sqlite: connection pragmas (src/store/sqlite/conn.c): ${pragmas:-see conn.c}; journal mode of the file: $(sqlite3 -readonly "$db" 'PRAGMA journal_mode'); page size $(sqlite3 -readonly "$db" 'PRAGMA page_size'); commits are acknowledged after a group fdatasync of the WAL (sqlite_commit)")
      sample_file=$dir/sample.txt
      take_sample
      ;;
    postgres | postgres-durable)
      store_dir=$work/pg-store
      pg_active=1
      [ "$backend" = postgres-durable ] && scenarios=$DURABLE_SCENARIOS
      if [ -z "$pg_url" ]; then
        mkdir -p "$store_dir"
        pg_dir=$(mktemp -d "$tmp_root/bianmin-cases-pg.XXXXXX")
        say "$backend: starting PostgreSQL (scripts/pg-tmp.sh, PG_DURABLE=1)"
        pg_url=$(PG_DURABLE=1 timeout 120 "$root/scripts/pg-tmp.sh" start "$pg_dir") || die "$backend: PostgreSQL did not start"
        db=$pg_url
        pg_durability 0
        gen_durability=$pg_settings
        generate postgres "$PG_CASES" "$dir"
        sample_file=$store_dir/sample.txt
        take_sample
      fi
      db=$pg_url
      if [ "$backend" = postgres-durable ]; then pg_durability 1; else pg_durability 0; fi
      notes+=("$backend: PostgreSQL $(pg_sql 'SHOW server_version'), $pg_settings, shared_buffers $(pg_sql 'SHOW shared_buffers')")
      ;;
  esac
  store_n=$(store_cases)

  local load0
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  start_server "$db" "$dir"
  say "$backend: serving on $base ($listening), $store_n cases in the store"
  login admin
  login xtgz_clerk
  login supervisor
  body_file=$dir/body.json
  make_body
  action_file=$dir/action.txt
  if [[ " $scenarios " == *" action "* ]]; then
    find_action_user
    login "$action_user"
    notes+=("$backend: \`action\` handler: $action_user (user $action_uid, unit $action_unit)")
  fi
  notes+=("$backend: server: $listening; \`create\` item: $item_desc")

  for scen in $scenarios; do
    run_scenario "$scen"
  done

  notes+=("$backend: server RSS (VmRSS) at the end $(($(awk '$1 == "VmRSS:" { print $2 }' "/proc/$server_pid/status") / 1024)) MiB, of which $(($(map_rss_kib "$server_pid" "$db" 1) / 1024)) MiB are pages of the store file mapped by the read connections (the OS's cache of the file, once per connection; the RSS columns leave them out), peak (VmHWM, maps included) $(($(awk '$1 == "VmHWM:" { print $2 }' "/proc/$server_pid/status") / 1024)) MiB")
  stop_server
  notes+=("$backend: load average (1, 5, 15 min) $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after")
  local nwarn first
  nwarn=$(grep -c '"level":"\(warn\|error\)"' "$dir/serve.err" || true)
  first=$(grep -m1 '"level":"\(warn\|error\)"' "$dir/serve.err" | head -c 300 || true)
  notes+=("$backend: server log: $nwarn warn/error lines${first:+ (first: $first)}")
  grep -v '"event":"access"' "$dir/serve.err" >"$(dirname "$OUT")/cases-server-$backend.log" || true
  if [ -n "$pg_active" ]; then
    local pgw scans
    pgw=$(grep -c 'WARNING\|ERROR\|FATAL\|PANIC' "$pg_dir/server.log" || true)
    first=$(grep -m1 'WARNING\|ERROR\|FATAL\|PANIC' "$pg_dir/server.log" | head -c 300 || true)
    notes+=("$backend: PostgreSQL log so far: $pgw WARNING/ERROR/FATAL/PANIC lines${first:+ (first: $first)}")
    # Rows read by sequential scans since generation (the server has exited, so its
    # connections' statistics are flushed): a point read or a queue that scans shows here.
    scans=$(pg_sql "SELECT string_agg(format('%s %s seq scans reading %s rows, %s index scans', relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0)), '; ' ORDER BY seq_tup_read DESC) FROM (SELECT * FROM pg_stat_user_tables WHERE seq_tup_read > 0 ORDER BY seq_tup_read DESC LIMIT 6) t" 2>&1 | head -c 700 || true)
    notes+=("$backend: PostgreSQL table scans (since the cluster started, generation included): ${scans:-none}")
  fi
}

# --- ceilings -------------------------------------------------------------------------------
# What the machine can do at all for the same work: nginx serving the case read's bytes as a
# static file, and single-row durable SQLite commits. Medians of RUNS, like the scenarios.
ceiling_nginx() {
  local cdir=$work/ceil-nginx port r out rps=() p50=() p99=() cpu=() c0 c1 n rss=0 p kv kvs pids errs=0
  local -A w
  if [ ! -s "$work/sqlite/read.json" ]; then
    notes+=("ceilings: no case read answer saved (the read scenario did not run): nginx skipped")
    return 0
  fi
  mkdir -p "$cdir/html" "$cdir/tmp"
  cp "$work/sqlite/read.json" "$cdir/html/case.json"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  {
    # Workers run as root only when the benchmark does: the folder is private (mktemp).
    [ "$(id -u)" -ne 0 ] || echo "user root;"
    cat <<EOF
worker_processes 2;
pid $cdir/nginx.pid;
error_log $cdir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $cdir/tmp; proxy_temp_path $cdir/tmp; fastcgi_temp_path $cdir/tmp;
  uwsgi_temp_path $cdir/tmp; scgi_temp_path $cdir/tmp;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $cdir/html; location / { } }
}
EOF
  } >"$cdir/nginx.conf"
  /usr/sbin/nginx -p "$cdir" -c "$cdir/nginx.conf" -g 'daemon off;' 2>"$cdir/stderr" &
  nginx_pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/case.json" && break; sleep 0.1; done
  curl -sf -o "$cdir/check.json" "http://127.0.0.1:$port/case.json" ||
    die "nginx did not serve the file: $(tail -n 5 "$cdir/stderr" "$cdir/error.log" 2>/dev/null)"
  nginx_version=$(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //')
  say "ceiling: $nginx_version serving $(wc -c <"$cdir/html/case.json") bytes"
  out=$cdir/wrk-warmup.txt
  BENCH_LUA_DIR=$here timeout -k 5 $((WARMUP + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 5s \
    -s "$here/get.lua" "http://127.0.0.1:$port/case.json" >"$out" 2>&1 || die "wrk failed on nginx: $(tail -n 5 "$out")"
  pids=$(pgrep -d ' ' -P "$nginx_pid" 2>/dev/null || true)
  for r in $(seq "$RUNS"); do
    out=$cdir/wrk-$r.txt
    # shellcheck disable=SC2086 # the workers' PIDs, one word each
    c0=$(cpu_ticks "$nginx_pid" $pids)
    BENCH_LUA_DIR=$here timeout -k 5 $((SECS + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --timeout 5s \
      -s "$here/get.lua" "http://127.0.0.1:$port/case.json" >"$out" 2>&1 || die "wrk failed on nginx: $(tail -n 5 "$out")"
    # shellcheck disable=SC2086
    c1=$(cpu_ticks "$nginx_pid" $pids)
    w=()
    read -r -a kvs < <(grep -m1 '^BENCH_RESULT ' "$out" | cut -d' ' -f2-)
    for kv in "${kvs[@]}"; do w[${kv%%=*}]=${kv#*=}; done
    n=${w[requests]}
    [ "$n" -gt 0 ] || n=1
    rps+=("${w[rps]}")
    p50+=("${w[p50_us]}")
    p99+=("${w[p99_us]}")
    errs=$((errs + w[status_errors] + w[connect] + w[read] + w[write] + w[timeout]))
    cpu+=("$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')")
    say "ceiling: nginx run $r: ${w[rps]} req/s, p50 ${w[p50_us]} µs, p99 ${w[p99_us]} µs"
  done
  rss=0
  for p in $nginx_pid $pids; do rss=$((rss + $(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0))); done
  kill -TERM "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
  ceil_nginx=$(median "${rps[@]}")
  ceil_rows+=("$(awk -v q="$ceil_nginx" -v a="$(ms "$(median "${p50[@]}")")" -v z="$(ms "$(median "${p99[@]}")")" \
    -v c="$(median "${cpu[@]}")" -v m="$rss" -v b="$(wc -c <"$cdir/html/case.json")" -v v="$nginx_version" -v e="$errs" 'BEGIN {
      printf "| %s, 2 workers, access log off: GET of the `read` answer (%d bytes) as a static file | %.0f | %s | %s | %d | %.0f | %.1f (master and workers) |", v, b, q, a, z, e, c, m / 1024 }')")
}

ceiling_sqlite_raw() {
  local cdir=$work/ceil-sqlite r t0 t1 rates=()
  mkdir -p "$cdir"
  # One transaction per row (autocommit), a row about the size of a case row, no index but
  # the primary key.
  awk -v n="$RAW_ROWS" 'BEGIN {
    print "PRAGMA synchronous=FULL;"
    for (i = 1; i <= n; i++) printf "INSERT INTO t(case_no, body, at) VALUES (%d, randomblob(600), %d);\n", 2026000000 + i, i }' >"$cdir/insert.sql"
  for r in $(seq "$RUNS"); do
    rm -f "$cdir"/raw.db*
    sqlite3 "$cdir/raw.db" "PRAGMA journal_mode=WAL" \
      "CREATE TABLE t(id INTEGER PRIMARY KEY, case_no TEXT NOT NULL, body BLOB, at INTEGER)" >/dev/null
    t0=$(date +%s.%N)
    timeout 600 sqlite3 "$cdir/raw.db" <"$cdir/insert.sql" >/dev/null || die "ceiling: sqlite3 inserts failed or took over 600 s"
    t1=$(date +%s.%N)
    [ "$(sqlite3 "$cdir/raw.db" 'SELECT count(*) FROM t')" = "$RAW_ROWS" ] || die "ceiling: the raw store does not hold $RAW_ROWS rows"
    rates+=("$(awk -v a="$t0" -v b="$t1" -v n="$RAW_ROWS" 'BEGIN { printf "%.1f", n / (b - a) }')")
    say "ceiling: sqlite-raw run $r: ${rates[-1]} commits/s"
  done
  rm -f "$cdir"/raw.db*
  ceil_sqlite=$(median "${rates[@]}")
  ceil_rows+=("$(awk -v q="$ceil_sqlite" -v n="$RAW_ROWS" -v v="$(sqlite3 --version | cut -d' ' -f1)" 'BEGIN {
    printf "| sqlite3 shell (SQLite %s), WAL, synchronous=FULL: %d single-row INSERT commits of a 600-byte row, one after another, in %s | %.0f | — | — | 0 | — | — |", v, n, "the same file system", q }')")
}

# One row per target of issue 8, from the sqlite backend of this run.
verdict() { if [ "$1" = 1 ]; then echo met; else echo "**missed**"; fi; }
target_rows() {
  local b=sqlite s r
  if [ -n "${med_rps[$b/read]:-}" ]; then
    r=$(awk -v q="${med_rps[$b/read]}" -v c="${ceil_nginx:-0}" 'BEGIN { if (c > 0) printf "%.2f", q / c; else print "—" }')
    echo "| case reads (\`read\`) ≥ $TARGET_READ/s | $(printf '%.0f' "${med_rps[$b/read]}")/s | $(verdict "$(awk -v q="${med_rps[$b/read]}" -v t="$TARGET_READ" 'BEGIN { print (q >= t) }')") ($(awk -v q="${med_rps[$b/read]}" -v t="$TARGET_READ" 'BEGIN { printf "%.0f %%", 100 * q / t }')) |"
    if [ "$r" = "—" ]; then
      echo "| case reads ≥ $TARGET_RATIO of nginx serving the same bytes | — | not measured |"
    else
      echo "| case reads ≥ $TARGET_RATIO of nginx serving the same bytes | $r of $(printf '%.0f' "$ceil_nginx")/s | $(verdict "$(awk -v r="$r" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) }')") |"
    fi
  fi
  if [ -n "${med_rps[$b/create]:-}" ]; then
    r=$(awk -v q="${med_rps[$b/create]}" -v c="${ceil_sqlite:-0}" 'BEGIN { if (c > 0) printf "%.2f", q / c; else print "—" }')
    echo "| durable creations (\`create\`) ≥ $TARGET_CREATE/s | $(printf '%.0f' "${med_rps[$b/create]}")/s | $(verdict "$(awk -v q="${med_rps[$b/create]}" -v t="$TARGET_CREATE" 'BEGIN { print (q >= t) }')") ($(awk -v q="${med_rps[$b/create]}" -v t="$TARGET_CREATE" 'BEGIN { printf "%.0f %%", 100 * q / t }')) |"
    if [ "$r" = "—" ]; then
      echo "| creations ≥ $TARGET_RATIO of raw single-row SQLite commits | — | not measured |"
    else
      echo "| creations ≥ $TARGET_RATIO of raw single-row SQLite commits | $r of $(printf '%.0f' "$ceil_sqlite")/s | $(verdict "$(awk -v r="$r" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) }')") |"
    fi
  fi
  for s in read public search queue_window queue_deadline warnings_town warnings_county stats_month stats_items; do
    [ -n "${med_p99[$b/$s]:-}" ] || continue
    echo "| p99 of \`$s\` < $TARGET_P99_MS ms at $CONNS connections | $(ms "${med_p99[$b/$s]}") ms | $(verdict "$(awk -v p="${med_p99[$b/$s]}" -v t="$TARGET_P99_MS" 'BEGIN { print (p < t * 1000) }')") |"
  done
  if [ -n "${last_rss[$b]:-}" ]; then
    echo "| server RSS < $TARGET_RSS_MIB MiB | $((last_rss[$b] / 1024)) MiB after the last scenario (the store file's map left out) | $(verdict "$(awk -v k="${last_rss[$b]}" -v t="$TARGET_RSS_MIB" 'BEGIN { print (k < t * 1024) }')") |"
  fi
  if [ "$store_sqlite_n" -lt "$TARGET_CASES" ]; then
    echo "| (the store) | $store_sqlite_n cases, not $TARGET_CASES | the targets are for $TARGET_CASES |"
  fi
}

mkdir -p "$(dirname "$OUT")"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
t_start=$(date +%s)
ceil_nginx="" ceil_sqlite="" store_sqlite_n=0
for backend in $BACKENDS; do
  run_backend "$backend"
  if [ "$backend" = sqlite ]; then
    store_sqlite_n=$store_n
    if [ "$CEILINGS" -gt 0 ]; then
      ceiling_nginx
      ceiling_sqlite_raw
    fi
  fi
done
if [ -n "$pg_dir" ]; then
  "$root/scripts/pg-tmp.sh" stop "$pg_dir" || true
  rm -rf "$pg_dir"
  pg_dir=""
fi
elapsed=$(($(date +%s) - t_start))

# --- report ---------------------------------------------------------------------------------
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ] && dirty=" (src/ has uncommitted changes)"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
  echo "# Bianmin case-handling benchmark, $started"
  echo
  echo "- machine: $(nproc) CPU ($cpu), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r); stores in $tmp_root ($(df -PT "$tmp_root" | awk 'NR == 2 { print $2 }'))"
  damon=$(damon_note)
  [ -z "$damon" ] || echo "- $damon"
  if [ -n "${BENCH_BIN:-}" ]; then
    echo "- binary: $src_bin ($bin_version, sha256 $bin_sha)"
  else
    echo "- binary: build/bianmin ($bin_version, sha256 $bin_sha), working tree at commit $commit$dirty"
  fi
  echo "- command: ${BENCH_BIN:+BENCH_BIN=$src_bin }BENCH_CASES=$CASES BENCH_PG_CASES=$PG_CASES BENCH_SECONDS=$SECS BENCH_RUNS=$RUNS BENCH_CONNS=$CONNS BENCH_THREADS=$THREADS BENCH_WARMUP=$WARMUP BENCH_SAMPLE=$SAMPLE BENCH_BACKENDS=\"$BACKENDS\"${BENCH_SCENARIOS:+ BENCH_SCENARIOS=\"$SCENARIOS\"}${BENCH_SERVE_ARGS:+ BENCH_SERVE_ARGS=\"$BENCH_SERVE_ARGS\"} bench/cases.sh ($((elapsed / 60)) min $((elapsed % 60)) s)"
  echo "- $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2), $THREADS threads, $CONNS keep-alive connections, ${SECS}s per run after a ${WARMUP}s warm-up"
  echo
  echo "## Generating the store"
  echo
  echo "\`bianmin demo --db STORE --no-serve --cases N\`: the demo county and catalog, then N cases written"
  echo "straight to the store; wall time of the whole command."
  echo
  echo "| backend | cases | time | cases/s | store size | durability while generating |"
  echo "|---|---:|---:|---:|---:|---|"
  printf '%s\n' "${gens[@]}"
  echo
  echo "## Scenarios"
  echo
  echo "Medians of $RUNS runs; errors are all runs together; CPU is per request (user + system);"
  echo "RSS is the server's after the last run, without the pages of the store file that SQLite's read connections map (the operating system's cache of the file; a note gives them); \"cases\" is the store's count before the scenario."
  echo "wrk gives up on answers slower than 5 s and counts them as timeouts (socket errors): a"
  echo "percentile shown as ≥ 5000 ms had that many of them."
  echo
  echo "| backend | scenario | cases | req/s | p50 ms | p99 ms | errors | server CPU µs/req | PostgreSQL CPU µs/req | server RSS MiB | target |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  if [ ${#ceil_rows[@]} -gt 0 ]; then
    echo "## Ceilings"
    echo
    echo "Measured in the same run, right after the sqlite backend, with the same wrk settings"
    echo "(medians of $RUNS runs)."
    echo
    echo "| ceiling | req/s | p50 ms | p99 ms | errors | CPU µs/req | RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ceil_rows[@]}"
    echo
  fi
  if [[ " $BACKENDS " == *" sqlite "* ]]; then
    echo "## Targets (issue 8: 2 cores, SQLite, $TARGET_CASES cases)"
    echo
    echo "| target | figure | verdict |"
    echo "|---|---:|---|"
    target_rows
    echo
  fi
  echo "## Every run"
  echo
  echo "\"rest of machine\" is the CPU used during the run by everything but the server, PostgreSQL"
  echo "and wrk, and \"steal\" the time the hypervisor gave to other guests, both as shares of all"
  echo "CPUs: high values mark a disturbed run."
  echo
  echo "| backend | scenario | run | requests | req/s | p50 ms | p99 ms | server 2xx | server non-2xx | wrk status ≥ 400 | socket errors | server CPU µs/req | PostgreSQL CPU µs/req | wrk CPU µs/req | rest of machine % | steal % | RSS MiB |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${runs[@]}"
  echo
  echo "## Notes"
  echo
  printf -- '- %s\n' "${notes[@]}"
  if [ ${#perf_files[@]} -gt 0 ]; then
    echo
    echo "Profiles (BENCH_PERF=1): ${perf_files[*]#"$root/"}"
  fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
say "report written to $OUT"
