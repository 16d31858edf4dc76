#!/usr/bin/env bash
# Bianmin benchmarks: the same wrk workloads against `bianmin serve` on each store backend.
#
#   make && bench/run.sh                 # about 7.5 minutes with the defaults on 2 cores
#   BENCH_SECONDS=5 BENCH_RUNS=5 bench/run.sh
#
# For each backend it makes a fresh store with the demo county, starts a copy of the release
# binary (build/bianmin, which it never builds) on a free loopback port, logs in as `admin`
# with curl, and runs every scenario BENCH_RUNS times for BENCH_SECONDS with wrk
# (BENCH_THREADS threads, BENCH_CONNS keep-alive connections), after a BENCH_WARMUP-second
# warm-up that is not counted. Scenarios run in the order below, the write last (it grows
# the tree that `tree` reads). It reports per scenario the median requests/s, median p50
# and p99 latency, the errors of all runs together (socket errors, and answers outside 2xx
# counted by the server's /metrics and by wrk), the CPU the server and PostgreSQL spent per
# request, and the server's RSS after the last run; per run also wrk's CPU, the CPU the
# rest of the machine used and the hypervisor's steal (to spot disturbed runs); per backend
# a check that every 2xx write appended exactly one audit entry, the audit chain verified,
# warnings from the logs and, on PostgreSQL, its sequential-scan counts. The Markdown report
# goes to stdout and to bench/results/latest.md; progress goes to stderr.
#
# Backends (BENCH_BACKENDS, in this order by default):
#   sqlite            a SQLite file in a temporary folder (WAL, group commit: no commit acknowledged before fdatasync)
#   postgres          scripts/pg-tmp.sh: fsync=off, synchronous_commit=off (a test server)
#   postgres-durable  scripts/pg-tmp.sh with PG_DURABLE=1: fsync=on, synchronous_commit=on; runs only the
#                     scenarios in BENCH_DURABLE_SCENARIOS (default: write)
# Scenarios (BENCH_SCENARIOS): healthz me org_unit tree users write.
# Other settings: BENCH_BIN (the binary to measure, default build/bianmin; a copy is run),
# BENCH_SEED_USERS (48: accounts added to the demo's 12 so that
# `users?limit=50` returns a full page; 0 = none), BENCH_SERVE_ARGS (extra `serve` flags,
# e.g. "--log-level warn"), BENCH_OUT (report file).
#
# Every process it starts listens on 127.0.0.1 only; every wrk, curl and server start is
# bounded in time; the servers and temporary folders are removed on exit, also on error or
# Ctrl-C. Nothing here asserts on timings: the figures are for docs/performance.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
src_bin=${BENCH_BIN:-$root/build/bianmin}

SECS=${BENCH_SECONDS:-10}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2}
SEED_USERS=${BENCH_SEED_USERS:-48}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres postgres-durable}
SCENARIOS=${BENCH_SCENARIOS:-healthz me org_unit tree users write}
DURABLE_SCENARIOS=${BENCH_DURABLE_SCENARIOS:-write}
OUT=${BENCH_OUT:-$here/results/latest.md}
read -r -a serve_extra <<<"${BENCH_SERVE_ARGS:-}"

PASSWORD=Bianmin2026
ALL_SCENARIOS="healthz me org_unit tree users write"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for v in SECS RUNS CONNS THREADS WARMUP SEED_USERS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a whole number (got '${!v}')"
done
if [ "$SECS" -lt 1 ] || [ "$RUNS" -lt 1 ] || [ "$THREADS" -lt 1 ]; then
  die "BENCH_SECONDS, BENCH_RUNS and BENCH_THREADS must be at least 1"
fi
[ "$CONNS" -ge "$THREADS" ] || die "BENCH_CONNS must be at least BENCH_THREADS"
for s in $SCENARIOS $DURABLE_SCENARIOS; do
  [[ " $ALL_SCENARIOS " == *" $s "* ]] || die "unknown scenario '$s' (known: $ALL_SCENARIOS)"
done
for b in $BACKENDS; do
  case $b in sqlite | postgres | postgres-durable) ;; *) die "unknown backend '$b'" ;; esac
done

# Settings from the caller's environment would change what is measured.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^BIANMIN_' || true)

# --- tools --------------------------------------------------------------------------------
[ -x "$src_bin" ] || die "$src_bin not found: run \`make\` first (this script builds nothing)"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
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
fi
CLK_TCK=$(getconf CLK_TCK)

# --- state and clean-up ---------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-bench.XXXXXX")
pg_dirs=()     # PostgreSQL folders started, with the script that stops each
pg_ctls=()
server_pid=""

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
  stop_server || true
  local i
  for i in "${!pg_dirs[@]}"; do
    "${pg_ctls[$i]}" stop "${pg_dirs[$i]}" || true
    rm -rf "${pg_dirs[$i]}"
  done
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

# The PostgreSQL server's processes: the postmaster and its children (the backends serving
# bianmin's connections live as long as the server, so their CPU time adds up).
pg_pids() {
  [ -n "${pg_dir:-}" ] || return 0
  local pm
  pm=$(head -n 1 "$pg_dir/data/postmaster.pid")
  echo "$pm"
  cat /proc/"$pm"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}

# The server's memory without its map of the store file (map_rss_kib, lib.sh).
rss_kib() { map_rss_kib "$server_pid" "$db" 0; }

# "OK BAD": answers of route label $1 so far, 2xx and other, from the server's /metrics.
route_counts() {
  curl -sS --max-time 10 "$base/metrics" | awk -v r="route=\"$1\"" '
    index($0, "bianmin_http_requests_total{") == 1 && index($0, r) {
      if (index($0, "status=\"2")) ok += $NF; else bad += $NF }
    END { printf "%d %d\n", ok, bad }'
}

api() { # api METHOD PATH [BODY]: prints the body, fails on a status outside 2xx
  local code body=()
  [ $# -ge 3 ] && body=(-H 'Content-Type: application/json' --data-binary "$3")
  code=$(curl -sS --max-time 30 -o "$work/api.body" -w '%{http_code}' -X "$1" \
    -b "$cookie" -H "X-CSRF-Token: $csrf" "${body[@]}" "$base$2") || die "$1 $2: curl failed"
  [[ $code == 2* ]] || die "$1 $2 answered $code: $(head -c 500 "$work/api.body")"
  cat "$work/api.body"
}

start_server() { # start_server DB DIR: sets server_pid, base
  mkdir -p "$2/web" # no static files are measured: an empty web folder
  "$bin" serve --db "$1" --listen 127.0.0.1:0 --web "$2/web" "${serve_extra[@]}" \
    >"$2/serve.out" 2>"$2/serve.err" &
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

login() { # sets cookie, csrf
  local resp session
  resp=$(curl -sS --max-time 30 -c "$work/cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session") ||
    die "log-in failed"
  csrf=$(printf '%s' "$resp" | json_get 'd["csrf_token"]') || die "log-in failed: $resp"
  session=$(awk '$6 == "bm_session" { print $7 }' "$work/cookies")
  [ -n "$session" ] || die "log-in set no bm_session cookie"
  cookie="bm_session=$session"
}

# wrk_run SECONDS SCRIPT PATH OUTFILE
wrk_run() {
  BENCH_LUA_DIR=$here BENCH_COOKIE=$wrk_cookie BENCH_CSRF=$csrf BENCH_PARENT_ID=$parent_id \
    BENCH_TAG=$tag timeout -k 5 $(($1 + 60)) \
    wrk -t"$THREADS" -c"$CONNS" -d"$1s" --timeout 5s -s "$here/$2" "$base$3" >"$4" 2>&1 ||
    die "wrk failed: $(tail -n 5 "$4")"
  grep -q '^BENCH_RESULT ' "$4" || die "wrk printed no result: $(tail -n 5 "$4")"
}

# --- scenarios ------------------------------------------------------------------------------
# scenario NAME: sets title, script, path, route, wrk_cookie
scenario() {
  wrk_cookie=$cookie script=get.lua
  case $1 in
    healthz) title="GET /healthz" path=/healthz route="GET /healthz" wrk_cookie="" ;;
    me) title="GET /api/v1/me" path=/api/v1/me route="GET /api/v1/me" ;;
    org_unit) title="GET /api/v1/org-units/{id}" path=/api/v1/org-units/$parent_id route="GET /api/v1/org-units/{id}" ;;
    tree) title="GET /api/v1/org-units?flat=true" path="/api/v1/org-units?flat=true" route="GET /api/v1/org-units" ;;
    users) title="GET /api/v1/users?limit=50" path="/api/v1/users?limit=50" route="GET /api/v1/users" ;;
    write) title="POST /api/v1/org-units" path=/api/v1/org-units route="POST /api/v1/org-units" script=post_org_unit.lua ;;
  esac
}

rows=()     # summary table rows
runs=()     # every run
notes=()

run_backend() {
  local backend=$1 dir db scen scenarios
  dir=$work/$backend
  mkdir -p "$dir"
  pg_dir=""
  case $backend in
    sqlite)
      db=$dir/bianmin.db
      scenarios=$SCENARIOS
      ;;
    postgres | postgres-durable)
      local ctl=$root/scripts/pg-tmp.sh durable=0
      [ "$backend" = postgres-durable ] && durable=1
      pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-bench-pg.XXXXXX")
      pg_dirs+=("$pg_dir")
      pg_ctls+=("$ctl")
      say "$backend: starting PostgreSQL (pg-tmp.sh, PG_DURABLE=$durable)"
      db=$(PG_DURABLE=$durable timeout 120 "$ctl" start "$pg_dir") || die "$backend: PostgreSQL did not start"
      scenarios=$SCENARIOS
      [ "$backend" = postgres-durable ] && scenarios=$DURABLE_SCENARIOS
      ;;
  esac

  local load0
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  say "$backend: creating the demo county"
  BIANMIN_DEMO_PASSWORD=$PASSWORD BIANMIN_ADMIN_PASSWORD=$PASSWORD \
    timeout 300 "$bin" demo --db "$db" --no-serve >"$dir/demo.out" 2>"$dir/demo.err" ||
    die "$backend: bianmin demo failed: $(tail -n 5 "$dir/demo.err")"
  start_server "$db" "$dir"
  say "$backend: serving on $base ($listening)"
  login

  local tree
  tree=$(api GET "/api/v1/org-units?flat=true")
  parent_id=$(printf '%s' "$tree" | json_get '[u["id"] for u in d["items"] if u["name"] == "西田各庄镇"][0]') ||
    die "$backend: 西田各庄镇 not found in the demo tree"
  local centre units0
  centre=$(printf '%s' "$tree" | json_get '[u["id"] for u in d["items"] if u["name"] == "西田各庄镇便民服务中心"][0]')
  units0=$(printf '%s' "$tree" | json_get 'len(d["items"])')

  if [[ " $scenarios " == *" users "* ]] && [ "$SEED_USERS" -gt 0 ]; then
    say "$backend: adding $SEED_USERS accounts (argon2id each, a few seconds)"
    local i
    for i in $(seq "$SEED_USERS"); do
      api POST /api/v1/users "$(printf '{"username":"bench_%03d","password":"%s","display_name":"压测用户%d","roles":["clerk"],"org_unit_id":%d}' \
        "$i" "$PASSWORD" "$i" "$centre")" >/dev/null
    done
  fi
  local nusers
  nusers=$(api GET "/api/v1/users?limit=50" | json_get 'len(d["items"])')
  notes+=("$backend: demo tree $units0 units, users page of $nusers rows; server: $listening")

  for scen in $scenarios; do
    scenario "$scen"
    tag="$backend-$scen-$$"
    local ok0 ok1 audit0 audit1 pgp=()
    read -r ok0 _ < <(route_counts "$route")
    audit0=$(api GET "/api/v1/audit?limit=1" | json_get 'd["items"][0]["id"]')
    # one request by hand first, so that a wrong set-up stops here with its answer
    if [ "$scen" = write ]; then
      api POST "$path" "{\"name\":\"压测办公室-$tag-preflight\",\"kind\":\"office\",\"parent_id\":$parent_id}" >/dev/null
    elif [ "$scen" = healthz ]; then
      curl -sSf --max-time 10 "$base$path" >/dev/null || die "$backend: $path failed"
    else
      api GET "$path" >/dev/null
    fi
    if [ "$WARMUP" -gt 0 ]; then
      say "$backend: $title: warm-up ${WARMUP}s"
      wrk_run "$WARMUP" "$script" "$path" "$dir/wrk-$scen-warmup.txt"
    fi
    local r rps=() p50=() p99=() errs=0 scpu=() dcpu=() rss=0 kv kvs=()
    local -A w
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
      wrk_run "$SECS" "$script" "$path" "$out"
      children_ms
      c1=$cms
      read -r mb1 ms1 mt1 < <(machine_ticks)
      s1=$(cpu_ticks "$server_pid")
      # PostgreSQL processes started during the run (autovacuum workers) count in full.
      mapfile -t pgp1 < <({ printf '%s\n' "${pgp[@]}"; pg_pids; } | grep . | sort -u)
      d1=$(cpu_ticks "${pgp1[@]}")
      [ "$d1" -ge "$d0" ] || d1=$d0
      # What the rest of the machine used meanwhile (other processes, interrupts), and what
      # the hypervisor stole, as shares of all CPUs: high figures mark a disturbed run.
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
      [ -n "$pg_dir" ] && dcpu_r=$(awk -v t=$((d1 - d0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
      rps+=("${w[rps]}")
      p50+=("${w[p50_us]}")
      p99+=("${w[p99_us]}")
      scpu+=("$scpu_r")
      [ -n "$pg_dir" ] && dcpu+=("$dcpu_r")
      runs+=("| $backend | $title | $r | ${w[requests]} | ${w[rps]} | $(awk -v u="${w[p50_us]}" 'BEGIN{printf "%.2f", u/1000}') | $(awk -v u="${w[p99_us]}" 'BEGIN{printf "%.2f", u/1000}') | $((oka - okb)) | $server_bad | ${w[status_errors]} | $sock | $scpu_r | $dcpu_r | $(awk -v w=$((c1 - c0)) -v n="$n" 'BEGIN { printf "%.1f", w * 1000 / n }') | $other | $steal | $((rss / 1024)) |")
      say "$backend: $title: run $r: ${w[rps]} req/s, p50 ${w[p50_us]} µs, p99 ${w[p99_us]} µs, non-2xx $bad, socket errors $sock, rest of machine ${other}%, steal ${steal}%"
    done
    local m_rps m_p50 m_p99 m_scpu m_dcpu="—"
    m_rps=$(median "${rps[@]}")
    m_p50=$(median "${p50[@]}")
    m_p99=$(median "${p99[@]}")
    m_scpu=$(median "${scpu[@]}")
    [ -n "$pg_dir" ] && m_dcpu=$(median "${dcpu[@]}")
    rows+=("$(awk -v b="$backend" -v t="$title" -v q="$m_rps" -v a="$m_p50" -v z="$m_p99" \
      -v e="$errs" -v s="$m_scpu" -v d="$m_dcpu" -v m="$rss" 'BEGIN {
        if (d != "—") d = sprintf("%.0f", d)
        printf "| %s | `%s` | %.0f | %.2f | %.2f | %d | %.0f | %s | %.1f |", b, t, q, a / 1000, z / 1000, e, s, d, m / 1024 }')")

    if [ "$scen" = write ]; then
      # Every unit created appends one audit entry in its own transaction: the audit head
      # must have moved by exactly the number of 2xx answers.
      read -r ok1 _ < <(route_counts "$route")
      audit1=$(api GET "/api/v1/audit?limit=1" | json_get 'd["items"][0]["id"]')
      notes+=("$backend: write check: $((ok1 - ok0)) units created (2xx, pre-flight and warm-up included), audit head moved by $((audit1 - audit0))")
      [ $((audit1 - audit0)) -eq $((ok1 - ok0)) ] ||
        say "$backend: WARNING: audit entries added ($((audit1 - audit0))) differ from units created ($((ok1 - ok0)))"
      local vt
      vt=$(curl -sS --max-time 120 -o "$work/verify.json" -w '%{time_total}' -b "$cookie" "$base/api/v1/audit/verify") || vt=""
      if [ -n "$vt" ]; then
        notes+=("$backend: audit chain verify after the writes: $(head -c 300 "$work/verify.json") in ${vt}s (one request, not a scenario)")
      fi
    fi
  done

  stop_server
  notes+=("$backend: load average (1, 5, 15 min) $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after")
  local nwarn first
  nwarn=$(grep -c '"level":"\(warn\|error\)"' "$dir/serve.err" || true)
  first=$(grep -m1 '"level":"\(warn\|error\)"' "$dir/serve.err" | head -c 300 || true)
  notes+=("$backend: server log: $nwarn warn/error lines${first:+ (first: $first)}")
  grep -v '"event":"access"' "$dir/serve.err" >"$(dirname "$OUT")/server-$backend.log" || true
  if [ -n "$pg_dir" ]; then
    local pgw
    pgw=$(grep -c 'WARNING\|ERROR\|FATAL\|PANIC' "$pg_dir/server.log" || true)
    first=$(grep -m1 'WARNING\|ERROR\|FATAL\|PANIC' "$pg_dir/server.log" | head -c 300 || true)
    notes+=("$backend: PostgreSQL log: $pgw WARNING/ERROR/FATAL/PANIC lines${first:+ (first: $first)}")
    # Rows PostgreSQL read by sequential scans over the whole backend run (the server has
    # exited, so its connections' statistics are flushed): a point read or a write that
    # scans a table shows up here.
    local scans
    scans=$(psql -h 127.0.0.1 -p "$(cat "$pg_dir/port")" -U postgres -d bianmin -Atc \
      "SELECT string_agg(format('%s %s seq scans reading %s rows, %s index scans', relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0)), '; ' ORDER BY seq_tup_read DESC) FROM pg_stat_user_tables WHERE seq_tup_read > 0" 2>&1 | head -c 600 || true)
    notes+=("$backend: PostgreSQL table scans (whole run): ${scans:-none}")
    "${pg_ctls[-1]}" stop "$pg_dir" || true
  fi
  pg_dir=""
}

mkdir -p "$(dirname "$OUT")"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for backend in $BACKENDS; do
  run_backend "$backend"
done

# --- report ---------------------------------------------------------------------------------
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ] && dirty=" (src/ has uncommitted changes)"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
  echo "# Bianmin benchmark, $started"
  echo
  echo "- machine: $(nproc) CPU ($cpu), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r)"
  if [ -n "${BENCH_BIN:-}" ]; then
    echo "- binary: $src_bin ($bin_version, sha256 $bin_sha)"
  else
    echo "- binary: build/bianmin ($bin_version, sha256 $bin_sha), working tree at commit $commit$dirty"
  fi
  echo "- command: ${BENCH_BIN:+BENCH_BIN=$src_bin }BENCH_SECONDS=$SECS BENCH_RUNS=$RUNS BENCH_CONNS=$CONNS BENCH_THREADS=$THREADS BENCH_WARMUP=$WARMUP BENCH_SEED_USERS=$SEED_USERS BENCH_BACKENDS=\"$BACKENDS\"${BENCH_SERVE_ARGS:+ BENCH_SERVE_ARGS=\"$BENCH_SERVE_ARGS\"} bench/run.sh"
  echo "- $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2), $THREADS threads, $CONNS keep-alive connections, ${SECS}s per run after a ${WARMUP}s warm-up; user admin (county_admin)"
  echo
  echo "Medians of $RUNS runs; errors are all runs together; CPU is per request (user + system);"
  echo "RSS is the server's after the last run, without the pages of the store file that SQLite's read connections map (the operating system's cache of the file)."
  echo
  echo "| backend | scenario | req/s | p50 ms | p99 ms | errors | server CPU µs/req | PostgreSQL CPU µs/req | server RSS MiB |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "## Every run"
  echo
  echo "\"rest of machine\" is the CPU used during the run by everything but the server, PostgreSQL"
  echo "and wrk (other processes, interrupts), and \"steal\" the time the hypervisor gave to other"
  echo "guests, both as shares of all CPUs: high values mark a disturbed run."
  echo
  echo "| backend | scenario | run | requests | req/s | p50 ms | p99 ms | server 2xx | server non-2xx | wrk status ≥ 400 | socket errors | server CPU µs/req | PostgreSQL CPU µs/req | wrk CPU µs/req | rest of machine % | steal % | RSS MiB |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${runs[@]}"
  echo
  echo "## Notes"
  echo
  printf -- '- %s\n' "${notes[@]}"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
say "report written to $OUT"
