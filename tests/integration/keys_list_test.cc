// gemini-balance's key list for scripts: GET /v1/keys/list and
// /hf/v1/keys/list with AUTH_TOKEN as a bearer; keys masked unless
// ?full=true; valid and invalid keys with their fail counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gempool/common/secrets.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class KeysListTest : public StackTest {
 protected:
  httplib::Headers Admin() const { return {{"Authorization", "Bearer " + stack_->options().admin_token}}; }
};

TEST_F(KeysListTest, AnswersValidAndInvalidKeysMaskedWithTheAdminTokenOnly) {
  StackOptions options;
  options.max_retries = 1;
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  const std::string bad = stack().options().keys[1];
  // The second key is refused by the upstream as invalid: disabled at once.
  ASSERT_TRUE(fake().SetValidKeys({stack().options().keys[0], stack().options().keys[2]}).ok());
  for (int i = 0; i < 6; ++i) Generate();

  for (const char* path : {"/v1/keys/list", "/hf/v1/keys/list"}) {
    auto none = stack().Gateway()->Get(path);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    auto client = stack().Gateway()->Get(path, {{"Authorization", "Bearer " + stack().token()}});
    ASSERT_TRUE(client);
    EXPECT_EQ(client->status, 401) << path << ": a client token is not the admin token";
  }

  json listed;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto r = stack().Gateway()->Get("/v1/keys/list", Admin());
        if (!r || r->status != 200) return false;
        listed = json::parse(r->body);
        return listed["data"]["invalid_keys"].size() == 1;
      },
      10000))
      << listed.dump();
  EXPECT_EQ(listed["status"], "success");
  EXPECT_EQ(listed["total"], 3);
  EXPECT_EQ(listed["data"]["valid_keys"].size(), 2u);
  EXPECT_TRUE(listed["data"]["invalid_keys"].contains(MaskKey(bad))) << listed.dump();
  // Disabled for its credentials at once, not by counted transient
  // failures (MAX_FAILURES counts only those): its count is 0.
  EXPECT_EQ(listed["data"]["invalid_keys"][MaskKey(bad)].get<int>(), 0);
  for (const std::string& key : stack().options().keys) EXPECT_THAT(listed.dump(), Not(HasSubstr(key)));
  ASSERT_EQ(listed["keys"].size(), 3u);
  EXPECT_EQ(listed["keys"][1]["state"], "disabled");

  auto full = stack().Gateway()->Get("/hf/v1/keys/list?full=true", Admin());
  ASSERT_TRUE(full);
  ASSERT_EQ(full->status, 200) << full->body;
  const json secrets = json::parse(full->body);
  EXPECT_TRUE(secrets["data"]["invalid_keys"].contains(bad)) << secrets.dump();
  EXPECT_TRUE(secrets["data"]["valid_keys"].contains(stack().options().keys[0]));
}

}  // namespace
}  // namespace gempool::integration
