// Runs the FuzzSourceReaders fuzz target (fuzz/source_readers_fuzz.h) over its seed corpus (tests/fuzz/gemini_balance_dsn) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/source_readers_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::ctl {
namespace {

TEST(SourceReadersFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_SOURCE_READERS_FUZZ_SEEDS;
  replay.mutations_per_seed = 2000;
  replay.insert_alphabet = "\n\t:@/%?-0";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzSourceReaders));
}

}  // namespace
}  // namespace gempool::ctl
