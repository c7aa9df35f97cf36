// Runs the Imagen prompt directive fuzz target (fuzz/image_directives_fuzz.h)
// over its seed corpus (tests/fuzz/image_directives) and a fixed-seed stream
// of byte mutations of it in every ordinary test run, so a crash the fuzzer
// would find near these shapes fails CI without clang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fuzz/image_directives_fuzz.h"

namespace gempool::openai {
namespace {

void Feed(const std::string& input) {
  FuzzImageDirectives(reinterpret_cast<const uint8_t*>(input.data()), input.size());
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
        text.insert(at, 1, "{}:n0123456789 \t"[random() % 16]);
        break;
    }
  }
  return text;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(GEMPOOL_IMAGE_DIRECTIVES_FUZZ_SEEDS)) {
    std::ifstream file(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return seeds;
}

TEST(ImageDirectivesFuzzReplayTest, SeedsAndMutationsDoNotCrash) {
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GE(seeds.size(), 3u) << "seed corpus missing: " << GEMPOOL_IMAGE_DIRECTIVES_FUZZ_SEEDS;
  std::mt19937 random(20261206);
  for (const std::string& seed : seeds) {
    Feed(seed);
    for (int i = 0; i < 5000; ++i) Feed(Mutate(seed, random));
  }
  SUCCEED();
}

}  // namespace
}  // namespace gempool::openai
