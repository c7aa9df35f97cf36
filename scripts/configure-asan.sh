#!/usr/bin/env bash
# Configures the one clang build with AddressSanitizer + UndefinedBehaviorSanitizer
# that both scripts/test-sanitize.sh (the whole suite) and scripts/fuzz.sh
# (the libFuzzer targets) build in, so that each object is compiled once.
#   scripts/configure-asan.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:?usage: scripts/configure-asan.sh BUILD_DIR}"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGEMPOOL_SANITIZE=address -DGEMPOOL_BUILD_FUZZERS=ON -DGEMPOOL_BUILD_TESTS=ON \
  -DGEMPOOL_UNITY_BUILD=all >/dev/null
