#!/usr/bin/env bash
# Builds every libFuzzer target (cmake/GempoolFuzz.cmake) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer in the ASan build directory
# (scripts/configure-asan.sh: the same one `make test-sanitize` uses), and runs
# each from its seed corpus (tests/fuzz/<corpus>), FUZZ_JOBS targets at once
# (default: one per core).
#   scripts/fuzz.sh --short [BUILD_DIR]          FUZZ_RUNS executions each (default 20000, at most
#                                                FUZZ_SHORT_SECONDS, default 20): `make test`
#   scripts/fuzz.sh --long SECONDS [BUILD_DIR]   SECONDS each: `make fuzz`
# BUILD_DIR defaults to build-asan.
# Inputs that add coverage go to BUILD_DIR/corpus/<target>, never into the
# source tree. A crash, leak, sanitizer report or hang (FUZZ_TIMEOUT seconds
# per input) fails the run and leaves the input in BUILD_DIR/findings/<target>/:
# fix the code, then add the input to tests/fuzz/<corpus>/ so the replay
# test keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:---short}"
case "$mode" in
  --short) seconds=""; BUILD_DIR="${2:-build-asan}" ;;
  --long)
    seconds="${2:?usage: scripts/fuzz.sh --long SECONDS [BUILD_DIR]}"
    BUILD_DIR="${3:-build-asan}" ;;
  *) echo "usage: scripts/fuzz.sh --short [BUILD_DIR] | --long SECONDS [BUILD_DIR]" >&2; exit 2 ;;
esac

scripts/configure-asan.sh "$BUILD_DIR"
cmake --build "$BUILD_DIR" -j "$(nproc)" --target fuzzers

# UBSan reports only print by default: make them findings like ASan's.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# One target: its verdict goes to findings/<target>/verdict ("ok ..." or
# "FAILED ..."), read below once every target has run.
fuzz_one() {
  local binary="$1" seeds="$2" name corpus findings start runs
  name="$(basename "$binary")"
  corpus="$BUILD_DIR/corpus/$name"
  findings="$BUILD_DIR/findings/$name"
  mkdir -p "$corpus" "$findings"
  rm -f "$findings/verdict"
  if [ -n "$seconds" ]; then
    budget=(-max_total_time="$seconds")
  else
    # A fixed number of runs, capped in time for the slowest bodies.
    budget=(-runs="${FUZZ_RUNS:-20000}" -max_total_time="${FUZZ_SHORT_SECONDS:-20}")
  fi
  start=$(date +%s)
  if "$binary" "${budget[@]}" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
       -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" "$seeds" \
       >"$findings/log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$findings/log" | grep -o '[0-9]*$' || true)
    echo "ok fuzz: $name: ${runs:-?} runs in $(( $(date +%s) - start )) s, no finding" >"$findings/verdict"
  else
    echo "FAILED fuzz: $name FAILED; its log: $findings/log, the input: $(ls "$findings" | grep -v -e '^log$' -e '^verdict$' | head -1)" \
      >"$findings/verdict"
  fi
}

# Each target is one process on one core: FUZZ_JOBS (default: the cores) at once.
jobs_max="${FUZZ_JOBS:-$(nproc)}"
names=()
while read -r binary seeds; do
  [ -n "$binary" ] || continue
  names+=("$(basename "$binary")")
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  fuzz_one "$binary" "$seeds" &
done < "$BUILD_DIR/fuzzers.txt"
wait

failed=()
count=${#names[@]}
for name in "${names[@]}"; do
  findings="$BUILD_DIR/findings/$name"
  verdict="$(cat "$findings/verdict" 2>/dev/null || echo "FAILED fuzz: $name left no verdict; its log: $findings/log")"
  if [[ "$verdict" == ok* ]]; then
    echo "${verdict#ok }"
  else
    echo "${verdict#FAILED }" >&2
    tail -40 "$findings/log" >&2 || true
    failed+=("$name")
  fi
done

if [ "$count" -eq 0 ]; then
  echo "fuzz: no fuzz target was configured (see $BUILD_DIR/fuzzers.txt)" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of $count targets found a problem: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: $count targets, no finding"
