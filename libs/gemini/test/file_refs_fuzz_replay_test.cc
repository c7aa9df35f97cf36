// Runs the Files API reference fuzz target (fuzz/file_refs_fuzz.h) over its
// seed corpus (tests/fuzz/gemini_files) and a fixed-seed stream of byte
// mutations of it in every ordinary test run, so a crash the fuzzer would
// find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/file_refs_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gemini {
namespace {

TEST(FileRefsFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_GEMINI_FILES_FUZZ_SEEDS;
  replay.min_seeds = 3;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "{}[]\",:/\\";
  replay.random_seed = 20261207;
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzFileRefs));
}

}  // namespace
}  // namespace gempool::gemini
