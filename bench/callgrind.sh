#!/usr/bin/env bash
# Instructions per request of one route, counted by valgrind's callgrind: unlike a wall-clock
# benchmark it does not depend on what else the machine is doing, so it shows what a code
# change saves even on a busy shared machine.
#
#   make && bench/callgrind.sh                       # GET /api/v1/cases/{case_no}, 200 times
#   BENCH_REQUESTS=500 BENCH_FUNC=on_request bench/callgrind.sh   # the whole request
#   BENCH_PATH='/api/v1/cases?status=open&sort=deadline' BENCH_FUNC=on_request bench/callgrind.sh
#   BENCH_CREATE=1 BENCH_FUNC=on_request bench/callgrind.sh   # POST /api/v1/cases, accepted
#
# Makes a demo store (`bianmin demo --no-serve`; BENCH_DB=FILE copies a kept one, with its
# .key file, instead, so that two binaries can be compared on the same case; its users
# need the password Bianmin2026) in a temporary folder, runs
# build/bianmin serve under callgrind collecting only inside BENCH_FUNC (default
# bm_api_cases_get, the case read's handler: store reads, the JSON and its text), logs in as
# the county supervisor, reads one case in processing (or BENCH_PATH, where {case_no} stands
# for that case) BENCH_REQUESTS times with curl (after the first, over one connection), stops
# the server and prints the instructions per request and the top functions (BENCH_TOP of them, 26 by default). With BENCH_CREATE=1
# it instead opens and accepts BENCH_REQUESTS window cases as the clerk xtgz_clerk, with the
# body bench/cases.sh's `create` sends (the first published county-wide item for residents,
# every material provided, one valid resident ID number). The first requests
# also prepare each SQL statement once per connection: use 200 or more so that this fades.
# BENCH_CG_OUT=FILE keeps the raw profile. Loopback only; the server and the folder are removed on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BENCH_BIN:-$root/build/bianmin}
n=${BENCH_REQUESTS:-200}
func=${BENCH_FUNC:-bm_api_cases_get}
path=${BENCH_PATH:-'/api/v1/cases/{case_no}'}
[ -x "$bin" ] || { echo "callgrind.sh: $bin not found: run make first" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || { echo "BENCH_REQUESTS must be a positive number" >&2; exit 1; }

work=$(mktemp -d /tmp/bianmin-callgrind.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
if [ -n "${BENCH_DB:-}" ]; then
  # A kept store (copied), so that two binaries read the very same case.
  cp "$BENCH_DB" d.db
  cp "$BENCH_DB.key" d.db.key
else
  BIANMIN_DEMO_PASSWORD=Bianmin2026 BIANMIN_ADMIN_PASSWORD=Bianmin2026 timeout 600 \
    "$bin" demo --db d.db --no-serve >demo.out 2>&1 || { tail -n 5 demo.out >&2; exit 1; }
fi
case_no=$(sqlite3 -readonly d.db "SELECT case_no FROM cases WHERE status = 'processing' ORDER BY id LIMIT 1")
path=${path//\{case_no\}/$case_no}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --callgrind-out-file=cg.out --toggle-collect="$func" \
  "$bin" serve --db d.db --listen "127.0.0.1:$port" --web "$root/web/placeholder" >serve.out 2>serve.err &
pid=$!
for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
user=supervisor
[ "${BENCH_CREATE:-0}" = 1 ] && user=xtgz_clerk
csrf=$(curl -sSf -c ck -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"Bianmin2026\"}" \
  "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
if [ "${BENCH_CREATE:-0}" = 1 ]; then
  curl -sSf "http://127.0.0.1:$port/api/v1/items?limit=100" >items.json
  id=$(python3 -c 'import json; d = json.load(open("items.json")); print(min(i["id"] for i in d["items"] if i["county_wide"] and i["status"] == "published" and "natural_person" in i["service_objects"]))')
  curl -sSf "http://127.0.0.1:$port/api/v1/items/$id" | python3 -c '
import json, sys
item = json.load(sys.stdin)
print(json.dumps({"item_id": item["id"], "channel": "window",
                  "applicant": {"name": "张三", "id_type": "resident_id", "id_number": "11010519491231002X", "phone": "13800138000"},
                  "materials": [{"name": m["name"], "provided": True} for m in item["materials"]],
                  "accept": True}, ensure_ascii=False))' >body.json
  path=/api/v1/cases
  req=(-b ck -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data-binary @body.json)
  method=POST
else
  req=(-b ck)
  method=GET
fi
size=$(curl -sSf "${req[@]}" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$path")
# The rest over one kept-alive connection, as browsers and bench/cases.sh's wrk send them: a
# connection per request would add its setup and teardown to every request's count.
for _ in $(seq $((n - 1))); do printf 'url = "http://127.0.0.1:%s%s"\noutput = /dev/null\n' "$port" "$path"; done >urls
[ "$n" -gt 1 ] && curl -sSf "${req[@]}" -K urls
kill -TERM "$pid"
wait "$pid" || true
pid=""
total=$(callgrind_annotate cg.out 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
# The commit names the binary only when it is this tree's build.
label=$bin
[ -z "${BENCH_BIN:-}" ] && label="commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "$method $path ($size bytes), $n requests, collecting in $func:"
echo "  $(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.0f", t / n }') instructions per request ($label)"
echo
echo "Top functions with callees (inclusive):"
callgrind_annotate --inclusive=yes cg.out 2>/dev/null | sed -n '/Ir  *file:function/,$p' | sed -n "3,$((2 + ${BENCH_TOP:-26}))p"
# The raw profile, for callgrind_annotate --tree=caller or kcachegrind.
[ -n "${BENCH_CG_OUT:-}" ] && cp cg.out "$BENCH_CG_OUT"
