// Runs the FuzzUpstreamUrl fuzz target (fuzz/upstream_url_fuzz.h) over its seed corpus (tests/fuzz/gemini_upstream_url) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/upstream_url_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gemini {
namespace {

TEST(UpstreamUrlFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_GEMINI_UPSTREAM_URL_FUZZ_SEEDS;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "/:@[]%.?";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzUpstreamUrl));
}

}  // namespace
}  // namespace gempool::gemini
