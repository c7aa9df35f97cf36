// Runs the Responses API fuzz target (fuzz/responses_fuzz.h) over its seed
// corpus (tests/fuzz/responses) and a fixed-seed stream of byte mutations of
// it in every ordinary test run, so a crash, a malformed request, an event
// out of order or a stored conversation that cannot continue fails CI
// without clang.
#include <gtest/gtest.h>

#include "fuzz/responses_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::responses {
namespace {

TEST(ResponsesFuzzReplayTest, SeedsAndMutationsKeepTheContract) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_RESPONSES_FUZZ_SEEDS;
  replay.min_seeds = 6;
  // The first byte of each seed picks the reader and context, as for the fuzzer.
  replay.head_bytes = 1;
  replay.mutations_per_seed = 500;
  replay.insert_alphabet = "{}[]\",:0\r\n";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzResponses));
}

}  // namespace
}  // namespace gempool::responses
