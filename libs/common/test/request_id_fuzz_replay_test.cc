// Runs the request id / log line fuzz target (fuzz/request_id_fuzz.h) over
// its seed corpus (tests/fuzz/request_id) and a fixed-seed stream of byte
// mutations of it in every ordinary test run, so a crash the fuzzer would
// find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/request_id_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool {
namespace {

TEST(RequestIdFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_REQUEST_ID_FUZZ_SEEDS;
  replay.min_seeds = 3;
  replay.mutations_per_seed = 3000;
  // Line breaks, spaces, quotes, control bytes and UTF-8 lead bytes: what
  // the id rule and the JSON escaper must handle.
  replay.insert_alphabet = std::string("\n \"\\\x01\xC3\xE2\xF0-", 9);
  replay.random_seed = 20261206;
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzRequestIdAndLogLine));
}

}  // namespace
}  // namespace gempool
