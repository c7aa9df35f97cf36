// MakeLiveSettings: the snapshot a save in the admin UI swaps in, and the
// parts it shares with the snapshot in force when their inputs are unchanged
// (a poll rebuilds only what a save changed). Then the HTTP server as the
// gateway wires it: each request reads the snapshot once and keeps it, and a
// save applies from the next request on.

#include "live_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "gempool/rpc/channel.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/httplib_server.h"
#include "health_checker.h"
#include "http/elastic_thread_pool.h"
#include "http/event_loop.h"
#include "http/http_server.h"
#include "logs/persistence_client.h"
#include "logs/request_log_writer.h"
#include "openai/openai_routes.h"
#include "pool/key_broker_client.h"
#include "pool/outcome_reporter.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {
namespace {

std::shared_ptr<const LiveSettings> Make(const Config& config, const LiveSettings* previous = nullptr) {
  absl::StatusOr<std::shared_ptr<const LiveSettings>> live = MakeLiveSettings(config, "admin", previous);
  EXPECT_TRUE(live.ok()) << live.status();
  return live.ok() ? *live : nullptr;
}

TEST(LiveSettingsTest, CarriesTheConversionOptionsOfTheModelSettings) {
  Config config;
  config.openai.search_models = {"gemini-x"};
  config.openai.thinking_budget_map = {{"gemini-2.5-flash", 512}};
  config.openai.show_thinking_process = false;
  config.openai.filtered_models = {"gemini-hidden"};
  const std::shared_ptr<const LiveSettings> live = Make(config);
  ASSERT_NE(live->conversion, nullptr);
  EXPECT_EQ(live->conversion->search_models, std::vector<std::string>{"gemini-x"});
  EXPECT_EQ(live->conversion->thinking_budget_map.at("gemini-2.5-flash"), 512);
  EXPECT_FALSE(live->conversion->show_thinking_process);
  EXPECT_EQ(live->conversion->filtered_models, std::vector<std::string>{"gemini-hidden"});
  EXPECT_EQ(live->conversion->schema_dialect, openai::SchemaDialect::kJsonSchema);
}

TEST(LiveSettingsTest, UnchangedInputsShareTheBuiltParts) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.max_retries = 7;  // Not an input of the conversion or the model map.
  config.custom_headers = {{"X-Team", "a"}};
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  EXPECT_EQ(second->max_attempts, 7);
  EXPECT_EQ(second->conversion, first->conversion);
  EXPECT_EQ(second->anthropic_models, first->anthropic_models);
}

TEST(LiveSettingsTest, AChangedModelSettingRebuildsTheConversionOnly) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.openai.safety_settings = {{"HARM_CATEGORY_HARASSMENT", "BLOCK_ONLY_HIGH"}};
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  ASSERT_NE(second->conversion, first->conversion);
  EXPECT_EQ(second->conversion->safety_settings.dump(),
            R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"}])");
  EXPECT_EQ(second->anthropic_models, first->anthropic_models);
}

TEST(LiveSettingsTest, ABaseUrlVersionChangeRebuildsTheConversion) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.base_url = "https://generativelanguage.googleapis.com/v1";
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  ASSERT_NE(second->conversion, first->conversion);
  EXPECT_EQ(second->conversion->schema_dialect, openai::SchemaDialect::kOpenApiSubset);
  // Same version on another host: nothing to rebuild.
  config.base_url = "https://proxy.example/v1";
  const std::shared_ptr<const LiveSettings> third = Make(config, second.get());
  EXPECT_EQ(third->conversion, second->conversion);
}

TEST(LiveSettingsTest, AChangedAnthropicMapRebuildsTheMapOnly) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.anthropic_model_map = R"({"claude-*": "gemini-2.5-flash"})";
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  EXPECT_NE(second->anthropic_models, first->anthropic_models);
  EXPECT_EQ(second->conversion, first->conversion);
}

TEST(LiveSettingsTest, ABadModelSettingIsRefusedNamingIt) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.openai.tts_voice_name = "Robot";
  absl::StatusOr<std::shared_ptr<const LiveSettings>> next = MakeLiveSettings(config, "admin", first.get());
  ASSERT_FALSE(next.ok());
  EXPECT_NE(std::string(next.status().message()).find("TTS_VOICE_NAME"), std::string::npos);
}

TEST(LiveSettingsTest, ResponsesStoreSettingsAreLive) {
  Config config;
  config.responses_store_days = 3;
  config.responses_store_max_kb = 16;
  const std::shared_ptr<const LiveSettings> live = Make(config);
  EXPECT_EQ(live->responses_store_days, 3);
  EXPECT_EQ(live->responses_store_max_bytes, size_t{16} << 10);
}

TEST(LiveSettingsTest, CarriesTheTimeZoneLoaded) {
  Config config;
  config.timezone = "Asia/Shanghai";
  const std::shared_ptr<const LiveSettings> first = Make(config);
  EXPECT_EQ(first->time_zone.name(), "Asia/Shanghai");
  config.timezone = "Mars/Olympus_Mons";  // tzdata gone: counted in UTC, with a warning.
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  EXPECT_EQ(second->time_zone, absl::UTCTimeZone());
}

constexpr char kToken[] = "sk-live-settings-test";

class NullSink final : public LogSink {
 public:
  absl::Status WriteRequestLogs(absl::string_view /*sender*/,
                                const std::vector<v1::RequestLogEntry>&) override { return absl::OkStatus(); }
  absl::Status WriteErrorLogs(absl::string_view /*sender*/,
                              const std::vector<v1::ErrorLogEntry>&) override { return absl::OkStatus(); }
};

// An HttpServer in-process with the settings holder a save swaps, as the
// gateway wires them. The key broker and persistence are unreachable: the
// routes under test answer before any upstream call.
class RequestSnapshotTest : public ::testing::Test {
 protected:
  RequestSnapshotTest() { config_.allowed_tokens = {kToken}; }

  ~RequestSnapshotTest() override {
    if (server_ != nullptr) {
      server_->StopAccepting();
      server_->CancelStreams();
      upstream_.AbortAll();
      server_->Join();
    }
    workers_.Shutdown();
    loop_.Stop();
  }

  void Start(std::vector<ApiRoute> routes) {
    live_ = std::make_unique<LiveSettingsHolder>(Make(config_));
    HttpServer::Options options;
    options.live = live_.get();
    options.api_routes = std::move(routes);
    server_ = std::make_unique<HttpServer>(forwarder_, health_, logs_, clock_, loop_, workers_, options);
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    loop_.Start();
  }

  // A save in the admin UI: config_ as it stands becomes the snapshot in
  // force (as the gateway's apply callback does it).
  void Save() { live_->Set(Make(config_, live_->Get().get())); }

  httplib::Result Post(const std::string& path, const std::string& body, const std::string& token = kToken) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    return client.Post(path, {{"Authorization", "Bearer " + token}}, body, "application/json");
  }

  Config config_;
  gempool::testing::FakeClock clock_;
  EventLoop loop_{2};
  ElasticThreadPool workers_{ElasticThreadPool::Options()};
  NullSink log_sink_;
  RequestLogWriter logs_{log_sink_, RequestLogWriter::Options()};
  KeyBrokerClient broker_{rpc::MakeChannel("127.0.0.1:1"), "127.0.0.1:1", 100};
  PersistenceClient persistence_{rpc::MakeChannel("127.0.0.1:1"), "127.0.0.1:1", 100};
  OutcomeReporter reporter_{[](const v1::ReportOutcomesRequest&) { return absl::OkStatus(); },
                            OutcomeReporter::Options()};
  UpstreamClient upstream_{loop_.context(), UpstreamClient::Options()};
  Forwarder forwarder_{broker_, reporter_, upstream_, logs_, clock_, loop_.context(),
                       [](std::function<void()> task) { task(); }, Forwarder::Options()};
  HealthChecker health_{broker_, persistence_, 100, [](std::function<void()> task) { task(); }};
  std::unique_ptr<LiveSettingsHolder> live_;
  std::unique_ptr<OpenAIRoutes> openai_;  // When a test serves them.
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(RequestSnapshotTest, HandlersReadTheSnapshotInForce) {
  // The handler reports SHOW_SEARCH_LINK of its call's snapshot; a "wait"
  // call reads it, lets the test save, then reads it again.
  struct {
    Mutex mu;
    CondVar changed;  // Signalled when entered or saved is set.
    bool entered ABSL_GUARDED_BY(mu) = false;
    bool saved ABSL_GUARDED_BY(mu) = false;
  } sync;
  ApiRoute route;
  route.verb = "POST";
  route.path = "/test/snapshot";
  route.handler = [&](const ClientCall& call) {
    const bool before = call.settings->conversion->show_search_link;
    if (call.body == "wait") {
      MutexLock lock(&sync.mu);
      sync.entered = true;
      sync.changed.SignalAll();
      const absl::Time deadline = absl::Now() + absl::Seconds(10);
      while (!sync.saved && !sync.changed.WaitWithDeadline(&sync.mu, deadline)) {
      }
    }
    const bool after = call.settings->conversion->show_search_link;
    ClientAnswer answer;
    answer.reply = HttpReply{200, "text/plain", absl::StrCat(before, " ", after), ""};
    return answer;
  };
  Start({route});

  httplib::Result first = Post("/test/snapshot", "plain");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "1 1");

  // httplib::Result has no default constructor: keep what the test reads.
  std::optional<std::string> during_body;
  std::thread waiting([&] {
    httplib::Result during = Post("/test/snapshot", "wait");
    if (during) during_body = during->body;
  });
  {
    MutexLock lock(&sync.mu);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!sync.entered && !sync.changed.WaitWithDeadline(&sync.mu, deadline)) {
    }
    ASSERT_TRUE(sync.entered);
  }
  config_.openai.show_search_link = false;
  Save();
  {
    MutexLock lock(&sync.mu);
    sync.saved = true;
    sync.changed.SignalAll();
  }
  waiting.join();
  ASSERT_TRUE(during_body.has_value());
  EXPECT_EQ(*during_body, "1 1") << "a request's snapshot stays as it was";

  httplib::Result next = Post("/test/snapshot", "plain");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "0 0") << "the save applies from the next request on";

  // ALLOWED_TOKENS come from the snapshot too.
  config_.allowed_tokens = {"sk-another"};
  Save();
  httplib::Result refused = Post("/test/snapshot", "plain");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  httplib::Result admitted = Post("/test/snapshot", "plain", "sk-another");
  ASSERT_TRUE(admitted);
  EXPECT_EQ(admitted->status, 200);
}

TEST_F(RequestSnapshotTest, AChangedTimeOutReachesTheMediaFetch) {
  // An image host that answers only when the test ends: the download is
  // cut by the request's TIME_OUT.
  struct {
    Mutex mu;
    CondVar changed;  // Signalled when done is set.
    bool done ABSL_GUARDED_BY(mu) = false;
  } sync;
  httplib::Server images;
  images.Get("/slow.png", [&](const httplib::Request&, httplib::Response& res) {
    MutexLock lock(&sync.mu);
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (!sync.done && !sync.changed.WaitWithDeadline(&sync.mu, deadline)) {
    }
    res.set_content("late", "image/png");
  });
  const int image_port = images.bind_to_any_port("127.0.0.1");
  std::thread image_thread;
  ASSERT_TRUE(gempool::testing::StartListening(images, &image_thread));

  config_.openai.media_fetch_allow_private = true;
  config_.time_out_seconds = 300;  // At start-up: the fetch's own 30 s cap applies.
  openai_ = OpenAIRoutes::Create(config_, forwarder_, clock_);
  Start(openai_->Routes());
  config_.time_out_seconds = 1;  // Saved in the admin UI.
  Save();

  const auto started = std::chrono::steady_clock::now();
  httplib::Result res = Post(
      "/v1/chat/completions",
      absl::StrCat(R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":[)",
                   R"({"type":"image_url","image_url":{"url":"http://127.0.0.1:)", image_port,
                   R"(/slow.png"}}]}]})"));
  const auto took = std::chrono::steady_clock::now() - started;
  {
    MutexLock lock(&sync.mu);
    sync.done = true;
    sync.changed.SignalAll();
  }
  images.stop();
  image_thread.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_THAT(res->body, ::testing::HasSubstr("took longer than 1 s"));
  EXPECT_LT(took, std::chrono::seconds(15));
}

}  // namespace
}  // namespace gempool::gateway
