// Issue 20, part 4: an upstream that answers slowly, never answers, stalls
// or resets the connection mid-stream. The client gets a clear error (or,
// once a stream has begun, a visibly broken stream: an error event or a cut
// chunked body) within TIME_OUT per attempt, and the key is blamed only for
// what the attempt showed of it: one failure toward MAX_FAILURES for the key
// that timed out or was cut (the documented policy,
// proto/gempool/v1/keybroker.proto OutcomeKind), nothing for a key that
// answered slowly but in time, nothing for the keys that were not used.
// Each test prints "MEASURED ..." lines for docs/reliability.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "integration/measured.h"
#include "integration/netns_stack.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using Clock = std::chrono::steady_clock;

constexpr int kTimeOutSeconds = 2;
constexpr char kMetricsToken[] = "metrics-token-upstream-faults";

struct KeyView {
  std::string state;
  int failures = -1;
};

class UpstreamFaultTest : public StackTest {
 protected:
  void Start(int max_retries = 3) {
    StackOptions options;
    options.max_retries = max_retries;
    options.max_failures = 3;
    broker_metrics_port_ = testing::FreePort();
    options.extra_env["TIME_OUT"] = absl::StrCat(kTimeOutSeconds);
    options.extra_env["KEYBROKER_METRICS_LISTEN"] = absl::StrCat("127.0.0.1:", broker_metrics_port_);
    options.extra_env["METRICS_TOKEN"] = kMetricsToken;
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  // Waits until the broker has every attempt's outcome (one per upstream
  // call but `unreported`: attempts the client ended, which are not
  // reported), then answers each key's state and failure count as
  // gempoolctl shows them, by secret.
  std::map<std::string, KeyView> KeysOnceReported(int64_t unreported) {
    int64_t attempts = 0, received = 0;
    const bool all_in = gempool::testing::WaitFor(
        [&] {
          auto requests = fake().Requests();
          attempts = 0;
          if (requests.ok()) {
            for (const UpstreamRequest& r : *requests) {
              attempts += r.operation == "generateContent" || r.operation == "streamGenerateContent" ? 1 : 0;
            }
          }
          httplib::Client client("127.0.0.1", broker_metrics_port_);
          auto m = client.Get("/metrics");
          received = m && m->status == 200 ? static_cast<int64_t>(MetricSum(m->body, "gempool_keybroker_outcomes_total"))
                                           : -1;
          return received >= attempts - unreported;
        },
        10000);
    EXPECT_TRUE(all_in) << "the broker received " << received << " outcomes of " << attempts - unreported
                      << " reported attempts";
    Stack::CtlResult ctl = stack().RunCtl({"keys", "list", "--json"});
    EXPECT_EQ(ctl.exit_code, 0) << ctl.error;
    std::map<std::string, KeyView> out;
    const json list = json::parse(ctl.output, nullptr, false);
    if (!list.is_object()) {
      ADD_FAILURE() << "gempoolctl keys list printed no JSON: " << ctl.output;
      return out;
    }
    for (const std::string& secret : stack().options().keys) {
      for (const json& k : list["keys"]) {
        if (k["masked"] == MaskKey(secret)) {
          out[secret] = {k["state"].get<std::string>(), k.value("failure_count", -1)};
        }
      }
    }
    return out;
  }

  // Every key but those in `blamed` is active with no failure; each in
  // `blamed` is failing with one.
  void ExpectBlamed(const std::vector<std::string>& blamed, int64_t unreported = 0) {
    const std::map<std::string, KeyView> keys = KeysOnceReported(unreported);
    for (const std::string& secret : stack().options().keys) {
      const bool is_blamed = std::find(blamed.begin(), blamed.end(), secret) != blamed.end();
      auto it = keys.find(secret);
      ASSERT_NE(it, keys.end()) << "gempoolctl does not list " << MaskKey(secret);
      EXPECT_EQ(it->second.state, is_blamed ? "failing" : "active") << MaskKey(secret);
      EXPECT_EQ(it->second.failures, is_blamed ? 1 : 0) << MaskKey(secret);
    }
  }

  // A stream that broke after it began must not look complete: it ends with
  // an error event, or its chunked body is cut (no last chunk), which HTTP
  // clients and the SDKs raise as an error.
  static void ExpectVisiblyBroken(const StreamedResponse& r) {
    EXPECT_TRUE(!r.completed || absl::StrContains(r.body, "\"error\""))
        << "the stream looked complete after the upstream broke: " << r.body;
  }

  // A client that gives up on a whole (not streamed) answer: the gateway sees
  // it leave, ends the upstream call before TIME_OUT, tries no other key and
  // blames none (Exchange::CancelOnDeparture). `path`, `headers`, `body`: the
  // route's call.
  void ExpectALeftCallEnds(const std::string& path, const httplib::Headers& headers,
                           const std::string& body, const std::string& upstream_method) {
    ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "hang"}}}), true).ok());
    const auto sent = Clock::now();
    {
      auto client = stack().Gateway();
      client->set_read_timeout(0, 500 * 1000);  // Gives up long before TIME_OUT.
      auto r = client->Post(path.c_str(), headers, body, "application/json");
      EXPECT_FALSE(r) << "the call was answered: " << r->status;
    }
    double gone = -1, timeouts = -1;
    ASSERT_TRUE(gempool::testing::WaitFor(
        [&] {
          auto m = stack().Gateway()->Get("/metrics", {{"Authorization", std::string("Bearer ") + kMetricsToken}});
          if (!m || m->status != 200) return false;
          gone = MetricSum(m->body, "gempool_gateway_upstream_attempts_total", {"outcome=\"client_gone\""});
          timeouts = MetricSum(m->body, "gempool_gateway_upstream_attempts_total", {"outcome=\"timeout\""});
          return gone >= 1 || timeouts >= 1;
        },
        kTimeOutSeconds * 1000 + 3000))
        << "the gateway never ended the upstream call";
    const int64_t ended_ms = MsSince(sent);
    EXPECT_EQ(gone, 1) << "the attempt did not end as the client's leaving";
    EXPECT_LE(timeouts, 0) << "the upstream call ran into TIME_OUT after the client had left";
    EXPECT_LT(ended_ms, kTimeOutSeconds * 1000) << "ended no sooner than TIME_OUT would have";
    EXPECT_THAT(Upstream(upstream_method), SizeIs(1)) << "a call the client left was retried";
    ASSERT_TRUE(fake().Reset().ok());
    ASSERT_NO_FATAL_FAILURE(ExpectBlamed({}, /*unreported=*/1));
    Measured(absl::StrCat("client leaves a hanging call (", path, ")"),
             "time until the upstream call ended (client gave up at 500 ms)", ended_ms, " ms");
  }

  StreamedResponse Stream(const std::string& text) {
    return PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse", Auth(),
                         GenerateBody(text));
  }

  int broker_metrics_port_ = 0;
};

TEST_F(UpstreamFaultTest, AnUpstreamThatNeverAnswersGivesAClearErrorWithinTimeOutPerAttempt) {
  ASSERT_NO_FATAL_FAILURE(Start(/*max_retries=*/2));
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "hang"}}}), true).ok());
  const auto sent = Clock::now();
  auto r = Generate();
  const int64_t took_ms = MsSince(sent);
  ASSERT_TRUE(r) << "the gateway did not answer: " << httplib::to_string(r.error());
  const std::vector<UpstreamRequest> upstream = Upstream("generateContent");
  ASSERT_THAT(upstream, SizeIs(2)) << "MAX_RETRIES=2: two attempts";
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_THAT(r->body, HasSubstr("did not answer"));
  EXPECT_THAT(r->body, HasSubstr("TIME_OUT"));
  EXPECT_GE(took_ms, 2 * kTimeOutSeconds * 1000 - 100);
  EXPECT_LE(took_ms, 2 * kTimeOutSeconds * 1000 + 1500) << "two attempts of TIME_OUT each, and little more";
  ASSERT_NO_FATAL_FAILURE(ExpectBlamed({upstream[0].key, upstream[1].key}));
  Measured("upstream never answers", "time to the error (2 attempts, TIME_OUT=2)", took_ms, " ms");
}

TEST_F(UpstreamFaultTest, ASlowAnswerWithinTimeOutSucceedsAndBlamesNoKey) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "slow"}, {"delayMs", 1500}}}), false).ok());
  const auto sent = Clock::now();
  auto r = Generate();
  const int64_t took_ms = MsSince(sent);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(Upstream("generateContent"), SizeIs(1));
  ASSERT_NO_FATAL_FAILURE(ExpectBlamed({}));
  Measured("upstream answers slowly", "time to the answer (1.5 s delay, TIME_OUT=2)", took_ms, " ms");
}

TEST_F(UpstreamFaultTest, AStreamLongerThanTimeOutWithSteadyChunksCompletes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // 6 chunks 800 ms apart: 4 s in all, twice TIME_OUT, but never 2 s quiet.
  ASSERT_TRUE(
      fake().ScriptKey("", "", json::array({{{"kind", "slow_stream"}, {"chunks", 6}, {"intervalMs", 800}}}), false)
          .ok());
  StreamedResponse r = Stream("a long steady stream");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.completed);
  EXPECT_THAT(r.body, HasSubstr("chunk 6 of 6"));
  EXPECT_THAT(r.body, Not(HasSubstr("\"error\"")));
  ASSERT_NO_FATAL_FAILURE(ExpectBlamed({}));
}

TEST_F(UpstreamFaultTest, AStreamThatStallsEndsVisiblyBrokenWithinTimeOut) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // The first chunk, then 60 s of silence.
  ASSERT_TRUE(
      fake().ScriptKey("", "", json::array({{{"kind", "slow_stream"}, {"chunks", 3}, {"intervalMs", 60000}}}), false)
          .ok());
  const auto sent = Clock::now();
  StreamedResponse r = Stream("a stream that stalls");
  const int64_t ended = MsSince(sent);
  EXPECT_EQ(r.status, 200);
  const int64_t first = r.ArrivalOf("chunk 1 of 3");
  ASSERT_GE(first, 0) << r.body;
  const int64_t error_after_ms = ended - first;
  ExpectVisiblyBroken(r);
  EXPECT_THAT(r.body, Not(HasSubstr("chunk 2 of 3")));
  EXPECT_GE(error_after_ms, kTimeOutSeconds * 1000 - 100);
  EXPECT_LE(error_after_ms, kTimeOutSeconds * 1000 + 1000) << "the error event came long after TIME_OUT";
  const std::vector<UpstreamRequest> upstream = Upstream("streamGenerateContent");
  ASSERT_THAT(upstream, SizeIs(1)) << "retried after bytes reached the client";
  ASSERT_NO_FATAL_FAILURE(ExpectBlamed({upstream[0].key}));
  Measured("stream stalls", "time from the last chunk to the stream's end (TIME_OUT=2)", error_after_ms, " ms");
}

TEST_F(UpstreamFaultTest, AConnectionResetMidStreamEndsVisiblyBrokenAtOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(fake()
                  .ScriptKey("", "",
                             json::array({{{"kind", "broken_stream"}, {"afterChunks", 2}, {"chunks", 5},
                                           {"intervalMs", 200}, {"reset", true}}}),
                             false)
                  .ok());
  const auto sent = Clock::now();
  StreamedResponse r = Stream("a stream whose connection is reset");
  const int64_t ended = MsSince(sent);
  EXPECT_EQ(r.status, 200);
  const int64_t second = r.ArrivalOf("chunk 2 of 5");
  ASSERT_GE(second, 0) << r.body;
  const int64_t error_after_ms = ended - second;
  EXPECT_THAT(r.body, Not(HasSubstr("chunk 3 of 5")));
  ExpectVisiblyBroken(r);
  EXPECT_LE(error_after_ms, 1000) << "a reset is known at once; the client waited";
  const std::vector<UpstreamRequest> upstream = Upstream("streamGenerateContent");
  ASSERT_THAT(upstream, SizeIs(1)) << "retried after bytes reached the client";
  ASSERT_NO_FATAL_FAILURE(ExpectBlamed({upstream[0].key}));
  Measured("connection reset mid-stream", "time from the last chunk to the stream's end", error_after_ms, " ms");
}

TEST_F(UpstreamFaultTest, AResetBeforeTheFirstByteIsRetriedOnAnotherKey) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(fake()
                  .ScriptKey("", "", json::array({{{"kind", "broken_stream"}, {"afterChunks", 0}, {"reset", true}}}),
                             false)
                  .ok());
  StreamedResponse r = Stream("reset before the first chunk");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.completed);
  EXPECT_THAT(r.body, Not(HasSubstr("\"error\"")));
  const std::vector<UpstreamRequest> upstream = Upstream("streamGenerateContent");
  ASSERT_THAT(upstream, SizeIs(2));
  EXPECT_NE(upstream[0].key, upstream[1].key);
  ASSERT_NO_FATAL_FAILURE(ExpectBlamed({upstream[0].key}));
}

TEST_F(UpstreamFaultTest, AClientThatLeavesAHangingCallEndsTheUpstreamCall) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(
      ExpectALeftCallEnds(GeneratePath(kFlash), Auth(), GenerateBody("I will not wait"), "generateContent"));
}

TEST_F(UpstreamFaultTest, AClientThatLeavesAHangingChatCompletionEndsTheUpstreamCall) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const json chat = {{"model", kFlash}, {"messages", json::array({{{"role", "user"}, {"content", "I will not wait"}}})}};
  ASSERT_NO_FATAL_FAILURE(ExpectALeftCallEnds("/v1/chat/completions",
                                              {{"Authorization", "Bearer " + stack().token()}}, chat.dump(),
                                              "generateContent"));
}

}  // namespace
}  // namespace gempool::integration
