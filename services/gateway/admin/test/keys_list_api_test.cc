// GET /v1/keys/list (gemini-balance's shape) over a fake broker.
#include "admin/keys_list_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_admin_backend.h"
#include "gempool/common/secrets.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::HasSubstr;

class KeysListApiTest : public ::testing::Test {
 protected:
  gempool::testing::FakeClock clock_{1'700'000'000'000};
  testing::FakeAdminBackend backend_{clock_};
  KeysListApi api_{backend_};
};

TEST_F(KeysListApiTest, PathsAreGeminiBalances) {
  EXPECT_TRUE(KeysListApi::Matches("/v1/keys/list"));
  EXPECT_TRUE(KeysListApi::Matches("/hf/v1/keys/list"));
  EXPECT_FALSE(KeysListApi::Matches("/v1/keys"));
}

TEST_F(KeysListApiTest, DisabledKeysAreInvalidOthersValidMaskedByDefault) {
  const std::string a = "AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1";
  const std::string b = "AIzaSyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB2";
  const std::string c = "AIzaSyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC3";
  backend_.secrets = {{1, a}, {2, b}, {3, c}};
  backend_.states = {{2, v1::KEY_STATE_DISABLED}, {3, v1::KEY_STATE_PAUSED}};
  ApiResult result = api_.Handle({});
  ASSERT_EQ(result.status, 200) << result.body.dump();
  EXPECT_EQ(result.body["status"], "success");
  EXPECT_EQ(result.body["total"], 3);
  EXPECT_EQ(result.body["data"]["valid_keys"], (nlohmann::json{{MaskKey(a), 0}, {MaskKey(c), 0}}));
  EXPECT_EQ(result.body["data"]["invalid_keys"], (nlohmann::json{{MaskKey(b), 0}}));
  EXPECT_EQ(result.body["keys"][2]["state"], "paused");
  for (const std::string& s : {a, b, c}) EXPECT_THAT(result.body.dump(), ::testing::Not(HasSubstr(s)));
}

TEST_F(KeysListApiTest, FullTrueAnswersTheSecrets) {
  const std::string a = "AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1";
  backend_.secrets = {{1, a}};
  ApiResult result = api_.Handle({{"full", "true"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_TRUE(result.body["data"]["valid_keys"].contains(a)) << result.body.dump();
}

TEST_F(KeysListApiTest, KeysWithTheSameMaskAreAllListed) {
  // Same first six and last four characters: the same mask.
  backend_.secrets = {{1, "AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXX1234"}, {2, "AIzaSyYYYYYYYYYYYYYYYYYYYYYYYYYYYYY1234"}};
  ApiResult result = api_.Handle({});
  ASSERT_EQ(result.status, 200);
  const std::string mask = MaskKey("AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXX1234");
  EXPECT_TRUE(result.body["data"]["valid_keys"].contains(mask));
  EXPECT_TRUE(result.body["data"]["valid_keys"].contains(mask + " #2")) << result.body.dump();
}

}  // namespace
}  // namespace gempool::gateway::admin
