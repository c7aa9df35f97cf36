// Request ids tie a client's call to every trace it leaves: the gateway
// answers x-request-id (the client's own when sane, else a new one), stores
// it in the request and error log rows (read back through the admin API and
// `gempoolctl logs`), and persistence names it in its log line for the error
// row. LOG_FORMAT=json turns every service's log into JSON lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gempool/testing/subprocess.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr int kRequestIdWaitMs = 15000;
// Uses every punctuation character a kept id may have.
constexpr char kClientId[] = "client-trace_7.a:b/c+d=e";

class RequestIdTest : public StackTest {
 protected:
  httplib::Headers Admin() const { return {{"Authorization", "Bearer " + stack_->options().admin_token}}; }

  static std::string Escaped(const std::string& id) {
    std::string out;
    for (char c : id) {
      if (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
        out.push_back(c);
      } else {
        char hex[4];
        snprintf(hex, sizeof(hex), "%%%02X", static_cast<unsigned char>(c));
        out += hex;
      }
    }
    return out;
  }

  // The next generateContent fails with a 400 (not retried: one error row).
  void FailNextCall() {
    ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "error"}, {"status", 400},
                                                       {"reason", "INVALID_ARGUMENT"}}}),
                                 false)
                    .ok());
  }

  httplib::Result Call(const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    httplib::Headers headers = Auth();
    for (const auto& [name, value] : extra) headers.emplace(name, value);
    return stack().Gateway()->Post(GeneratePath(kFlash), headers, R"({"contents":[{"parts":[{"text":"hi"}]}]})",
                                   "application/json");
  }

  // The admin API's rows of `log` ("requests" or "errors") for `id`, once
  // there is one (empty after kRequestIdWaitMs).
  json AdminRows(const std::string& log, const std::string& id) {
    json entries = json::array();
    gempool::testing::WaitFor(
        [&] {
          auto r = stack().Gateway()->Get("/api/logs/" + log + "?request_id=" + Escaped(id), Admin());
          if (!r || r->status != 200) return false;
          entries = json::parse(r->body)["entries"];
          return !entries.empty();
        },
        kRequestIdWaitMs);
    return entries;
  }
};

TEST_F(RequestIdTest, AFailedCallsIdIsInTheAnswerTheLogRowsGempoolctlAndThePersistenceLog) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_NO_FATAL_FAILURE(FailNextCall());
  auto r = Call({{"X-Request-Id", kClientId}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(r->get_header_value("x-request-id"), kClientId);

  const json errors = AdminRows("errors", kClientId);
  ASSERT_EQ(errors.size(), 1u) << "no error row for " << kClientId;
  EXPECT_EQ(errors[0]["request_id"], kClientId);
  EXPECT_EQ(errors[0]["status_code"], 400);
  const json requests = AdminRows("requests", kClientId);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["request_id"], kClientId);
  EXPECT_EQ(requests[0]["status_code"], 400);

  const Stack::CtlResult ctl = stack().RunCtl({"logs", "--errors", "--request-id", kClientId, "--json"});
  ASSERT_EQ(ctl.exit_code, 0) << ctl.error;
  const json listed = json::parse(ctl.output);
  ASSERT_EQ(listed["entries"].size(), 1u) << ctl.output;
  EXPECT_EQ(listed["entries"][0]["request_id"], kClientId);
  EXPECT_EQ(listed["entries"][0]["status_code"], 400);
  const Stack::CtlResult other = stack().RunCtl({"logs", "--request-id", "no-such-request", "--json"});
  ASSERT_EQ(other.exit_code, 0) << other.error;
  EXPECT_EQ(json::parse(other.output)["total"], 0);

  // Persistence's log line about the error row it wrote names the request.
  std::string persistence_log;
  const bool found = gempool::testing::WaitFor(
      [&] {
        persistence_log = stack().ServiceLog("persistence");
        for (absl::string_view line : absl::StrSplit(persistence_log, '\n')) {
          // One line per batch: "wrote N error log rows: ... request_id=a,b".
          const size_t ids = line.find("request_id=");
          if (!absl::StrContains(line, "error log row") || ids == absl::string_view::npos) continue;
          for (absl::string_view id : absl::StrSplit(line.substr(ids + 11), absl::ByAnyChar(", \""))) {
            if (id == kClientId) return true;
          }
        }
        return false;
      },
      kRequestIdWaitMs);
  EXPECT_TRUE(found) << persistence_log;
}

TEST_F(RequestIdTest, AMissingOrInsaneIdIsReplacedByANewOneThatIsLogged) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string too_long(500, 'a');
  std::vector<std::string> ids;
  for (const auto& extra : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {}, {{"x-request-id", too_long}}, {{"x-request-id", "has spaces in it"}}, {{"x-request-id", ""}}}) {
    auto r = Call(extra);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const std::string id = r->get_header_value("x-request-id");
    EXPECT_THAT(id, MatchesRegex("[0-9a-f]{32}"));
    ids.push_back(id);
  }
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
  for (const std::string& id : ids) {
    const json rows = AdminRows("requests", id);
    ASSERT_EQ(rows.size(), 1u) << "no request log row for " << id;
    EXPECT_EQ(rows[0]["status_code"], 200);
  }
}

TEST_F(RequestIdTest, EveryAnswerOfTheServerItselfCarriesAnId) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  auto client = stack().Gateway();
  auto health = client->Get("/health", {{"x-request-id", "probe-1"}});
  ASSERT_TRUE(health);
  EXPECT_EQ(health->get_header_value("x-request-id"), "probe-1");
  auto unauthenticated = client->Post(GeneratePath(kFlash), {{"x-request-id", "no-token-1"}}, "{}", "application/json");
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->status, 401);
  EXPECT_EQ(unauthenticated->get_header_value("x-request-id"), "no-token-1");
  auto not_found = client->Get("/nowhere", Auth());
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_THAT(not_found->get_header_value("x-request-id"), MatchesRegex("[0-9a-f]{32}"));
  auto admin = client->Get("/api/logs/requests?limit=1", Admin());
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 200);
  EXPECT_THAT(admin->get_header_value("x-request-id"), MatchesRegex("[0-9a-f]{32}"));
  // A stream answers it in its head.
  auto stream = client->Post(GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse",
                             {{"x-goog-api-key", stack().token()}, {"x-request-id", "stream-1"}},
                             R"({"contents":[{"parts":[{"text":"hi"}]}]})", "application/json");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_EQ(stream->get_header_value("x-request-id"), "stream-1");
}

TEST_F(RequestIdTest, TheBrokerNamesTheRequestWhoseOutcomeDisabledAKey) {
  StackOptions options;
  options.upstream_valid_keys = {options.keys[1], options.keys[2]};  // keys[0] is invalid.
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  // Round robin: one of these calls tries keys[0] first (then another key).
  for (int i = 0; i < 3; ++i) {
    auto r = Call({{"x-request-id", absl::StrCat("broker-trace-", i)}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::string line_found;
  gempool::testing::WaitFor(
      [&] {
        for (absl::string_view line : absl::StrSplit(stack().ServiceLog("keybroker"), '\n')) {
          if (absl::StrContains(line, "to disabled") && absl::StrContains(line, "request_id=broker-trace-")) {
            line_found = std::string(line);
            return true;
          }
        }
        return false;
      },
      kRequestIdWaitMs);
  EXPECT_THAT(line_found, HasSubstr("API_KEY_INVALID")) << stack().ServiceLog("keybroker");
}

TEST_F(RequestIdTest, LogFormatJsonMakesEveryLineOfEveryServiceAJsonObject) {
  StackOptions options;
  options.extra_env["LOG_FORMAT"] = "json";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ASSERT_NO_FATAL_FAILURE(FailNextCall());
  auto r = Call({{"x-request-id", "json-trace-1"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 400);
  // Wait for persistence's line about the error row, then read every log.
  bool seen = false;
  gempool::testing::WaitFor(
      [&] {
        seen = absl::StrContains(stack().ServiceLog("persistence"), R"("request_id":"json-trace-1")");
        return seen;
      },
      kRequestIdWaitMs);
  EXPECT_TRUE(seen) << stack().ServiceLog("persistence");
  for (const std::string service : {"persistence", "keybroker", "gateway0"}) {
    int lines = 0;
    for (absl::string_view line : absl::StrSplit(stack().ServiceLog(service), '\n', absl::SkipEmpty())) {
      if (absl::StartsWith(line, "==== start ")) continue;  // Written by the test's Stack, not the service.
      ++lines;
      const json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
      ASSERT_TRUE(parsed.is_object()) << service << " wrote a line that is not a JSON object: " << line;
      for (const char* field : {"time", "level", "service", "message", "source"}) {
        EXPECT_TRUE(parsed.contains(field)) << service << ": no " << field << " in " << line;
      }
      EXPECT_THAT(parsed["time"].get<std::string>(),
                  MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
    }
    EXPECT_GT(lines, 0) << service << " wrote nothing";
  }
}

}  // namespace
}  // namespace gempool::integration
