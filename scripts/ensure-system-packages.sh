#!/usr/bin/env bash
# Install the Debian packages KRSD needs when they are missing (never a browser download).
#   run:  fonts-dejavu-core (the TrueType font embedded in certificates and portfolio PDFs)
#   test: the same, plus chromium (browser tests), poppler-utils and zbar-tools (reading
#         PDFs and decoding QR codes in tests), nodejs and npm when there is no npm yet; then
#         axe-core (the accessibility checks) from the npm registry into tests/browser/node_modules,
#         pinned by tests/browser/package-lock.json. PostgreSQL comes from with-postgres.sh.
#   bench: the same as run, plus wrk (the HTTP load generator of `make bench`); PostgreSQL
#         and Redis come from with-postgres.sh and with-redis.sh.
set -euo pipefail
purpose=${1:-run}
wanted=(fonts-dejavu-core)
[[ $purpose == test ]] && wanted+=(chromium poppler-utils zbar-tools)
[[ $purpose == bench ]] && wanted+=(wrk)
# Any npm will do (NodeSource's nodejs brings its own); Debian's when there is none.
[[ $purpose == test ]] && ! command -v npm >/dev/null && wanted+=(nodejs npm)

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
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
fi

[[ $purpose == test ]] && exec "$(dirname "$0")/ensure-axe-core.sh"
exit 0
