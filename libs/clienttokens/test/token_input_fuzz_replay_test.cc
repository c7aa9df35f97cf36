// Runs the FuzzTokenInput fuzz target (fuzz/token_input_fuzz.h) over its seed corpus (tests/fuzz/clienttokens_input) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/token_input_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::clienttokens {
namespace {

TEST(TokenInputFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_CLIENTTOKENS_INPUT_FUZZ_SEEDS;
  replay.mutations_per_seed = 2000;
  replay.insert_alphabet = "\n*-/:d";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzTokenInput));
}

}  // namespace
}  // namespace gempool::clienttokens
