// Runs the FuzzClientAuth fuzz target (fuzz/client_auth_fuzz.h) over its seed corpus (tests/fuzz/gemini_client_auth) and a fixed-seed
// stream of byte mutations of it in every ordinary test run, so what the
// fuzzer would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/client_auth_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gemini {
namespace {

TEST(ClientAuthFuzzReplayTest, SeedsAndMutationsKeepTheInvariants) {
  ::gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_GEMINI_CLIENT_AUTH_FUZZ_SEEDS;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "\ngaxq =&% ";
  EXPECT_TRUE(::gempool::testing::ReplayCorpus(replay, FuzzClientAuth));
}

}  // namespace
}  // namespace gempool::gemini
