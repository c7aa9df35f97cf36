// ERROR_LOG_RECORD_REQUEST_BODY: off by default (the error row has no body);
// turned on from the admin page it applies without a restart, and the row
// keeps the body sent upstream with secrets and base64 data taken out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "integration/db_rows.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kErrorLogWaitMs = 15000;
constexpr char kMarker[] = "please-log-this-prompt";
constexpr char kClientSecret[] = "sk-client-secret-in-the-body";

class ErrorLogBodyTest : public StackTest {
 protected:
  httplib::Headers Admin() const { return {{"Authorization", "Bearer " + stack_->options().admin_token}}; }

  // A body with a prompt, an inline image and a secret-named field.
  static std::string Body() {
    const json body = {
        {"contents",
         json::array({{{"role", "user"},
                       {"parts", json::array({{{"text", kMarker}},
                                              {{"inlineData",
                                                {{"mimeType", "image/png"}, {"data", std::string(4000, 'Q')}}}}})}}})},
        {"cachedContent", "x"},
        {"labels", {{"api_key", kClientSecret}}}};
    return body.dump();
  }

  // A generateContent the fake answers with a 400 (not retried: one row).
  void FailOnce() {
    ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "error"}, {"status", 400},
                                                       {"reason", "INVALID_ARGUMENT"}}}),
                                 false)
                    .ok());
    auto r = stack().Gateway()->Post(GeneratePath(kFlash), Auth(), Body(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 400) << r->body;
  }

  // The error rows (newest first) once there are at least `n`.
  std::vector<Row> ErrorRows(size_t n) {
    std::vector<Row> rows;
    gempool::testing::WaitFor(
        [&] {
          auto r = SqliteQuery(stack().SqlitePath(),
                               "SELECT id, request_body FROM gempool_error_log ORDER BY id DESC");
          if (r.ok()) rows = *r;
          return rows.size() >= n;
        },
        kErrorLogWaitMs);
    EXPECT_GE(rows.size(), n) << "error rows did not arrive";
    return rows;
  }
};

TEST_F(ErrorLogBodyTest, OffByDefaultThenRecordedRedactedOnceTurnedOnLive) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_NO_FATAL_FAILURE(FailOnce());
  std::vector<Row> rows = ErrorRows(1);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].at("request_body"), "");

  auto saved = stack().Gateway()->Post("/api/config", Admin(),
                                       json{{"values", {{"ERROR_LOG_RECORD_REQUEST_BODY", "true"}}}}.dump(),
                                       "application/json");
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;

  // The gateway picks the setting up within its settings poll: fail calls
  // until a row carries a body.
  std::string recorded;
  size_t n = rows.size();
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        FailOnce();
        rows = ErrorRows(++n);
        if (!rows.empty() && !rows[0].at("request_body").empty()) recorded = rows[0].at("request_body");
        return !recorded.empty();
      },
      kErrorLogWaitMs))
      << "no error row with a request body after the setting was saved";
  EXPECT_THAT(recorded, HasSubstr(kMarker));
  EXPECT_THAT(recorded, HasSubstr(R"("data":"[base64, 3000 bytes]")"));
  EXPECT_THAT(recorded, HasSubstr(R"("api_key":"[redacted]")"));
  EXPECT_THAT(recorded, Not(HasSubstr(kClientSecret)));
  EXPECT_THAT(recorded, Not(HasSubstr("QQQQQQQQ")));
  for (const std::string& key : stack().options().keys) EXPECT_THAT(recorded, Not(HasSubstr(key)));

  // The admin API lists it (a page carries the body's first bytes and its
  // size) and shows it whole on the error's detail, read by the row's id.
  auto listed = stack().Gateway()->Get("/api/logs/errors?limit=1", Admin());
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  const json page = json::parse(listed->body);
  ASSERT_FALSE(page["entries"].empty());
  const json& row = page["entries"][0];
  EXPECT_EQ(recorded.rfind(row["request_body"].get<std::string>(), 0), 0u) << "the page's body is a prefix";
  EXPECT_EQ(row["request_body_bytes"], recorded.size());
  auto one = stack().Gateway()->Get("/api/logs/errors/" + std::to_string(row["id"].get<int64_t>()), Admin());
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(json::parse(one->body)["request_body"], recorded);
  auto missing =
      stack().Gateway()->Get("/api/logs/errors/" + std::to_string(row["id"].get<int64_t>() + 100000), Admin());
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;
}

}  // namespace
}  // namespace gempool::integration
