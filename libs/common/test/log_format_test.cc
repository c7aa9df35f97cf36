#include "gempool/common/log_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "gempool/common/logging.h"

namespace gempool {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LogRecord Record(absl::string_view message, absl::string_view request_id = {}) {
  LogRecord record;
  record.unix_ms = 1796399432123;  // 2026-12-04T15:50:32.123Z
  record.level = LogLevel::kWarning;
  record.service = "persistence";
  record.file = "/work/main/services/persistence/persistence_service.cc";
  record.line = 42;
  record.message = message;
  record.request_id = request_id;
  return record;
}

std::string Json(absl::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST(LogFormatTest, ParsesTextAndJson) {
  EXPECT_EQ(*ParseLogFormat(""), LogFormat::kText);
  EXPECT_EQ(*ParseLogFormat(" Text "), LogFormat::kText);
  EXPECT_EQ(*ParseLogFormat("JSON"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("logfmt").ok());
}

TEST(LogFormatTest, TimestampIsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(LogTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(LogTimestamp(1796399432123), "2026-12-04T15:50:32.123Z");
  EXPECT_EQ(LogTimestamp(1796399432007), "2026-12-04T15:50:32.007Z");
}

TEST(LogFormatTest, TextLineIsUnchangedWithoutARequestId) {
  EXPECT_EQ(FormatLogRecord(LogFormat::kText, Record("wrote 3 rows")),
            "2026-12-04T15:50:32.123Z WARN persistence persistence_service.cc:42] wrote 3 rows\n");
}

TEST(LogFormatTest, TextLineNamesTheRequestId) {
  EXPECT_EQ(FormatLogRecord(LogFormat::kText, Record("wrote", "req-1")),
            "2026-12-04T15:50:32.123Z WARN persistence persistence_service.cc:42] wrote request_id=req-1\n");
}

TEST(LogFormatTest, JsonLineHasEveryField) {
  EXPECT_EQ(FormatLogRecord(LogFormat::kJson, Record("wrote 3 rows", "req-1")),
            "{\"time\":\"2026-12-04T15:50:32.123Z\",\"level\":\"WARN\",\"service\":\"persistence\","
            "\"message\":\"wrote 3 rows\",\"source\":\"persistence_service.cc:42\",\"request_id\":\"req-1\"}\n");
}

TEST(LogFormatTest, JsonLineLeavesOutAnEmptyRequestId) {
  EXPECT_THAT(FormatLogRecord(LogFormat::kJson, Record("x")), Not(HasSubstr("request_id")));
}

TEST(LogFormatTest, JsonEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Json("say \"hi\" \\ now"), R"("say \"hi\" \\ now")");
  EXPECT_EQ(Json("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(Json(std::string("nul\0bell\x07" "del\x7f", 13)), R"("nul\u0000bell\u0007del\u007f")");
  const std::string line = FormatLogRecord(LogFormat::kJson, Record("two\nlines"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(LogFormatTest, JsonKeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Json("日志 ok \xF0\x9F\x98\x80"), "\"日志 ok \xF0\x9F\x98\x80\"");
  // A lone continuation byte, a truncated sequence, an overlong '/', a
  // surrogate and a byte never used in UTF-8.
  EXPECT_EQ(Json("a\x80z"), "\"a\xEF\xBF\xBDz\"");
  EXPECT_EQ(Json("\xE2\x82"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Json("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Json("\xFF"), "\"\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace gempool

namespace gempool {
namespace {

// SetLogLevel says so once, at INFO, under whichever level shows INFO.
TEST(LogLevelChangeTest, IsLoggedOnceWhereverInfoShows) {
  SetLogLevel(LogLevel::kInfo);
  ::testing::internal::CaptureStderr();
  SetLogLevel(LogLevel::kError);  // Down: the last INFO line.
  SetLogLevel(LogLevel::kError);  // No change, no line.
  SetLogLevel(LogLevel::kWarning);  // Neither level shows INFO.
  SetLogLevel(LogLevel::kDebug);  // Up: the first line at DEBUG.
  const std::string out = ::testing::internal::GetCapturedStderr();
  SetLogLevel(LogLevel::kInfo);
  EXPECT_THAT(out, ::testing::HasSubstr("log level INFO -> ERROR"));
  EXPECT_THAT(out, ::testing::Not(::testing::HasSubstr("-> WARN")));
  EXPECT_THAT(out, ::testing::HasSubstr("log level WARN -> DEBUG"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
}

}  // namespace
}  // namespace gempool
