// Runs the FuzzRoute fuzz target (fuzz/route_fuzz.h) over its seed corpus (tests/fuzz/gemini_route) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/route_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gemini {
namespace {

TEST(RouteFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_GEMINI_ROUTE_FUZZ_SEEDS;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "/:%?&=.+#";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzRoute));
}

}  // namespace
}  // namespace gempool::gemini
