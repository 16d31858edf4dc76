#!/usr/bin/env bash
# Fails when C sources use functions the house style bans (docs/c-style.md section 6).
set -euo pipefail
cd "$(dirname "$0")/.."
pat='\b(strcpy|strcat|sprintf|vsprintf|strncpy|strtok|atoi|atol|gets)[[:space:]]*\('
if grep -rnE "$pat" src tests --include='*.c' --include='*.h'; then
  echo "check-banned: banned functions found (see docs/c-style.md)" >&2
  exit 1
fi
echo "check-banned: ok"
