// Runs the usageMetadata scanner fuzz target (fuzz/usage_scanner_fuzz.h)
// over its seed corpus (tests/fuzz/gemini_usage) and a fixed-seed stream of
// byte mutations of it in every ordinary test run, so a crash or a
// cut-dependent result the fuzzer would find near these shapes fails CI
// without clang.
#include <gtest/gtest.h>

#include "fuzz/usage_scanner_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gemini {
namespace {

TEST(UsageScannerFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_GEMINI_USAGE_FUZZ_SEEDS;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "{}[]\",:/\\";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzUsageScanner));
}

}  // namespace
}  // namespace gempool::gemini
