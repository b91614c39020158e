#!/usr/bin/env bash
# Install the Debian packages KRSD needs when they are missing (never a browser download).
#   run:  fonts-dejavu-core (the TrueType font embedded in certificates and portfolio PDFs)
#   test: the same, plus chromium (browser tests), poppler-utils and zbar-tools (reading
#         PDFs and decoding QR codes in tests); PostgreSQL comes from with-postgres.sh.
#   bench: the same as run, plus wrk (the HTTP load generator of `make bench`); PostgreSQL
#         and Redis come from with-postgres.sh and with-redis.sh.
set -euo pipefail
purpose=${1:-run}
wanted=(fonts-dejavu-core)
[[ $purpose == test ]] && wanted+=(chromium poppler-utils zbar-tools)
[[ $purpose == bench ]] && wanted+=(wrk)

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

echo "== Installing Debian packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "Installeer eerst: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
