#!/usr/bin/env bash
# Runs the admin UI browser tests (playwright-core driving Debian's
# /usr/bin/chromium) against the gempool binaries in $GEMPOOL_BIN_DIR,
# installing the pinned packages from package-lock.json when needed.
#   GEMPOOL_BIN_DIR=/path/to/build tests/ui/run-tests.sh
set -euo pipefail
cd "$(dirname "$0")"
[ -x /usr/bin/chromium ] || { echo "chromium is not installed (scripts/install-deps.sh --test)"; exit 1; }
if [ ! -f node_modules/playwright-core/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec npm test --silent
