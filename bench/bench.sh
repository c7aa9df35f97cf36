#!/usr/bin/env bash
# make bench: install what is missing, build gempool (Release) and the
# benchmark's load program, run every case, print the table and write
# docs/benchmarks.md.
#   bench/bench.sh [BUILD_DIR]        (default build-bench)
#   BENCH_ARGS="--quick" bench/bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build-bench}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
jobs="$(nproc)"

"$root/scripts/install-deps.sh"
"$root/bench/install.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs" --target fake-gemini gempool-gateway gempool-keybroker \
  gempool-persistence keypool_bench
mkdir -p "$build/bench"
if [ ! -x "$build/bench/stream_load" ] || [ "$root/bench/stream_load.cc" -nt "$build/bench/stream_load" ]; then
  echo "bench: building stream_load" >&2
  c++ -O2 -std=c++17 -Wall -Wextra -o "$build/bench/stream_load" "$root/bench/stream_load.cc"
fi

# shellcheck disable=SC2086
exec python3 "$root/bench/run_bench.py" --build-dir "$build" ${BENCH_ARGS:-}
