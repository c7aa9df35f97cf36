// t_file_records rows → FileRecords: what is taken, what is skipped and why.
#include "gemini_balance_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/secrets.h"
#include "nlohmann/json.hpp"

namespace gempool::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

constexpr int64_t kNow = 1'746'093'600'000;  // 2025-05-01 10:00:00 UTC.

GeminiBalanceFileRow Row(const std::string& name, const std::string& key, const std::string& expires,
                         bool completed = true) {
  GeminiBalanceFileRow row;
  row.name = name;
  row.display_name = "doc.pdf";
  row.mime_type = "application/pdf";
  row.size_bytes = 1234;
  row.state = "ACTIVE";
  row.uri = "https://generativelanguage.googleapis.com/v1beta/" + name;
  row.api_key = key;
  row.user_token = "sk-client";
  row.create_time = "2025-05-01 09:00:00";
  row.expiration_time = expires;
  row.upload_completed = completed;
  return row;
}

TEST(ParseGeminiBalanceTimeTest, ReadsDatetimesAsUtc) {
  EXPECT_THAT(ParseGeminiBalanceTime("2025-05-01 10:00:00"), Optional(kNow));
  EXPECT_THAT(ParseGeminiBalanceTime("2025-05-01 10:00:00.250000"), Optional(kNow + 250));
  EXPECT_THAT(ParseGeminiBalanceTime("2025-05-01T10:00:00"), Optional(kNow));
  EXPECT_EQ(ParseGeminiBalanceTime(""), std::nullopt);
  EXPECT_EQ(ParseGeminiBalanceTime("yesterday"), std::nullopt);
  // absl reads these, but they are no dates gemini-balance wrote, and their
  // milliseconds overflowed the expiry arithmetic (found by fuzzing).
  EXPECT_EQ(ParseGeminiBalanceTime("infinite-future"), std::nullopt);
  EXPECT_EQ(ParseGeminiBalanceTime("infinite-past"), std::nullopt);
  EXPECT_EQ(ParseGeminiBalanceTime("292277026596-12-04 15:30:07"), std::nullopt);
  EXPECT_EQ(ParseGeminiBalanceTime("10000-01-01 00:00:00"), std::nullopt);
  EXPECT_THAT(ParseGeminiBalanceTime("9999-12-31 23:59:59"), Optional(253402300799000));
}

TEST(PlanFileRecordsTest, TakesLiveCompletedFilesOfPoolKeys) {
  const std::map<std::string, int64_t> keys = {{"AIzaKeyOne", 4}};
  const FileRecordsPlan plan =
      PlanFileRecords({Row("files/live", "AIzaKeyOne", "2025-05-03 09:00:00"),
                       Row("files/other", "AIzaNotInPool", "2025-05-03 09:00:00"),
                       Row("files/old", "AIzaKeyOne", "2025-05-01 09:59:59"),
                       Row("files/partial", "AIzaKeyOne", "2025-05-03 09:00:00", /*completed=*/false)},
                      keys, kNow);
  ASSERT_EQ(plan.records.size(), 1u);
  const v1::FileRecord& r = plan.records[0];
  EXPECT_EQ(r.name(), "files/live");
  EXPECT_EQ(r.key_id(), 4);
  EXPECT_EQ(r.owner(), TokenId("sk-client"));
  EXPECT_EQ(r.created_at_ms(), kNow - 3600 * 1000);
  EXPECT_EQ(r.expires_at_ms(), kNow + 47LL * 3600 * 1000);
  const nlohmann::json metadata = nlohmann::json::parse(r.metadata_json());
  EXPECT_EQ(metadata["mimeType"], "application/pdf");
  EXPECT_EQ(metadata["sizeBytes"], "1234");
  EXPECT_EQ(metadata["uri"], "https://generativelanguage.googleapis.com/v1beta/files/live");
  EXPECT_THAT(plan.skipped_unknown_key, ElementsAre("files/other"));
  EXPECT_EQ(plan.skipped_expired_or_incomplete, 2);
}

TEST(PlanFileRecordsTest, AMissingExpiryIsCreationPlus48Hours) {
  GeminiBalanceFileRow row = Row("files/noexp", "k", "");
  const FileRecordsPlan plan = PlanFileRecords({row}, {{"k", 1}}, kNow);
  ASSERT_EQ(plan.records.size(), 1u);
  EXPECT_EQ(plan.records[0].expires_at_ms(), kNow - 3600 * 1000 + 48LL * 3600 * 1000);
}

}  // namespace
}  // namespace gempool::ctl
