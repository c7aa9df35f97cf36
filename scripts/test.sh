#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a throwaway
# MariaDB if none answers, and runs every test (unit, integration, MySQL,
# SDK, deployment files) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BUILD_DIR="${1:-build}"

scripts/install-deps.sh --test
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGEMPOOL_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

eval "$(scripts/mariadb-test-server.sh start)"
export GEMPOOL_REQUIRE_MYSQL=1
# Stop the server afterwards only if this run started it.
if [ "${GEMPOOL_TEST_MYSQL_STARTED:-}" = 1 ]; then
  trap '"$ROOT/scripts/mariadb-test-server.sh" stop' EXIT
fi

(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 600 -j "${GEMPOOL_TEST_JOBS:-2}")

# Every fuzz target, a fixed number of executions from its seeds, built with
# clang + ASan + UBSan in the ASan build directory (only the fuzzers and what
# they link are compiled here): `make fuzz` runs them longer. The whole suite
# under the sanitizers is `make test-sanitize` (scripts/test-sanitize.sh).
# On a small disk the ordinary build's objects go first (its binaries stay):
# two build trees do not fit everywhere (a CI disk filled once).
free_kb=$(df --output=avail -k "$BUILD_DIR" | tail -1)
if [ "$free_kb" -lt $((8 * 1024 * 1024)) ]; then
  echo "test: $((free_kb / 1024)) MiB free: removing $BUILD_DIR's object files before the fuzz build"
  find "$BUILD_DIR" -name '*.o' -delete
fi
scripts/fuzz.sh --short "${BUILD_DIR}-asan"
