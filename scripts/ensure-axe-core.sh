#!/usr/bin/env bash
# Install axe-core (MPL-2.0) for the accessibility checks of tests/browser: `npm ci` from the
# npm registry into tests/browser/node_modules, exactly the version in package-lock.json.
# The tests load it from there; nothing is downloaded while they run.
set -euo pipefail
browser_tests="$(dirname "$0")/../tests/browser"
installed="$browser_tests/node_modules/.package-lock.json"
if [[ -f $installed && -f $browser_tests/node_modules/axe-core/axe.min.js
      && ! $browser_tests/package-lock.json -nt $installed ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "Installeer eerst Node.js en npm: apt-get install nodejs npm" >&2
  exit 1
fi
echo "== Installing axe-core (npm ci in tests/browser)"
npm ci --prefix "$browser_tests" --no-audit --no-fund --loglevel=error
