// The Forwarder's pools and pinned calls, against a fake key broker (gRPC on
// loopback) and a fake upstream (HTTP on loopback): a pinned call uses its
// one key for every attempt, retries it only when that can help, waits for
// it to cool down within MAX_KEY_WAIT_MS or answers 429 with Retry-After,
// and says what to do when it is gone; a KeyAffinity pins calls or answers
// them; the pool of the request goes to the broker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "fake_services.h"
#include "fake_upstream.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "logs/request_log_writer.h"
#include "pool/key_broker_client.h"
#include "pool/outcome_reporter.h"
#include "upstream/buffered_sink.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {
namespace {

using testing::FakeKeyBroker;
using testing::FakeUpstream;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Key(char c) { return "AIzaSy" + std::string(33, c); }

// Keeps error log rows in memory.
class RecordingLogSink final : public LogSink {
 public:
  absl::Status WriteRequestLogs(absl::string_view /*sender*/,
                                const std::vector<v1::RequestLogEntry>&) override { return absl::OkStatus(); }
  absl::Status WriteErrorLogs(absl::string_view /*sender*/, const std::vector<v1::ErrorLogEntry>& entries) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    errors_.insert(errors_.end(), entries.begin(), entries.end());
    return absl::OkStatus();
  }
  std::vector<v1::ErrorLogEntry> errors() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return errors_;
  }

 private:
  Mutex mu_;
  std::vector<v1::ErrorLogEntry> errors_ ABSL_GUARDED_BY(mu_);
};

// Pins calls whose body names "files/" to `key_id`, or fails them.
class FakeAffinity final : public KeyAffinity {
 public:
  bool MayApply(const ForwardRequest& request) const override {
    return request.body.find("files/") != absl::string_view::npos;
  }
  absl::StatusOr<int64_t> Resolve(const ForwardRequest& request) override {
    ++resolved;
    if (!answer.ok()) return answer.status();
    EXPECT_EQ(request.client_token_id, "token-id");
    return *answer;
  }
  absl::StatusOr<int64_t> answer = 0;
  std::atomic<int> resolved{0};
};

class ForwarderPinnedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = rpc::StartServer("fake key broker", "127.0.0.1:0", {&broker_});
    ASSERT_TRUE(server.ok()) << server.status();
    broker_server_ = std::move(*server);
    upstream_.Start();
    io_thread_ = std::thread([this] { io_.run(); });
    const std::string addr = "127.0.0.1:" + std::to_string(broker_server_.port);
    client_ = std::make_unique<KeyBrokerClient>(rpc::MakeChannel(addr), addr, 5000);
    reporter_ = std::make_unique<OutcomeReporter>(
        [](const v1::ReportOutcomesRequest&) { return absl::OkStatus(); }, OutcomeReporter::Options());
    logs_ = std::make_unique<RequestLogWriter>(log_sink_, RequestLogWriter::Options());
    upstream_client_ = std::make_unique<UpstreamClient>(io_, UpstreamClient::Options());
  }

  void TearDown() override {
    forwarder_.reset();
    upstream_client_.reset();
    work_.reset();
    io_.stop();
    io_thread_.join();
    // Joined outside the lock: a task may hand the runner another one.
    while (true) {
      std::vector<std::thread> threads;
      {
        MutexLock lock(&blocking_mu_);
        threads.swap(blocking_);
      }
      if (threads.empty()) break;
      for (std::thread& t : threads) t.join();
    }
    upstream_.Stop();
    broker_server_.server->Shutdown();
  }

  void MakeForwarder(int max_key_wait_ms = 0, KeyAffinity* affinity = nullptr,
                     AttemptObserver* attempt_observer = nullptr) {
    Forwarder::Options options;
    options.attempt_observer = attempt_observer;
    options.max_attempts = 3;
    options.max_key_wait_ms = max_key_wait_ms;
    options.key_affinity = affinity;
    forwarder_ = std::make_unique<Forwarder>(
        *client_, *reporter_, *upstream_client_, *logs_, SystemClock::Get(), io_,
        [this](std::function<void()> task) {
          MutexLock lock(&blocking_mu_);
          blocking_.emplace_back(std::move(task));
        },
        options);
  }

  ForwardRequest Request(absl::string_view body = "{}") {
    ForwardRequest request;
    request.route.api_version = "v1beta";
    request.route.model = "gemini-2.5-flash";
    request.route.method = gemini::Method::kGenerateContent;
    request.http_method = "POST";
    request.target.scheme_host_port = "http://127.0.0.1:" + std::to_string(upstream_.port());
    request.target.path_and_query = "/v1beta/models/gemini-2.5-flash:generateContent";
    request.body = body;
    request.client_token_id = "token-id";
    return request;
  }

  static FakeUpstream::Scripted Reply(int status, std::string body) {
    FakeUpstream::Scripted s;
    s.status = status;
    s.body = std::move(body);
    return s;
  }

  std::vector<std::string> KeysSent() {
    std::vector<std::string> keys;
    for (const auto& r : upstream_.received()) keys.push_back(r.headers.find("x-goog-api-key")->second);
    return keys;
  }

  std::vector<v1::ErrorLogEntry> ErrorLog() {
    // The writer's thread is not started here: send what is queued now.
    EXPECT_TRUE(logs_->FlushOnce().ok());
    return log_sink_.errors();
  }

  FakeKeyBroker broker_{{{1, Key('a'), ""}, {2, Key('b'), ""}, {3, Key('c'), ""}}};
  rpc::RunningServer broker_server_;
  FakeUpstream upstream_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  std::thread io_thread_;
  Mutex blocking_mu_;
  // The Forwarder's blocking tasks, each on its own thread (pushed from the
  // forwarder's threads, joined in TearDown).
  std::vector<std::thread> blocking_ ABSL_GUARDED_BY(blocking_mu_);
  RecordingLogSink log_sink_;
  std::unique_ptr<KeyBrokerClient> client_;
  std::unique_ptr<OutcomeReporter> reporter_;
  std::unique_ptr<RequestLogWriter> logs_;
  std::unique_ptr<UpstreamClient> upstream_client_;
  std::unique_ptr<Forwarder> forwarder_;
};

// Counts the attempts the forwarder reports, by outcome.
class CountingAttempts final : public AttemptObserver {
 public:
  void OnAttempt(AttemptOutcome outcome) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    ++counts_[AttemptOutcomeName(outcome)];
  }
  std::map<std::string, int> counts() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return counts_;
  }

 private:
  Mutex mu_;
  std::map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
};

TEST_F(ForwarderPinnedTest, EveryAttemptIsObservedAndTheUpstreamTimeIsSummed) {
  CountingAttempts observer;
  MakeForwarder(0, nullptr, &observer);
  upstream_.Script(Reply(503, R"({"error":{"code":503,"status":"UNAVAILABLE"}})"));
  FakeUpstream::Scripted slow = Reply(200, R"({"candidates":[]})");
  slow.hold_until_latch = true;
  upstream_.Script(slow);
  // The second answer cannot come before this releases it: the upstream
  // time of the call is at least that long.
  std::thread release([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    upstream_.ReleaseLatch();
  });
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(Request(), sink);
  release.join();
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kSuccess);
  EXPECT_EQ(result.attempts, 2);
  EXPECT_GE(result.upstream_ms, 60);
  EXPECT_EQ(observer.counts(), (std::map<std::string, int>{{"server_error", 1}, {"success", 1}}));
}

TEST_F(ForwarderPinnedTest, APinnedCallRetriesAServerErrorOnTheSameKeyOnly) {
  MakeForwarder();
  upstream_.Script(Reply(503, R"({"error":{"code":503,"status":"UNAVAILABLE"}})"));
  upstream_.Script(Reply(200, R"({"candidates":[]})"));
  ForwardRequest request = Request();
  request.pinned_key_id = 2;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kSuccess);
  EXPECT_EQ(result.attempts, 2);
  EXPECT_EQ(result.key_id, 2);
  EXPECT_EQ(KeysSent(), (std::vector<std::string>{Key('b'), Key('b')}));
  for (const v1::AcquireKeyRequest& acquire : broker_.acquires()) {
    EXPECT_EQ(acquire.key_id(), 2);
    EXPECT_EQ(acquire.exclude_key_ids_size(), 0);
  }
}

TEST_F(ForwarderPinnedTest, APinnedCallDoesNotRetryARateLimitOrADeadKey) {
  MakeForwarder();
  upstream_.Script(Reply(429, R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}})"));
  ForwardRequest request = Request();
  request.pinned_key_id = 3;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 429);
  EXPECT_EQ(result.attempts, 1);

  upstream_.Script(Reply(400, R"({"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}})"));
  result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.failure.status, 400);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(KeysSent(), (std::vector<std::string>{Key('c'), Key('c')}));
}

TEST_F(ForwarderPinnedTest, ACoolingPinnedKeyIsWaitedForWithinTheBudget) {
  MakeForwarder(/*max_key_wait_ms=*/5000);
  broker_.SetUnavailableForNextAcquires(1, SystemClock::Get().NowUnixMs() + 300, "key 1 is cooling");
  upstream_.Script(Reply(200, R"({"candidates":[]})"));
  ForwardRequest request = Request();
  request.pinned_key_id = 1;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kSuccess);
  EXPECT_EQ(KeysSent(), (std::vector<std::string>{Key('a')}));
}

TEST_F(ForwarderPinnedTest, ACoolingPinnedKeyBeyondTheBudgetIs429WithRetryAfter) {
  MakeForwarder(/*max_key_wait_ms=*/100);
  broker_.SetUnavailableForNextAcquires(1, SystemClock::Get().NowUnixMs() + 30'000, "key 1 is cooling; it frees up in 30 s");
  ForwardRequest request = Request();
  request.pinned_key_id = 1;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 429);
  EXPECT_THAT(result.failure.retry_after, ::testing::AnyOf("29", "30"));
  EXPECT_THAT(result.failure.body, HasSubstr("key 1 is cooling"));
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(ForwarderPinnedTest, ARemovedPinnedKeyIsAClearErrorSayingWhatToDo) {
  MakeForwarder();
  ForwardRequest request = Request();
  request.pinned_key_id = 9;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.failure.status, 400);
  EXPECT_THAT(result.failure.body, AllOf(HasSubstr("no longer in the pool"), HasSubstr("upload the file again")));
  EXPECT_TRUE(result.failure.retry_after.empty());
  EXPECT_TRUE(upstream_.received().empty());
  std::vector<v1::ErrorLogEntry> errors = ErrorLog();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error_type(), "PINNED_KEY_UNAVAILABLE");
}

TEST_F(ForwarderPinnedTest, TheAffinityPinsCallsItAppliesTo) {
  FakeAffinity affinity;
  affinity.answer = 3;
  MakeForwarder(0, &affinity);
  upstream_.Script(Reply(200, "{}"));
  upstream_.Script(Reply(200, "{}"));
  upstream_.Script(Reply(200, "{}"));
  BufferedSink sink;
  const std::string with_file = R"({"contents":[{"parts":[{"fileData":{"fileUri":"files/abc"}}]}]})";
  EXPECT_EQ(forwarder_->Forward(Request(with_file), sink).outcome, ForwardResult::Outcome::kSuccess);
  EXPECT_EQ(forwarder_->Forward(Request(with_file), sink).outcome, ForwardResult::Outcome::kSuccess);
  EXPECT_EQ(forwarder_->Forward(Request("{}"), sink).outcome, ForwardResult::Outcome::kSuccess);
  EXPECT_EQ(affinity.resolved.load(), 2) << "not asked for calls it does not apply to";
  const std::vector<std::string> sent = KeysSent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0], Key('c'));
  EXPECT_EQ(sent[1], Key('c'));
}

TEST_F(ForwarderPinnedTest, AnAffinityErrorIsTheAnswerAndIsLogged) {
  FakeAffinity affinity;
  affinity.answer = absl::InvalidArgumentError("files of two different keys in one request");
  MakeForwarder(0, &affinity);
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(Request(R"({"a":"files/x","b":"files/y"})"), sink);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kFailed);
  EXPECT_EQ(result.failure.status, 400);
  EXPECT_THAT(result.failure.body, HasSubstr("two different keys"));
  EXPECT_TRUE(upstream_.received().empty());
  std::vector<v1::ErrorLogEntry> errors = ErrorLog();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error_type(), "KEY_AFFINITY");
}

TEST_F(ForwarderPinnedTest, ThePoolGoesToTheBrokerAndUnpinnedCallsRotate) {
  MakeForwarder();
  upstream_.Script(Reply(503, "{}"));
  upstream_.Script(Reply(200, "{}"));
  ForwardRequest request = Request();
  request.pool = v1::POOL_VERTEX;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_EQ(result.outcome, ForwardResult::Outcome::kSuccess);
  const std::vector<std::string> sent = KeysSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_NE(sent[0], sent[1]) << "an unpinned call retries on another key";
  for (const v1::AcquireKeyRequest& acquire : broker_.acquires()) EXPECT_EQ(acquire.pool(), v1::POOL_VERTEX);
}

TEST_F(ForwarderPinnedTest, NoVertexKeyIsNamedAsSuch) {
  MakeForwarder();
  broker_.SetUnavailable(0, "the pool has no keys");
  ForwardRequest request = Request();
  request.pool = v1::POOL_VERTEX;
  BufferedSink sink;
  ForwardResult result = forwarder_->Forward(request, sink);
  EXPECT_THAT(result.failure.body, HasSubstr("no Vertex AI Express key is available"));
  EXPECT_THAT(result.failure.body, Not(HasSubstr("Gemini API key")));
}

}  // namespace
}  // namespace gempool::gateway
