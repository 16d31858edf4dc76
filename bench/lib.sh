# Shell helpers shared by the benchmark runners (sourced by run.sh and cases.sh): JSON
# fields, medians, and CPU accounting from /proc. children_ms needs $work set.

json_get() { # json_get EXPR < JSON: prints EXPR evaluated on the parsed document `d`
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
    if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# CPU time (clock ticks, user + system, all threads) of the given processes.
cpu_ticks() {
  local p t=0 n
  for p in "$@"; do
    n=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + n))
  done
  echo "$t"
}

# "BUSY STEAL TOTAL": clock ticks of the whole machine: busy (user, nice, system, irq,
# softirq), stolen by the hypervisor, and in all.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# KiB resident in process PID's mappings of FILE (ONLY=1), or in all its others (ONLY=0).
# The server's memory is the second: SQLite's read connections map the store file
# (src/store/sqlite/mapvfs.c), and its pages there are the operating system's cache of the
# file, which reads through pread use as well, kept or dropped by the kernel and counted
# again in every connection's map; not the server's own memory.
map_rss_kib() { # map_rss_kib PID FILE ONLY
  awk -v db=" $(realpath -m "$2")" -v only="$3" '
    /^[0-9a-f]+-[0-9a-f]+ / { in_file = substr($0, length($0) - length(db) + 1) == db }
    $1 == "Rss:" && in_file == only { kib += $2 }
    END { print kib + 0 }' "/proc/$1/smaps"
}

# A line about the kernel's DAMON when it is running, else nothing. A DAMON "pageout"
# scheme in physical-address mode (as on the paravirtualised guests these figures come from)
# walks every mapping of the pages it checks: with the store file mapped by the read
# connections its kernel thread took 3 % of the CPU in bursts, and the case read's p99 went
# from 7 ms to 20-30 ms; with DAMON off, 6.6-7.7 ms (docs/performance.md).
damon_note() {
  local k d out=""
  for k in /sys/kernel/mm/damon/admin/kdamonds/[0-9]*; do
    [ "$(cat "$k/state" 2>/dev/null)" = on ] || continue
    for d in "$k"/contexts/[0-9]*; do
      out+="${out:+; }$(cat "$d/operations" 2>/dev/null) mode, schemes: $(cat "$d"/schemes/[0-9]*/action 2>/dev/null | paste -sd, -)"
    done
  done
  [ -z "$out" ] || echo "the kernel's DAMON is running ($out): it slows reads through memory maps (bench/lib.sh damon_note)"
}

# Sets cms to the CPU time (ms) of this shell's finished children (wrk, through timeout),
# from `times` (which must run in this shell, not in a $(...) subshell).
children_ms() {
  times >"$work/times"
  cms=$(awk 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60000 + p[2] * 1000 }
    printf "%d\n", t }' "$work/times")
}
