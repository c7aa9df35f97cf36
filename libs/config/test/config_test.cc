#include "gempool/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "gempool/testing/status_matchers.h"

namespace gempool {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LoadConfigTest, DefaultsMatchGeminiBalanceAndGempool) {
  auto c = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->base_url, "https://generativelanguage.googleapis.com/v1beta");
  EXPECT_EQ(c->max_retries, 3);
  EXPECT_EQ(c->port, 8000);
  EXPECT_EQ(c->database_type, "sqlite");
  EXPECT_EQ(c->SqlitePath(), "./data/default_db");
  EXPECT_EQ(c->keybroker_listen, "127.0.0.1:8001");
}

TEST(LoadConfigTest, ReadsGeminiBalanceEnv) {
  auto c = LoadConfig(Environment::FromMap({{"API_KEYS", "[\"AIzaA\",\"AIzaB\"]"},
                                            {"ALLOWED_TOKENS", "[\"sk-1\"]"},
                                            {"MAX_FAILURES", "10"},
                                            {"BASE_URL", "http://127.0.0.1:9/v1beta/"},
                                            {"KEYBROKER_ADDR", "keybroker:8001"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->api_keys, ElementsAre("AIzaA", "AIzaB"));
  EXPECT_EQ(c->AdminToken(), "sk-1");  // AUTH_TOKEN falls back to the first allowed token.
  EXPECT_TRUE(c->IsAllowedToken("sk-1"));
  EXPECT_FALSE(c->IsAllowedToken("sk-2"));
  EXPECT_FALSE(c->IsAllowedToken(""));
  EXPECT_EQ(c->max_failures, 10);
  EXPECT_EQ(c->base_url, "http://127.0.0.1:9/v1beta");
  EXPECT_EQ(c->keybroker_listen, "0.0.0.0:8001");
}

TEST(LoadConfigTest, BadValuesNameTheVariable) {
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"PORT", "eighty"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PORT")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"DATABASE_TYPE", "postgres"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("DATABASE_TYPE")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"API_KEYS", "[\"a\""}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("API_KEYS")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"DATABASE_TYPE", "mysql"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MYSQL_USER")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"KEYBROKER_ADDR", "nohost"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("KEYBROKER_ADDR")));
}

TEST(LoadConfigTest, TimezoneIsAKnownZone) {
  EXPECT_EQ(LoadConfig(Environment::FromMap({}))->timezone, "Asia/Shanghai");
  EXPECT_EQ(LoadConfig(Environment::FromMap({{"TIMEZONE", " America/New_York "}}))->timezone, "America/New_York");
  EXPECT_EQ(LoadConfig(Environment::FromMap({{"TIMEZONE", ""}}))->timezone, "Asia/Shanghai");
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"TIMEZONE", "Asia/Atlantis"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("TIMEZONE='Asia/Atlantis'")));
}

TEST(LoadConfigTest, MaxKeyWait) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->max_key_wait_ms, 3000);
  auto off = LoadConfig(Environment::FromMap({{"MAX_KEY_WAIT_MS", "0"}}));
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->max_key_wait_ms, 0);
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"MAX_KEY_WAIT_MS", "-1"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("MAX_KEY_WAIT_MS")));
}

TEST(LoadConfigTest, GatewayThreads) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->gateway_threads, 1024);
  auto set = LoadConfig(Environment::FromMap({{"GATEWAY_THREADS", "32"}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->gateway_threads, 32);
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"GATEWAY_THREADS", "0"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("GATEWAY_THREADS")));
}

TEST(LoadConfigTest, GatewayIoThreadsDefaultsToOnePerCore) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->gateway_io_threads, 0);
  auto set = LoadConfig(Environment::FromMap({{"GATEWAY_IO_THREADS", "4"}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->gateway_io_threads, 4);
  for (const char* bad : {"-1", "257", "two"}) {
    EXPECT_THAT(LoadConfig(Environment::FromMap({{"GATEWAY_IO_THREADS", bad}})),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("GATEWAY_IO_THREADS")))
        << bad;
  }
}

// The HTTP server's connection limits and timeouts: a default, a valid value,
// and values just outside the range (or not numbers) that name the variable.
struct HttpLimitCase {
  const char* name;
  int Config::*field;
  int default_value;
  const char* valid;
  int valid_value;
  std::vector<const char*> bad;
};

TEST(LoadConfigTest, AnthropicModelMapIsCheckedAndKeptAsWritten) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_THAT(defaults->anthropic_model_map, HasSubstr("claude-*haiku*"));
  const std::string custom = R"({"claude-*": "gemini-2.5-flash", "claude-opus-*": "gemini-3-pro-preview"})";
  auto set = LoadConfig(Environment::FromMap({{"ANTHROPIC_MODEL_MAP", custom}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->anthropic_model_map, custom);
  for (const char* bad : {"[]", "{\"claude-*\": 3}", "{\"\": \"gemini-2.5-pro\"}", "not json"}) {
    EXPECT_THAT(LoadConfig(Environment::FromMap({{"ANTHROPIC_MODEL_MAP", bad}})),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ANTHROPIC_MODEL_MAP")))
        << bad;
  }
}

TEST(LoadConfigTest, HttpConnectionLimitsAndTimeouts) {
  const std::vector<HttpLimitCase> cases = {
      {"MAX_CONNECTIONS", &Config::max_connections, 20000, "500", 500, {"0", "1000001", "many"}},
      {"MAX_CONNECTIONS_PER_IP", &Config::max_connections_per_ip, 256, "0", 0, {"-1", "1000001", "x"}},
      {"REQUEST_HEAD_TIMEOUT", &Config::request_head_timeout_seconds, 10, "5", 5, {"0", "3601", "5s"}},
      {"REQUEST_BODY_TIMEOUT", &Config::request_body_timeout_seconds, 120, "600", 600, {"0", "86401", "1m"}},
      {"KEEP_ALIVE_TIMEOUT", &Config::keep_alive_timeout_seconds, 60, "1", 1, {"0", "3601", "-5"}},
      {"MAX_REQUEST_BODY_MB", &Config::max_request_body_mb, 128, "4096", 4096, {"0", "4097", "1.5"}},
      {"SHUTDOWN_GRACE_SECONDS", &Config::shutdown_grace_seconds, 30, "0", 0, {"-1", "3601", "30s"}},
  };
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  for (const HttpLimitCase& c : cases) {
    EXPECT_EQ((*defaults).*(c.field), c.default_value) << c.name;
    auto set = LoadConfig(Environment::FromMap({{c.name, c.valid}}));
    ASSERT_TRUE(set.ok()) << c.name << ": " << set.status();
    EXPECT_EQ((*set).*(c.field), c.valid_value) << c.name;
    for (const char* bad : c.bad) {
      EXPECT_THAT(LoadConfig(Environment::FromMap({{c.name, bad}})),
                  StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.name)))
          << c.name << "=" << bad;
    }
  }
}

TEST(LoadConfigTest, ResponsesStoreRetentionAndSizeCap) {
  const std::vector<HttpLimitCase> cases = {
      {"RESPONSES_STORE_DAYS", &Config::responses_store_days, 30, "0", 0, {"-1", "3651", "30d"}},
      {"RESPONSES_STORE_MAX_KB", &Config::responses_store_max_kb, 2048, "65536", 65536, {"0", "65537", "2MB"}},
  };
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  for (const HttpLimitCase& c : cases) {
    EXPECT_EQ((*defaults).*(c.field), c.default_value) << c.name;
    auto set = LoadConfig(Environment::FromMap({{c.name, c.valid}}));
    ASSERT_TRUE(set.ok()) << c.name << ": " << set.status();
    EXPECT_EQ((*set).*(c.field), c.valid_value) << c.name;
    for (const char* bad : c.bad) {
      EXPECT_THAT(LoadConfig(Environment::FromMap({{c.name, bad}})),
                  StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.name)))
          << c.name << "=" << bad;
    }
  }
  auto longest = LoadConfig(Environment::FromMap({{"RESPONSES_STORE_DAYS", "3650"}, {"RESPONSES_STORE_MAX_KB", "1"}}));
  ASSERT_TRUE(longest.ok()) << longest.status();
  EXPECT_EQ(longest->responses_store_days, 3650);
  EXPECT_EQ(longest->responses_store_max_kb, 1);
}

TEST(LoadConfigTest, FakeStreamAndFilesSettings) {
  const std::vector<HttpLimitCase> ints = {
      {"FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS", &Config::fake_stream_empty_data_interval_seconds, 5, "30", 30,
       {"0", "301", "5s"}},
      {"FILES_CLEANUP_INTERVAL_HOURS", &Config::files_cleanup_interval_hours, 1, "24", 24, {"0", "169", "1h"}},
  };
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_FALSE(defaults->fake_stream_enabled);
  EXPECT_TRUE(defaults->files_user_isolation_enabled);
  EXPECT_TRUE(defaults->files_cleanup_enabled);
  for (const HttpLimitCase& c : ints) {
    EXPECT_EQ((*defaults).*(c.field), c.default_value) << c.name;
    auto set = LoadConfig(Environment::FromMap({{c.name, c.valid}}));
    ASSERT_TRUE(set.ok()) << c.name << ": " << set.status();
    EXPECT_EQ((*set).*(c.field), c.valid_value) << c.name;
    for (const char* bad : c.bad) {
      EXPECT_THAT(LoadConfig(Environment::FromMap({{c.name, bad}})),
                  StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.name)))
          << c.name << "=" << bad;
    }
  }
  auto flipped = LoadConfig(Environment::FromMap({{"FAKE_STREAM_ENABLED", "true"},
                                                  {"FILES_USER_ISOLATION_ENABLED", "false"},
                                                  {"FILES_CLEANUP_ENABLED", "false"}}));
  ASSERT_TRUE(flipped.ok()) << flipped.status();
  EXPECT_TRUE(flipped->fake_stream_enabled);
  EXPECT_FALSE(flipped->files_user_isolation_enabled);
  EXPECT_FALSE(flipped->files_cleanup_enabled);
  for (const char* name : {"FAKE_STREAM_ENABLED", "FILES_USER_ISOLATION_ENABLED", "FILES_CLEANUP_ENABLED"}) {
    EXPECT_THAT(LoadConfig(Environment::FromMap({{name, "maybe"}})),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(name)));
  }
}

TEST(LoadConfigTest, VertexExpressKeysAndBaseUrl) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(defaults->vertex_api_keys.empty());
  EXPECT_EQ(defaults->vertex_express_base_url, "https://aiplatform.googleapis.com/v1beta1/publishers/google");
  auto set = LoadConfig(Environment::FromMap({{"VERTEX_API_KEYS", R"(["AQ.one", "AQ.two"])"},
                                              {"VERTEX_EXPRESS_BASE_URL", "http://127.0.0.1:9/v1beta1/publishers/google/"}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(set->vertex_api_keys, ::testing::ElementsAre("AQ.one", "AQ.two"));
  EXPECT_EQ(set->vertex_express_base_url, "http://127.0.0.1:9/v1beta1/publishers/google");
  auto comma = LoadConfig(Environment::FromMap({{"VERTEX_API_KEYS", "AQ.a,AQ.b"}}));
  ASSERT_TRUE(comma.ok()) << comma.status();
  EXPECT_EQ(comma->vertex_api_keys.size(), 2u);
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"VERTEX_EXPRESS_BASE_URL", "aiplatform.googleapis.com"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("VERTEX_EXPRESS_BASE_URL")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"VERTEX_API_KEYS", R"(["AQ.one",)"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("VERTEX_API_KEYS")));
}

TEST(LoadConfigTest, PaidKey) {
  auto unset = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(unset.ok()) << unset.status();
  EXPECT_EQ(unset->paid_key, "");
  auto set = LoadConfig(Environment::FromMap({{"PAID_KEY", " AIzaSyPaid \n"}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->paid_key, "AIzaSyPaid");
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"PAID_KEY", "AIzaSyOne,AIzaSyTwo"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PAID_KEY")));
}

TEST(LoadConfigTest, TestModelMustBeAModelId) {
  auto plain = LoadConfig(Environment::FromMap({{"TEST_MODEL", "gemini-2.5-flash"}}));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->test_model, "gemini-2.5-flash");
  auto prefixed = LoadConfig(Environment::FromMap({{"TEST_MODEL", "models/gemini-2.0-flash-001"}}));
  ASSERT_TRUE(prefixed.ok()) << prefixed.status();
  EXPECT_EQ(prefixed->test_model, "models/gemini-2.0-flash-001");
  for (const char* bad : {"gemini 2.5", "../x", "models/", "gemini?key=1"}) {
    EXPECT_THAT(LoadConfig(Environment::FromMap({{"TEST_MODEL", bad}})),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("TEST_MODEL")))
        << bad;
  }
}

TEST(LoadConfigTest, ReadsMysqlSettingsIncludingRootPassword) {
  auto c = LoadConfig(Environment::FromMap({{"DATABASE_TYPE", "mysql"},
                                            {"MYSQL_HOST", "db"},
                                            {"MYSQL_PORT", "3307"},
                                            {"MYSQL_USER", "gempool"},
                                            {"MYSQL_PASSWORD", "app"},
                                            {"MYSQL_DATABASE", "gempool"},
                                            {"MYSQL_ROOT_PASSWORD", "root-pw"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->mysql.host, "db");
  EXPECT_EQ(c->mysql.port, 3307);
  EXPECT_EQ(c->mysql.user, "gempool");
  EXPECT_EQ(c->mysql.password, "app");
  EXPECT_EQ(c->mysql.database, "gempool");
  EXPECT_EQ(c->mysql.root_password, "root-pw");
  EXPECT_EQ(c->mysql.root_user, "root");
  auto without = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(without->mysql.root_password, "");
  auto admin = LoadConfig(Environment::FromMap({{"MYSQL_ROOT_USER", "dbadmin"}}));
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_EQ(admin->mysql.root_user, "dbadmin");
}

TEST(LoadConfigTest, AdminUiSettings) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->admin_session_expire_seconds, 3600);
  EXPECT_TRUE(defaults->auto_delete_request_logs);
  EXPECT_EQ(defaults->auto_delete_request_logs_days, 30);
  EXPECT_TRUE(defaults->auto_delete_error_logs);
  EXPECT_EQ(defaults->auto_delete_error_logs_days, 7);
  auto set = LoadConfig(Environment::FromMap({{"ADMIN_SESSION_EXPIRE", "600"},
                                              {"AUTO_DELETE_REQUEST_LOGS_ENABLED", "false"},
                                              {"AUTO_DELETE_ERROR_LOGS_DAYS", "1"}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->admin_session_expire_seconds, 600);
  EXPECT_FALSE(set->auto_delete_request_logs);
  EXPECT_EQ(set->auto_delete_error_logs_days, 1);
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"ADMIN_SESSION_EXPIRE", "60"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ADMIN_SESSION_EXPIRE")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"AUTO_DELETE_ERROR_LOGS_ENABLED", "maybe"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("AUTO_DELETE_ERROR_LOGS_ENABLED")));
}

}  // namespace
}  // namespace gempool

namespace gempool {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ObservabilitySettingsTest, LogFormatIsTextOrJson) {
  EXPECT_EQ(LoadConfig(Environment::FromMap({}))->log_format, LogFormat::kText);
  EXPECT_EQ(LoadConfig(Environment::FromMap({{"LOG_FORMAT", " JSON "}}))->log_format, LogFormat::kJson);
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"LOG_FORMAT", "logfmt"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("LOG_FORMAT is 'logfmt'")));
}

TEST(ObservabilitySettingsTest, MetricsTokenAndListenersAreCheckedAndOffByDefault) {
  auto defaults = LoadConfig(Environment::FromMap({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->metrics_token, "");
  EXPECT_EQ(defaults->gateway_metrics_listen, "");
  EXPECT_EQ(defaults->keybroker_metrics_listen, "");
  EXPECT_EQ(defaults->persistence_metrics_listen, "");
  auto set = LoadConfig(Environment::FromMap({{"METRICS_TOKEN", "scrape-me"},
                                              {"GATEWAY_METRICS_LISTEN", "127.0.0.1:9464"},
                                              {"KEYBROKER_METRICS_LISTEN", "0.0.0.0:9465"},
                                              {"PERSISTENCE_METRICS_LISTEN", "127.0.0.1:9466"}}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->metrics_token, "scrape-me");
  EXPECT_EQ(set->keybroker_metrics_listen, "0.0.0.0:9465");
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"KEYBROKER_METRICS_LISTEN", "9465"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("KEYBROKER_METRICS_LISTEN")));
  EXPECT_THAT(LoadConfig(Environment::FromMap({{"METRICS_TOKEN", "two words"}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("METRICS_TOKEN")));
}

}  // namespace
}  // namespace gempool
