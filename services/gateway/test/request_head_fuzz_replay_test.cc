// Runs the request-head fuzz target over hand-made seeds and a fixed-seed
// stream of mutations in every ordinary test run, so a crash the fuzzer would
// find in these shapes fails CI without clang.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "fuzz/request_head_fuzz.h"

namespace gempool::gateway {
namespace {

void FeedHead(const std::string& input) {
  FuzzRequestHead(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(RequestHeadFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  const std::vector<std::string> seeds = {
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "POST /v1beta/models/x:generateContent HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
      "\r\n\r\nGET /x HTTP/1.0\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
  };
  std::mt19937 random(20261206);
  for (const std::string& seed : seeds) {
    FeedHead(seed);
    for (int i = 0; i < 2000; ++i) {
      std::string mutated = seed;
      const int edits = 1 + static_cast<int>(random() % 4);
      for (int e = 0; e < edits && !mutated.empty(); ++e) {
        const size_t at = random() % mutated.size();
        switch (random() % 3) {
          case 0:
            mutated[at] = static_cast<char>(random() % 256);
            break;
          case 1:
            mutated.erase(at, 1);
            break;
          default:
            mutated.insert(at, 1, "\r\n :\t0"[random() % 6]);
            break;
        }
      }
      FeedHead(mutated);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace gempool::gateway
