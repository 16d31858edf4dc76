#!/usr/bin/env bash
# Installs the Debian 12 packages Bianmin needs to build, test and run, when they are
# missing. Called by `make demo` and `make test`; safe to run again.
set -euo pipefail

pkgs=(
  build-essential pkg-config
  libevent-dev libjansson-dev libsodium-dev libsqlite3-dev sqlite3 libpq-dev libxlsxwriter-dev libzip-dev libexpat1-dev libqrencode-dev libcurl4-openssl-dev
  postgresql postgresql-contrib
  libcmocka-dev libcurl4-openssl-dev python3 faketime
  wrk                 # bench/*.sh
  nginx-light         # bench/cases.sh: the static-file ceiling
  clang libclang-rt-14-dev  # fuzz targets (make fuzz-smoke, make fuzz): libclang_rt.fuzzer
  chromium            # web UI browser tests (make e2e): /usr/bin/chromium
)
# The web UI is built with Node.js and npm; a machine that already has them (Debian's
# or another packaging) keeps its own.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
