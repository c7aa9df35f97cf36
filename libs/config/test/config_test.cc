#include "gempool/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
