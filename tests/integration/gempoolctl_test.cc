// gempoolctl next to a running stack: it finds the broker through the same
// environment the services use, and its changes take effect on the pool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "gempool/common/secrets.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class GempoolctlTest : public StackTest {
 protected:
  // Runs gempoolctl with `args` plus --json; expects exit 0 and JSON output.
  json CtlJson(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.push_back("--json");
    Stack::CtlResult r = stack().RunCtl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "gempoolctl " << ::testing::PrintToString(args) << "\nstdout: " << r.output
                              << "\nstderr: " << r.error;
    json out = json::parse(r.output, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << "not JSON: " << r.output;
    return out.is_discarded() ? json::object() : out;
  }
  // The id gempoolctl shows for `secret` (matched by its masked form).
  int64_t IdOf(const std::string& secret) {
    json list = CtlJson({"keys", "list"});
    for (const json& k : list["keys"]) {
      if (k["key"] == MaskKey(secret)) return k["id"].get<int64_t>();
    }
    ADD_FAILURE() << "gempoolctl keys list does not show " << MaskKey(secret) << ": " << list.dump();
    return 0;
  }
  std::vector<std::string> KeysUsedBy(int requests) {
    const int64_t since = LastUpstreamId();
    for (int i = 0; i < requests; ++i) {
      auto r = Generate();
      EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
    }
    return KeysOf(Upstream("generateContent", since));
  }
};

TEST_F(GempoolctlTest, ListsKeysMaskedWithTheirStates) {
  StackOptions options;
  options.upstream_valid_keys = {options.keys[1], options.keys[2]};  // keys[0] is dead
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  json all = CtlJson({"keys", "list"});
  EXPECT_EQ(all["total"], 3);
  ASSERT_THAT(all["keys"], SizeIs(3));
  for (const std::string& secret : options.keys) {
    EXPECT_THAT(all.dump(), Not(HasSubstr(secret))) << "keys list shows a secret";
  }
  KeysUsedBy(3);  // one of them hits the dead key
  json disabled = CtlJson({"keys", "list", "--state", "disabled"});
  ASSERT_THAT(disabled["keys"], SizeIs(1)) << disabled.dump();
  EXPECT_EQ(disabled["keys"][0]["key"], MaskKey(options.keys[0]));
  EXPECT_EQ(disabled["keys"][0]["state"], "disabled");
  EXPECT_THAT(disabled["keys"][0]["state_reason"].get<std::string>(), HasSubstr("API_KEY_INVALID"));
  EXPECT_THAT(disabled.dump(), Not(HasSubstr(options.keys[0])));
  json summary = CtlJson({"keys", "summary"});
  EXPECT_EQ(summary["total"], 3);
  EXPECT_EQ(summary["disabled"], 1);
}

TEST_F(GempoolctlTest, AddedKeysJoinTheRotation) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string fresh1 = StackOptions::TestKey(11);
  const std::string fresh2 = "AQ.Ab8RN6-new-style-key-" + std::string(20, 'q');
  // Mixed separators, one duplicate of a pool key.
  json added = CtlJson({"keys", "add"}, fresh1 + "\n" + fresh2 + ", " + stack().options().keys[0] + "\n");
  EXPECT_EQ(added["added"], 2) << added.dump();
  EXPECT_THAT(added["duplicates"], SizeIs(1));
  EXPECT_EQ(CtlJson({"keys", "list"})["total"], 5);
  const std::vector<std::string> used = KeysUsedBy(10);
  EXPECT_THAT(used, Contains(fresh1));
  EXPECT_THAT(used, Contains(fresh2));
}

TEST_F(GempoolctlTest, PausedKeyIsNotHandedOutUntilResumed) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string paused = stack().options().keys[0];
  const int64_t id = IdOf(paused);
  ASSERT_GT(id, 0);
  EXPECT_EQ(CtlJson({"keys", "pause", std::to_string(id)})["affected"], 1);
  json list = CtlJson({"keys", "list", "--state", "paused"});
  ASSERT_THAT(list["keys"], SizeIs(1));
  EXPECT_EQ(list["keys"][0]["id"], id);
  EXPECT_THAT(KeysUsedBy(6), Not(Contains(paused)));
  EXPECT_EQ(CtlJson({"keys", "resume", std::to_string(id)})["affected"], 1);
  EXPECT_THAT(KeysUsedBy(6), Contains(paused));
}

TEST_F(GempoolctlTest, WrongAdminTokenExits3) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  Stack::CtlResult r = stack().RunCtl({"keys", "list", "--token", "not-the-admin-token"});
  EXPECT_EQ(r.exit_code, 3) << r.output << r.error;
  Stack::CtlResult health = stack().RunCtl({"health", "--json"});
  EXPECT_EQ(health.exit_code, 0) << health.output << health.error;
  EXPECT_EQ(json::parse(health.output, nullptr, false).value("healthy", false), true) << health.output;
}

}  // namespace
}  // namespace gempool::integration
