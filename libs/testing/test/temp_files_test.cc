#include "gempool/testing/temp_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace gempool::testing {
namespace {

TEST(TempFilesTest, TailsOfFilesKeepsTheEndOfEachAndSaysHowMuchWasCut) {
  const std::string dir = MakeTempDir("gempool-temp-files-test-");
  ASSERT_FALSE(dir.empty());
  const std::string small = dir + "/small.log";
  const std::string big = dir + "/big.log";
  std::ofstream(small) << "short";
  std::ofstream(big) << std::string(10, 'a') << "0123456789";

  const std::string tails = TailsOfFiles({small, big, dir + "/missing.log"}, 10);
  EXPECT_EQ(tails, "---- " + small + " ----\nshort\n" +
                       "---- " + big + " ----\n[... 10 bytes cut ...]\n0123456789\n" +
                       "---- " + dir + "/missing.log ----\n\n");
  EXPECT_EQ(ReadWholeFile(small), "short");
  std::filesystem::remove_all(dir);
}

TEST(TempFilesTest, AcceptsTcpRefusesAnAddressThatIsNotIpv4) {
  EXPECT_FALSE(AcceptsTcp("not an address", 80));
}

}  // namespace
}  // namespace gempool::testing
