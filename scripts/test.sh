#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a throwaway
# MariaDB if none answers, and runs every test (unit, integration, MySQL,
# SDK, deployment files) through CTest; then again under the sanitizers, and
# the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BUILD_DIR="${1:-build}"

scripts/install-deps.sh --test
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGEMPOOL_BUILD_TESTS=ON -DGEMPOOL_UNITY_BUILD=all >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

# shellcheck source=lib/background.sh
source scripts/lib/background.sh
eval "$(scripts/mariadb-test-server.sh start)"
export GEMPOOL_REQUIRE_MYSQL=1
# Stop the server afterwards only if this run started it.
if [ "${GEMPOOL_TEST_MYSQL_STARTED:-}" = 1 ]; then
  trap 'background_stop_all; "$ROOT/scripts/mariadb-test-server.sh" stop' EXIT
else
  trap background_stop_all EXIT
fi

# After the ordinary suite: the same suite built with clang + AddressSanitizer
# + UndefinedBehaviorSanitizer, and the concurrency tests with
# ThreadSanitizer (scripts/test-sanitize.sh, which is also `make
# test-sanitize`); then every fuzz target for a fixed number of executions,
# from the same ASan build (`make fuzz` runs them longer). The ASan tree
# builds in the background while the ordinary suite runs (scripts/lib/background.sh).
# On a small disk the ordinary build's objects go first (its binaries stay):
# two build trees do not fit everywhere (a CI disk filled once).
free_kb=$(df --output=avail -k "$BUILD_DIR" | tail -1)
if [ "$free_kb" -lt $((8 * 1024 * 1024)) ]; then
  echo "test: $((free_kb / 1024)) MiB free: removing $BUILD_DIR's object files before the sanitizer builds"
  find "$BUILD_DIR" -name '*.o' -delete
fi
mkdir -p "${BUILD_DIR}-asan"
background_start "the ASan + UBSan build" "$(pwd)/${BUILD_DIR}-asan/build.log" \
  scripts/test-sanitize.sh --build-asan "${BUILD_DIR}-asan"

(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 600 -j "${GEMPOOL_TEST_JOBS:-2}")

background_finish "the ASan + UBSan build"
scripts/test-sanitize.sh --after-asan-build "${BUILD_DIR}-asan" "${BUILD_DIR}-tsan"
scripts/fuzz.sh --short "${BUILD_DIR}-asan"
