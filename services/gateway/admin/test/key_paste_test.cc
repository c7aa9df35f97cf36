#include "admin/key_paste.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::gateway::admin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(KeyPasteTest, SplitsEveryCommonFormat) {
  EXPECT_THAT(SplitPastedKeys("a\nb\r\nc"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(SplitPastedKeys("a, b;c\td"), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(SplitPastedKeys(R"(["a","b"])"), ElementsAre("a", "b"));
  EXPECT_THAT(SplitPastedKeys("API_KEYS=[\"AQ.x-y_z\",\"b\"]"), ElementsAre("AQ.x-y_z", "b"));
  EXPECT_THAT(SplitPastedKeys("API_KEYS=k1"), ElementsAre("k1"));
  EXPECT_THAT(SplitPastedKeys("a\na"), ElementsAre("a", "a")) << "repeats are the broker's to report";
  EXPECT_THAT(SplitPastedKeys(" \n ,;[] "), IsEmpty());
}

}  // namespace
}  // namespace gempool::gateway::admin
