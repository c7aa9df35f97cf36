#include "gempool/testing/fuzz_replay.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "gempool/testing/sanitizers.h"

namespace gempool::testing {

std::vector<std::string> ReadCorpus(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> seeds;
  for (const auto& path : paths) {
    std::ifstream file(path, std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return seeds;
}

std::string MutateBytes(std::string text, const std::string& alphabet, std::mt19937& random) {
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
        if (!alphabet.empty()) text.insert(at, 1, alphabet[random() % alphabet.size()]);
        break;
    }
  }
  return text;
}

int MutationsPerSeedInThisBuild(const FuzzReplay& replay) {
  // Under ASan the libFuzzer targets themselves (built with the same
  // sanitizers, the same entry points) run these seeds with far more
  // executions in the fuzz step; the replay keeps a quarter, so a sanitized
  // suite spends its time on the tests only it runs.
  if (!kUnderAddressSanitizer) return replay.mutations_per_seed;
  return std::max(1, replay.mutations_per_seed / 4);
}

::testing::AssertionResult ReplayCorpus(const FuzzReplay& replay,
                                        const std::function<void(const uint8_t*, size_t)>& target) {
  const std::vector<std::string> seeds = ReadCorpus(replay.corpus_dir);
  if (seeds.size() < replay.min_seeds) {
    return ::testing::AssertionFailure() << "seed corpus missing or short: " << seeds.size() << " file(s) in "
                                         << replay.corpus_dir << ", expected at least " << replay.min_seeds;
  }
  const int mutations_per_seed = MutationsPerSeedInThisBuild(replay);
  std::mt19937 random(replay.random_seed);
  const auto feed = [&target](const std::string& data) {
    target(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  };
  for (const std::string& seed : seeds) {
    if (seed.size() < replay.head_bytes) {
      return ::testing::AssertionFailure() << "a seed in " << replay.corpus_dir << " is shorter than its "
                                           << replay.head_bytes << " selector byte(s)";
    }
    const std::string head = seed.substr(0, replay.head_bytes);
    const std::string body = seed.substr(replay.head_bytes);
    feed(seed);
    for (int i = 0; i < mutations_per_seed; ++i) {
      feed(head + MutateBytes(body, replay.insert_alphabet, random));
    }
  }
  return ::testing::AssertionSuccess() << seeds.size() << " seeds replayed";
}

}  // namespace gempool::testing
