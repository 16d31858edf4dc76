#!/usr/bin/env bash
# Enforces the one-way module dependencies of docs/c-style.md section 2 by reading
# the #include lines of each module.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check() { # dir, forbidden regex, reason
  local hits
  hits=$(grep -rnE "^#include[[:space:]]+[<\"]($2)" "$1" --include='*.c' --include='*.h' || true)
  if [ -n "$hits" ]; then echo "$hits"; echo "check-includes: $1 must not include $3" >&2; fail=1; fi
}
check src/util  'core/|store/|http/|api/|cli/|event2/|jansson|sqlite3|libpq|sodium' 'other modules or libraries'
check src/core  'store/|http/|api/|cli/|event2/|jansson|sqlite3|libpq' 'store, http, api, jansson or database headers'
check src/store 'http/|api/|cli/|event2/|jansson' 'http, api or jansson'
check src/api   'http/|cli/|event2/|sqlite3|libpq|store/sqlite|store/pg' 'http, libevent or backend headers'
check src/io    'http/|api/|cli/|event2/|sqlite3|libpq|store/sqlite|store/pg' 'http, api, cli or backend headers'
check src/http  'cli/|jansson|sqlite3|libpq|store/sqlite|store/pg' 'jansson or store backends'
hits=$(grep -rnE 'sqlite3\.h' src --include='*.c' --include='*.h' | grep -v '^src/store/sqlite/' || true)
[ -n "$hits" ] && { echo "$hits"; echo "check-includes: only src/store/sqlite may include sqlite3.h" >&2; fail=1; }
[ $fail -eq 0 ] && echo "check-includes: ok"
exit $fail
