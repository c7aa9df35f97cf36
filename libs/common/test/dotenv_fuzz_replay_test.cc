// Runs the FuzzDotEnv fuzz target (fuzz/dotenv_fuzz.h) over its seed corpus (tests/fuzz/dotenv) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/dotenv_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool {
namespace {

TEST(DotEnvFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_DOTENV_FUZZ_SEEDS;
  replay.mutations_per_seed = 1000;
  replay.insert_alphabet = "\n=\"'\\\\# ";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzDotEnv));
}

}  // namespace
}  // namespace gempool
