#!/usr/bin/env bash
# make bench: install what is missing, build gempool (Release) and the
# benchmark's load programs, run every case, print the tables and write
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
# The load programs: stream_load (streams, unary runs for profiles) and
# conn_load (slowloris, idle connections); both include load_common.h.
for prog in stream_load conn_load; do
  bin="$build/bench/$prog"
  if [ ! -x "$bin" ] || [ "$root/bench/$prog.cc" -nt "$bin" ] || [ "$root/bench/load_common.h" -nt "$bin" ]; then
    echo "bench: building $prog" >&2
    c++ -O2 -std=c++17 -Wall -Wextra -o "$bin" "$root/bench/$prog.cc"
  fi
done

# shellcheck disable=SC2086
exec python3 "$root/bench/run_bench.py" --build-dir "$build" ${BENCH_ARGS:-}
