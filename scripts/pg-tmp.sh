#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: `pg-tmp.sh start DIR` initialises a cluster in
# DIR, starts it on a free loopback port as the `postgres` system user (the server refuses
# to run as root), creates the database `bianmin` and prints its URL; `pg-tmp.sh stop DIR`
# stops it. Nothing outside DIR is touched. Tests run it with fsync and synchronous commit
# off, for speed; PG_DURABLE=1 keeps PostgreSQL's durable defaults (bench/run.sh uses that for
# a fair write comparison with SQLite's synchronous=FULL).
set -euo pipefail

cmd=${1:?usage: pg-tmp.sh start|stop DIR}
dir=${2:?usage: pg-tmp.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-tmp: PostgreSQL server not installed (scripts/deps.sh)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${PG_DURABLE:-0}" = 1 ] && speed=""

case $cmd in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  # A free loopback port: nothing answers a connection to it.
  port=
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
  [ -n "$port" ] || { echo "pg-tmp: no free port" >&2; exit 1; }
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $speed" \
    start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres bianmin
  echo "$port" >"$dir/port"
  echo "postgres://postgres@127.0.0.1:$port/bianmin"
  ;;
stop)
  [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*)
  echo "usage: pg-tmp.sh start|stop DIR" >&2; exit 2 ;;
esac
