#pragma once
// Runs a libFuzzer entry point over its seed corpus and a fixed-seed stream of
// small byte mutations of each seed, in every ordinary test run: a crash the
// fuzzer would find near these shapes fails CI without clang. One helper for
// every libs/*/test/*_fuzz_replay_test.cc.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gempool::testing {

struct FuzzReplay {
  // The seed corpus directory (tests/fuzz/<target>); every file is a seed.
  std::string corpus_dir;
  // Fewer seeds than this means the corpus is missing: the replay fails.
  size_t min_seeds = 3;
  // The first bytes of each seed that pick what the target does (a reader,
  // a status): kept as they are, only the rest is mutated.
  size_t head_bytes = 0;
  // A quarter of this under AddressSanitizer (the fuzz step runs the same
  // targets there, longer).
  int mutations_per_seed = 3000;
  // Characters inserted by mutations: the target's syntax ("{}[]\",:" for
  // JSON) reaches deeper than random bytes alone.
  std::string insert_alphabet = "{}[]\",:0\n";
  uint32_t random_seed = 20261206;
};

// The files of `dir`, each read whole, sorted by name (a stable order).
std::vector<std::string> ReadCorpus(const std::string& dir);

// 1 to 4 edits of `text`: a byte replaced by a random one, a byte erased, or
// a character of `alphabet` inserted.
std::string MutateBytes(std::string text, const std::string& alphabet, std::mt19937& random);

// replay.mutations_per_seed, or a quarter of it under AddressSanitizer.
int MutationsPerSeedInThisBuild(const FuzzReplay& replay);

// Feeds `target` every seed and its mutations; fails (naming the directory)
// when the corpus has fewer than min_seeds files or a seed is shorter than
// head_bytes.
::testing::AssertionResult ReplayCorpus(const FuzzReplay& replay,
                                        const std::function<void(const uint8_t*, size_t)>& target);

}  // namespace gempool::testing
