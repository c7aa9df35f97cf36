// Runs the JSON reader/writer differential fuzz target (fuzz/json_fuzz.h)
// over its seed corpus (tests/fuzz/openai_json) and a fixed-seed stream of
// byte mutations of it in every ordinary test run, so a document the reader
// and nlohmann read differently (or the writer writes differently) fails CI
// without clang.
#include <gtest/gtest.h>

#include "fuzz/json_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::openai {
namespace {

TEST(JsonFuzzReplayTest, SeedsAndMutationsReadAsNlohmannReadsThem) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_OPENAI_JSON_FUZZ_SEEDS;
  replay.mutations_per_seed = 2000;
  replay.insert_alphabet = "{}[]\",:\\u0eE-+.";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzJson));
}

}  // namespace
}  // namespace gempool::openai
