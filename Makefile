# gempool: the two commands that matter.
#   make run    install what is missing, build, start the three services (SQLite)
#   make test   install what is missing, build, start MariaDB, run every test
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: run test test-sanitize build deps bench fuzz package clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@scripts/run.sh $(BUILD_DIR)

test:
	@scripts/test.sh $(BUILD_DIR)

# The whole suite under ASan + UBSan (build-asan) and the concurrency tests
# under TSan (build-tsan): scripts/test-sanitize.sh.
test-sanitize:
	@scripts/test-sanitize.sh $(BUILD_DIR)-asan $(BUILD_DIR)-tsan

# Benchmarks (bench/, docs/benchmarks.md): its own Release build directory.
BENCH_BUILD_DIR ?= build-bench
bench:
	@bench/bench.sh $(BENCH_BUILD_DIR)

# Fuzzing (scripts/fuzz.sh, cmake/GempoolFuzz.cmake): every libFuzzer target
# for FUZZ_SECONDS each, built with clang + ASan + UBSan in build-asan (the
# test-sanitize build); `make test` runs them for a fixed number of executions.
FUZZ_SECONDS ?= 300
fuzz:
	@scripts/install-deps.sh --test
	@scripts/fuzz.sh --long $(FUZZ_SECONDS) $(BUILD_DIR)-asan

# The Debian package (gempool_<version>-1_<arch>.deb, cmake/GempoolPackage.cmake):
# a Release build of the four programs in its own directory, then CPack.
PACKAGE_BUILD_DIR ?= build-package
package: deps
	@cmake -S . -B $(PACKAGE_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DGEMPOOL_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(PACKAGE_BUILD_DIR) -j $(JOBS) --target package
	@ls $(PACKAGE_BUILD_DIR)/gempool_*.deb

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-asan $(BUILD_DIR)-tsan $(PACKAGE_BUILD_DIR)
