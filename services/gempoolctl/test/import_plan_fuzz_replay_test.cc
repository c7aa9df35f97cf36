// Runs the FuzzImportPlan fuzz target (fuzz/import_plan_fuzz.h) over its seed corpus (tests/fuzz/gemini_balance_import) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/import_plan_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::ctl {
namespace {

TEST(ImportPlanFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_IMPORT_PLAN_FUZZ_SEEDS;
  replay.mutations_per_seed = 300;
  replay.insert_alphabet = "\n=[]{}\",:'";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzImportPlan));
}

}  // namespace
}  // namespace gempool::ctl
