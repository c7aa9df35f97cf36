#include "logs/log_text.h"

#include <gtest/gtest.h>

namespace gempool::gateway {
namespace {

TEST(LogSafeTextTest, ShortValidTextUnchanged) {
  EXPECT_EQ(LogSafeText("héllo {\"a\":1}", 100), "héllo {\"a\":1}");
}

TEST(LogSafeTextTest, InvalidBytesReplaced) {
  EXPECT_EQ(LogSafeText(std::string("a\xff" "b\xc3"), 100), "a?b?");
  EXPECT_EQ(LogSafeText(std::string("\xed\xa0\x80"), 100), "???");  // A UTF-16 surrogate.
}

TEST(LogSafeTextTest, CutsAtCharacterBoundaryWithMarker) {
  const std::string text = std::string(20, 'x') + "\xc3\xa9" + std::string(20, 'y');
  const std::string cut = LogSafeText(text, 35);
  EXPECT_LE(cut.size(), 35u);
  EXPECT_EQ(cut.substr(cut.size() - 14), "\xE2\x80\xA6[truncated]");
  EXPECT_EQ(cut.substr(0, 20), std::string(20, 'x'));
  EXPECT_EQ(LogSafeText(text, 21), std::string(7, 'x') + "\xE2\x80\xA6[truncated]");
}

}  // namespace
}  // namespace gempool::gateway
