// Runs the request-head fuzz target (fuzz/request_head_fuzz.h) over its seed
// corpus (tests/fuzz/request_head) and a fixed-seed stream of mutations in
// every ordinary test run, so a crash the fuzzer would find in these shapes
// fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/request_head_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gateway {
namespace {

TEST(RequestHeadFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_REQUEST_HEAD_FUZZ_SEEDS;
  replay.min_seeds = 7;
  replay.mutations_per_seed = 2000;
  // Head syntax reaches deeper than random bytes alone.
  replay.insert_alphabet = "\r\n :\t0";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzRequestHead));
}

}  // namespace
}  // namespace gempool::gateway
