// Runs the libs/anthropic fuzz target (fuzz/anthropic_fuzz.h) over its seed
// corpus and a fixed-seed stream of byte mutations of it in every ordinary
// test run, so a crash the fuzzer would find near these shapes fails
// CI without clang.
#include <gtest/gtest.h>

#include "fuzz/anthropic_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::anthropic {
namespace {

TEST(AnthropicFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_ANTHROPIC_FUZZ_SEEDS;
  replay.min_seeds = 6;
  // The first byte of each seed picks the converter, as for the fuzzer.
  replay.head_bytes = 1;
  replay.mutations_per_seed = 1500;
  replay.insert_alphabet = "{}[]\",:0\n";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzAnthropic));
}

}  // namespace
}  // namespace gempool::anthropic
