// Runs the Gemini → OpenAI answer fuzz target (fuzz/answer_fuzz.h) over its
// seed corpus (tests/fuzz/openai_answer) and a fixed-seed stream of byte
// mutations of it in every ordinary test run, so a crash, an invalid chunk or
// a stream that does not close fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/answer_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::openai {
namespace {

TEST(AnswerFuzzReplayTest, SeedsAndMutationsGiveValidAnswers) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_OPENAI_ANSWER_FUZZ_SEEDS;
  replay.min_seeds = 8;
  // The first byte of each seed picks the converter and options, as for the fuzzer.
  replay.head_bytes = 1;
  replay.mutations_per_seed = 1500;
  replay.insert_alphabet = "{}[]\",:0\r\n";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzAnswer));
}

}  // namespace
}  // namespace gempool::openai
