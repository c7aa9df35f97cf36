// Runs the libs/imagehost fuzz target (fuzz/answer_fuzz.h) over its seed
// corpus and a fixed-seed stream of byte mutations of it in every ordinary
// test run, so a crash the fuzzer would find near these shapes fails CI
// without clang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fuzz/answer_fuzz.h"

namespace gempool::imagehost {
namespace {

void Feed(const std::string& head, const std::string& input) {
  const std::string data = head + input;
  FuzzImageHostAnswers(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

std::string Mutate(std::string text, std::mt19937& random) {
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const size_t at = random() % text.size();
    switch (random() % 3) {
      case 0:
        text[at] = static_cast<char>(random() % 256);
        break;
      case 1:
        text.erase(at, 1);
        break;
      default:
        text.insert(at, 1, "{}[]\",:0\n</>"[random() % 12]);
        break;
    }
  }
  return text;
}

// The seed corpus (tests/fuzz/imagehost): the first three bytes of each
// file pick the reader and the status, as for the fuzzer.
std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(GEMPOOL_IMAGEHOST_FUZZ_SEEDS)) {
    std::ifstream file(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return seeds;
}

TEST(ImageHostFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GE(seeds.size(), 5u) << "seed corpus missing: " << GEMPOOL_IMAGEHOST_FUZZ_SEEDS;
  std::mt19937 random(20261206);
  for (const std::string& seed : seeds) {
    ASSERT_GE(seed.size(), 3u);
    Feed(seed.substr(0, 3), seed.substr(3));
    for (int i = 0; i < 1500; ++i) Feed(seed.substr(0, 3), Mutate(seed.substr(3), random));
  }
  SUCCEED();
}

}  // namespace
}  // namespace gempool::imagehost
