// Runs the libs/imagehost fuzz target (fuzz/answer_fuzz.h) over its seed
// corpus and a fixed-seed stream of byte mutations of it in every ordinary
// test run, so a crash the fuzzer would find near these shapes fails CI
// without clang.
#include <gtest/gtest.h>

#include "fuzz/answer_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::imagehost {
namespace {

TEST(ImageHostFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_IMAGEHOST_FUZZ_SEEDS;
  replay.min_seeds = 5;
  // The first three bytes of each seed pick the reader and the status, as for the fuzzer.
  replay.head_bytes = 3;
  replay.mutations_per_seed = 1500;
  replay.insert_alphabet = "{}[]\",:0\n</>";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzImageHostAnswers));
}

}  // namespace
}  // namespace gempool::imagehost
