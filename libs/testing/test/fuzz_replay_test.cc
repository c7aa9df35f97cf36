#include "gempool/testing/fuzz_replay.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace gempool::testing {
namespace {

class FuzzReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gempool_fuzz_replay_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(FuzzReplayTest, FeedsEverySeedAndItsMutationsKeepingTheHead) {
  Write("b", "XYbody-two");
  Write("a", "XYbody-one");
  FuzzReplay replay;
  replay.corpus_dir = dir_.string();
  replay.min_seeds = 2;
  replay.head_bytes = 2;
  replay.mutations_per_seed = 50;
  int calls = 0;
  std::set<std::string> seen;
  EXPECT_TRUE(ReplayCorpus(replay, [&](const uint8_t* data, size_t size) {
    ++calls;
    const std::string input(reinterpret_cast<const char*>(data), size);
    EXPECT_EQ(input.substr(0, 2), "XY");
    seen.insert(input);
  }));
  EXPECT_EQ(calls, 2 * (1 + MutationsPerSeedInThisBuild(replay)));
  EXPECT_TRUE(seen.count("XYbody-one"));
  EXPECT_TRUE(seen.count("XYbody-two"));
  EXPECT_GT(seen.size(), static_cast<size_t>(calls) / 2);  // The mutations differ.
}

TEST_F(FuzzReplayTest, AMissingOrShortCorpusFails) {
  FuzzReplay replay;
  replay.corpus_dir = (dir_ / "absent").string();
  auto ignore = [](const uint8_t*, size_t) {};
  EXPECT_FALSE(ReplayCorpus(replay, ignore));
  Write("only", "x");
  replay.corpus_dir = dir_.string();
  replay.min_seeds = 2;
  EXPECT_FALSE(ReplayCorpus(replay, ignore));
  replay.min_seeds = 1;
  replay.head_bytes = 3;
  EXPECT_FALSE(ReplayCorpus(replay, ignore));
}

TEST(MutateBytesTest, SameSeedSameMutations) {
  std::mt19937 a(7), b(7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(MutateBytes("{\"k\":1}", "{}", a), MutateBytes("{\"k\":1}", "{}", b));
  std::mt19937 c(7);
  EXPECT_EQ(MutateBytes("", "{}", c), "");
}

}  // namespace
}  // namespace gempool::testing
