// Runs the OpenAI → Gemini request fuzz target (fuzz/request_fuzz.h) over
// its seed corpus (tests/fuzz/openai_request) and a fixed-seed stream of byte
// mutations of it in every ordinary test run, so a crash, a malformed Gemini
// request or a refusal that is not a 400 fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/request_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::openai {
namespace {

TEST(RequestFuzzReplayTest, SeedsAndMutationsConvertOrAreRefused) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_OPENAI_REQUEST_FUZZ_SEEDS;
  replay.min_seeds = 8;
  // The first byte of each seed picks the converter and options, as for the fuzzer.
  replay.head_bytes = 1;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "{}[]\",:0\n";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzRequest));
}

}  // namespace
}  // namespace gempool::openai
