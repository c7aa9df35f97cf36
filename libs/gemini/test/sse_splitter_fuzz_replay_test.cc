// Runs the SSE splitter fuzz target (fuzz/sse_splitter_fuzz.h) over its seed
// corpus (tests/fuzz/gemini_sse) and a fixed-seed stream of byte mutations of
// it in every ordinary test run, so an event invented, lost or cut
// differently by where the reads fall fails CI without clang.
#include <gtest/gtest.h>

#include "fuzz/sse_splitter_fuzz.h"
#include "gempool/testing/fuzz_replay.h"

namespace gempool::gemini {
namespace {

TEST(SseSplitterFuzzReplayTest, SeedsAndMutationsAgreeWholeAndInPieces) {
  gempool::testing::FuzzReplay replay;
  replay.corpus_dir = GEMPOOL_GEMINI_SSE_FUZZ_SEEDS;
  // The first byte of each seed picks the event size limit, as for the fuzzer.
  replay.head_bytes = 1;
  replay.mutations_per_seed = 3000;
  replay.insert_alphabet = "\r\n:data ";
  EXPECT_TRUE(gempool::testing::ReplayCorpus(replay, FuzzSseSplitter));
}

}  // namespace
}  // namespace gempool::gemini
