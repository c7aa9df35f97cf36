#!/usr/bin/env bash
# make test-sanitize: the whole suite (unit, integration, MySQL, SDK, UI) built
# with AddressSanitizer + UndefinedBehaviorSanitizer, then the concurrency
# tests built with ThreadSanitizer (docs/reliability.md says which and why).
#   scripts/test-sanitize.sh [ASAN_DIR] [TSAN_DIR]      (build-asan, build-tsan)
# The TSan build runs in the background (nice 19) while the ASan suite runs.
# scripts/test.sh runs the two halves apart, to build the ASan tree while the
# ordinary suite runs:
#   scripts/test-sanitize.sh --build-asan ASAN_DIR
#   scripts/test-sanitize.sh --after-asan-build ASAN_DIR TSAN_DIR
# A report from any process (a test binary or a service an integration test
# started) fails the run: every sanitizer writes into
# ASAN_DIR/sanitizer-reports/ and TSAN_DIR/sanitizer-reports/, which must stay empty.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
# shellcheck source=lib/background.sh
source scripts/lib/background.sh
phase=all
case "${1:-}" in
  --build-asan | --after-asan-build) phase="${1#--}"; shift ;;
  --build-tsan) phase=build-tsan; shift; set -- "" "${1:-}" ;;  # the background half (below)
esac
ASAN_DIR="$(realpath -m "${1:-build-asan}")"
TSAN_DIR="$(realpath -m "${2:-build-tsan}")"
JOBS="$(nproc)"

# scripts/test.sh installed them already when it runs a phase.
[ "$phase" = all ] && scripts/install-deps.sh --test

# Fails if a sanitizer wrote a report into $1; prints the first ones.
check_reports() {
  local dir="$1" what="$2"
  local reports
  reports=$(find "$dir" -type f -size +0 2>/dev/null | sort || true)
  if [ -n "$reports" ]; then
    echo "test-sanitize: $what: $(echo "$reports" | wc -l) sanitizer report(s) in $dir:" >&2
    for report in $(echo "$reports" | head -5); do
      echo "---- $report" >&2
      head -60 "$report" >&2
    done
    return 1
  fi
  echo "test-sanitize: $what: no sanitizer report"
}

build_asan() {
  scripts/configure-asan.sh "$ASAN_DIR"
  cmake --build "$ASAN_DIR" -j "$JOBS"
}
if [ "$phase" = build-asan ]; then
  build_asan
  exit 0
fi

# ---- ThreadSanitizer: the concurrency tests (built below, run last) ---------
# Only code whose locks TSan can see: gempool::Mutex, std::mutex, Asio.
# Debian's Abseil and gRPC are not built with TSan, so their internal
# hand-overs are invisible to it; tests/sanitizers/tsan.supp lists exactly the
# frames that rely on them.
# binary (relative to the build directory), then the gtest filter.
tsan_tests=(
  "libs/common/gempool_common_test|MutexTest.*:SharedMutexTest.*:CondVarTest.*:NotificationTest.*:DeliveryLedgerTest.*"
  "libs/keypool/gempool_keypool_test|*"
  "libs/metrics/gempool_metrics_test|*"
  "libs/upstream/gempool_upstream_test|UpstreamClient*:UpstreamBodySource*"
  # The replicas run here as ReplicaFeedTest (replica_feed_test.cc: callers,
  # snapshots, changes and reconnects at once, fed through a stub without a
  # server) and the hand-fed ClientTokenReplicaTest. Not the suites fed by a
  # gRPC server in the same process: gRPC's own hand-overs of buffers
  # between its threads, client and server in one process (inside libgrpc,
  # not instrumented), are reported as races on our messages (measured: 91
  # reports, none in gempool code).
  "services/gateway/gateway_concurrency_test|-KeyPoolReplicaTest.*:ClientTokenReplicaOlderBrokerTest.*"
)
tsan_targets=()
for entry in "${tsan_tests[@]}"; do tsan_targets+=("$(basename "${entry%%|*}")"); done
if [ "$phase" = build-tsan ]; then
  CC=clang CXX=clang++ cmake -S . -B "$TSAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGEMPOOL_SANITIZE=thread -DGEMPOOL_BUILD_TESTS=ON -DGEMPOOL_UNITY_BUILD=all >/dev/null
  cmake --build "$TSAN_DIR" -j "$JOBS" --target "${tsan_targets[@]}"
  exit 0
fi

# ---- AddressSanitizer + UndefinedBehaviorSanitizer: every test ----------
[ "$phase" = all ] && build_asan
trap background_stop_all EXIT
mkdir -p "$TSAN_DIR"
background_start "the TSan build" "$TSAN_DIR/build.log" \
  "$ROOT/scripts/test-sanitize.sh" --build-tsan "$TSAN_DIR"

reports="$ASAN_DIR/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
# log_path: a report from a service an integration test started (whose stderr
# the test may not read) still lands where this script looks.
export ASAN_OPTIONS="log_path=$reports/asan:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

eval "$(scripts/mariadb-test-server.sh start)"
export GEMPOOL_REQUIRE_MYSQL=1
if [ "${GEMPOOL_TEST_MYSQL_STARTED:-}" = 1 ]; then
  trap 'background_stop_all; "$ROOT/scripts/mariadb-test-server.sh" stop' EXIT
fi

# Slower under ASan (about 2x): the same deadlines, one more parallel job less.
asan_status=0
(cd "$ASAN_DIR" && ctest --output-on-failure --timeout 900 -j "${GEMPOOL_TEST_JOBS:-2}") || asan_status=$?
check_reports "$reports" "ASan + UBSan suite" || asan_status=1
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
if [ "$asan_status" -ne 0 ]; then
  echo "test-sanitize: the ASan + UBSan suite failed" >&2
  exit 1
fi

# ---- ThreadSanitizer: the concurrency tests --------------------------------
background_finish "the TSan build"

reports="$TSAN_DIR/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tests/sanitizers/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
tsan_status=0
for entry in "${tsan_tests[@]}"; do
  binary="$TSAN_DIR/${entry%%|*}" filter="${entry#*|}"
  start=$(date +%s)
  if (cd "$(dirname "$binary")" && "$binary" --gtest_filter="$filter" --gtest_brief=1 >"$reports/../$(basename "$binary").tsan.log" 2>&1); then
    echo "test-sanitize: TSan: $(basename "$binary") [$filter]: passed in $(( $(date +%s) - start )) s"
  else
    echo "test-sanitize: TSan: $(basename "$binary") [$filter] FAILED; its log: $TSAN_DIR/$(basename "$binary").tsan.log" >&2
    tail -40 "$TSAN_DIR/$(basename "$binary").tsan.log" >&2
    tsan_status=1
  fi
done
check_reports "$reports" "TSan tests" || tsan_status=1
if [ "$tsan_status" -ne 0 ]; then
  echo "test-sanitize: the TSan tests failed" >&2
  exit 1
fi
echo "test-sanitize: passed (ASan + UBSan: the whole suite; TSan: ${#tsan_tests[@]} test binaries)"
