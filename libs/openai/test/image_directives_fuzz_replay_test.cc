// Runs the Imagen prompt directive fuzz target (fuzz/image_directives_fuzz.h)
// over its seed corpus (tests/fuzz/image_directives) and a fixed-seed stream
// of byte mutations of it in every ordinary test run, so a crash the fuzzer
// would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/image_directives_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::openai {
namespace {

TEST(ImageDirectivesFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_IMAGE_DIRECTIVES_FUZZ_SEEDS;
  replay.min_seeds = 3;
  replay.mutations_per_seed = 5000;
  replay.insert_alphabet = "{}:n0123456789 \t";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzImageDirectives));
}

}  // namespace
}  // namespace gempool::openai
