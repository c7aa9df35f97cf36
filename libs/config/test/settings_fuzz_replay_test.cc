// Runs the FuzzSettings fuzz target (fuzz/settings_fuzz.h) over its seed corpus (tests/fuzz/config_settings) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/settings_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::config {
namespace {

TEST(SettingsFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_CONFIG_SETTINGS_FUZZ_SEEDS;
  replay.mutations_per_seed = 300;
  replay.insert_alphabet = "\n=[]{}\",:0";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzSettings));
}

}  // namespace
}  // namespace gempool::config
