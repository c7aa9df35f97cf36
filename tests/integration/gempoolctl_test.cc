// gempoolctl next to a running stack: it finds the broker through the same
// environment the services use, and its changes take effect on the pool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

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
  // Runs gempoolctl with `args` plus --json whatever its exit code (returned
  // in `exit_code`); the output must still be JSON.
  json CtlJsonExit(std::vector<std::string> args, int* exit_code) {
    args.push_back("--json");
    Stack::CtlResult r = stack().RunCtl(args);
    *exit_code = r.exit_code;
    json out = json::parse(r.output, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << "gempoolctl " << ::testing::PrintToString(args)
                                     << " printed no JSON: " << r.output << "\nstderr: " << r.error;
    return out.is_discarded() ? json::object() : out;
  }
  // The result for key `id` in `keys verify --json` output ({} if absent).
  static json VerifyResultFor(const json& verified, int64_t id) {
    for (const json& r : verified.value("results", json::array())) {
      if (r.value("id", int64_t{0}) == id) return r;
    }
    ADD_FAILURE() << "keys verify reports nothing for key " << id << ": " << verified.dump();
    return json::object();
  }
  // The keys the fake upstream saw probed (TEST_MODEL generateContent) after
  // upstream request `since`.
  std::vector<std::string> ProbedKeys(int64_t since) {
    std::vector<std::string> keys;
    for (const UpstreamRequest& r : Upstream("generateContent", since)) {
      if (r.model == kTestModel) keys.push_back(r.key);
    }
    return keys;
  }
  // The stack with a TEST_MODEL no client request uses, so probes can be
  // told apart from served requests.
  void StartVerifyStack() {
    StackOptions options;
    options.extra_env["TEST_MODEL"] = kTestModel;
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }
  std::string State(int64_t id) {
    const json list = CtlJson({"keys", "list"});  // outlives the loop
    for (const json& k : list["keys"]) {
      if (k["id"] == id) return k["state"].get<std::string>();
    }
    ADD_FAILURE() << "gempoolctl keys list does not show key " << id;
    return "";
  }

  static constexpr char kTestModel[] = "gemini-2.0-flash-lite";

  // The id gempoolctl shows for `secret` (matched by its masked form).
  int64_t IdOf(const std::string& secret) {
    json list = CtlJson({"keys", "list"});
    for (const json& k : list["keys"]) {
      if (k["masked"] == MaskKey(secret)) return k["id"].get<int64_t>();
    }
    ADD_FAILURE() << "gempoolctl keys list does not show " << MaskKey(secret) << ": " << list.dump();
    return 0;
  }
  std::vector<std::string> KeysUsedBy(int requests) {
    const int64_t since = LastUpstreamId();
    for (int i = 0; i < requests; ++i) {
      auto r = Generate();
      EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
      ++served_;
    }
    return KeysOf(Upstream("generateContent", since));
  }

  // The gateway hands keys out from its replica of the pool, which the broker
  // updates through a stream: admin actions and probes reach it within
  // moments, not at once.
  static constexpr int kPropagationMs = 5000;
  // Sends batches of `batch` requests until one is served by `secret`.
  void ExpectKeyJoinsRotation(const std::string& secret, int batch) {
    std::vector<std::string> used;
    const bool joined = gempool::testing::WaitFor(
        [&] {
          used = KeysUsedBy(batch);
          return std::find(used.begin(), used.end(), secret) != used.end();
        },
        kPropagationMs);
    EXPECT_TRUE(joined) << secret << " served no request within " << kPropagationMs << " ms; the last batch used "
                        << ::testing::PrintToString(used);
  }
  // Waits until the gateway has every pool change made so far: adds a marker
  // key (after those changes, so on the same stream after them) and waits
  // until it serves. `usable` is how many keys the gateway may hand out
  // before the marker. Returns the marker, which stays in the pool.
  std::string SyncGateway(int usable) {
    const std::string marker = StackOptions::TestKey(50 + static_cast<int>(markers_.size()));
    markers_.push_back(marker);
    EXPECT_EQ(CtlJson({"keys", "add", marker})["added"], 1);
    ExpectKeyJoinsRotation(marker, usable + 1);
    return marker;
  }

  // Client requests KeysUsedBy sent (each answered 200).
  int served_ = 0;
  std::vector<std::string> markers_;
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
  EXPECT_EQ(disabled["keys"][0]["masked"], MaskKey(options.keys[0]));
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
  ExpectKeyJoinsRotation(fresh1, 5);
  ExpectKeyJoinsRotation(fresh2, 5);
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
  SyncGateway(2);
  EXPECT_THAT(KeysUsedBy(6), Not(Contains(paused)));
  EXPECT_EQ(CtlJson({"keys", "resume", std::to_string(id)})["affected"], 1);
  ExpectKeyJoinsRotation(paused, 4);
}

TEST_F(GempoolctlTest, WrongAdminTokenExits3) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  Stack::CtlResult r = stack().RunCtl({"keys", "list", "--token", "not-the-admin-token"});
  EXPECT_EQ(r.exit_code, 3) << r.output << r.error;
  Stack::CtlResult health = stack().RunCtl({"health", "--json"});
  EXPECT_EQ(health.exit_code, 0) << health.output << health.error;
  EXPECT_EQ(json::parse(health.output, nullptr, false).value("healthy", false), true) << health.output;
}

// A key that dies upstream while ACTIVE is caught by `keys verify ID`:
// disabled with its reason, and exit 1 ("keys verify: a key did not pass" in
// gempoolctl --help). Valid again, `keys verify --all` returns it to the
// rotation. The probes never reach the request log or the usage statistics.
TEST_F(GempoolctlTest, VerifyDisablesADeadKeyAndVerifyAllBringsItBack) {
  ASSERT_NO_FATAL_FAILURE(StartVerifyStack());
  const std::vector<std::string>& keys = stack().options().keys;
  const std::string dead = keys[0];
  const int64_t id = IdOf(dead);
  ASSERT_GT(id, 0);
  ASSERT_EQ(State(id), "active");
  ASSERT_TRUE(fake().SetValidKeys({keys[1], keys[2]}).ok());

  int64_t since = LastUpstreamId();
  int exit_code = -1;
  json verified = CtlJsonExit({"keys", "verify", std::to_string(id)}, &exit_code);
  EXPECT_EQ(exit_code, 1) << verified.dump();
  EXPECT_EQ(verified["passed"], 0);
  EXPECT_EQ(verified["failed"], 1);
  ASSERT_THAT(verified["results"], SizeIs(1)) << verified.dump();
  const json result = verified["results"][0];
  EXPECT_EQ(result["id"], id);
  EXPECT_EQ(result["masked"], MaskKey(dead));
  EXPECT_EQ(result["passed"], false);
  EXPECT_EQ(result["state"], "disabled");
  EXPECT_EQ(result["http_status"], 400);
  EXPECT_THAT(result["message"].get<std::string>(), HasSubstr("API_KEY_INVALID"));
  EXPECT_THAT(verified.dump(), Not(HasSubstr(dead))) << "keys verify shows a secret";
  EXPECT_THAT(ProbedKeys(since), ElementsAre(dead)) << "one probe, with the verified key";

  json disabled = CtlJson({"keys", "list", "--state", "disabled"});
  ASSERT_THAT(disabled["keys"], SizeIs(1)) << disabled.dump();
  EXPECT_EQ(disabled["keys"][0]["id"], id);
  EXPECT_EQ(disabled["keys"][0]["state"], "disabled");
  EXPECT_THAT(disabled["keys"][0]["state_reason"].get<std::string>(), HasSubstr("API_KEY_INVALID"));
  EXPECT_THAT(disabled.dump(), Not(HasSubstr(dead)));
  SyncGateway(2);
  EXPECT_THAT(KeysUsedBy(6), Not(Contains(dead))) << "a disabled key is handed out";

  ASSERT_TRUE(fake().SetValidKeys({}).ok());  // every key valid again
  std::vector<std::string> pool = keys;
  pool.insert(pool.end(), markers_.begin(), markers_.end());
  since = LastUpstreamId();
  verified = CtlJsonExit({"keys", "verify", "--all"}, &exit_code);
  EXPECT_EQ(exit_code, 0) << verified.dump();
  EXPECT_EQ(verified["passed"], pool.size());
  EXPECT_EQ(verified["failed"], 0);
  ASSERT_THAT(verified["results"], SizeIs(pool.size())) << verified.dump();
  for (const json& r : verified["results"]) {
    EXPECT_EQ(r["passed"], true) << r.dump();
    EXPECT_EQ(r["state"], "active") << r.dump();
    EXPECT_EQ(r["http_status"], 200) << r.dump();
  }
  EXPECT_THAT(ProbedKeys(since), UnorderedElementsAreArray(pool));
  EXPECT_EQ(State(id), "active");
  EXPECT_THAT(CtlJson({"keys", "list", "--state", "disabled"})["keys"], SizeIs(0));
  ExpectKeyJoinsRotation(dead, static_cast<int>(pool.size()));

  // Usage counts every client request (logged asynchronously) and no probe.
  const int served = served_;
  json usage;
  auto flash_calls = [&] {
    usage = CtlJson({"keys", "usage"});
    int calls = 0;
    for (const json& key : usage["keys"]) {
      for (const json& m : key["models"]) {
        if (m["model"] == kFlash) calls += m["calls_1h"].get<int>();
      }
    }
    return calls;
  };
  EXPECT_TRUE(gempool::testing::WaitFor([&] { return flash_calls() >= served; }, 15000)) << usage.dump();
  EXPECT_EQ(flash_calls(), served) << usage.dump();
  for (const json& key : usage["keys"]) {
    for (const json& m : key["models"]) {
      EXPECT_NE(m["model"], kTestModel) << "a probe is in the usage: " << usage.dump();
    }
  }
}

// A selection probes exactly the selected keys and reports each; an unknown
// id probes nothing and exits 1.
TEST_F(GempoolctlTest, VerifySelectionProbesOnlyTheSelectedKeys) {
  ASSERT_NO_FATAL_FAILURE(StartVerifyStack());
  const std::vector<std::string>& keys = stack().options().keys;
  std::vector<int64_t> ids;
  for (const std::string& key : keys) ids.push_back(IdOf(key));
  ASSERT_THAT(ids, Not(Contains(0)));
  ASSERT_TRUE(fake().SetValidKeys({keys[1], keys[2]}).ok());  // keys[0] is dead

  int64_t since = LastUpstreamId();
  int exit_code = -1;
  // Comma-separated, out of order.
  json verified = CtlJsonExit({"keys", "verify", absl::StrCat(ids[1], ",", ids[0])}, &exit_code);
  EXPECT_EQ(exit_code, 1) << verified.dump();
  EXPECT_EQ(verified["passed"], 1);
  EXPECT_EQ(verified["failed"], 1);
  ASSERT_THAT(verified["results"], SizeIs(2)) << verified.dump();
  EXPECT_LT(verified["results"][0]["id"], verified["results"][1]["id"]) << "results are sorted by id";
  const json dead = VerifyResultFor(verified, ids[0]);
  EXPECT_EQ(dead["passed"], false);
  EXPECT_EQ(dead["state"], "disabled");
  const json alive = VerifyResultFor(verified, ids[1]);
  EXPECT_EQ(alive["passed"], true);
  EXPECT_EQ(alive["state"], "active");
  EXPECT_EQ(alive["http_status"], 200);
  EXPECT_THAT(ProbedKeys(since), UnorderedElementsAre(keys[0], keys[1]));
  EXPECT_EQ(State(ids[2]), "active");

  // Ids as separate arguments, every key passing: exit 0.
  since = LastUpstreamId();
  verified = CtlJsonExit({"keys", "verify", std::to_string(ids[1]), std::to_string(ids[2])}, &exit_code);
  EXPECT_EQ(exit_code, 0) << verified.dump();
  EXPECT_EQ(verified["passed"], 2);
  EXPECT_EQ(verified["failed"], 0);
  EXPECT_THAT(ProbedKeys(since), UnorderedElementsAre(keys[1], keys[2]));
  EXPECT_EQ(State(ids[0]), "disabled") << "a key outside the selection changed";

  since = LastUpstreamId();
  json error = CtlJsonExit({"keys", "verify", "987654"}, &exit_code);
  EXPECT_EQ(exit_code, 1) << error.dump();
  EXPECT_EQ(error["error"]["code"], "NOT_FOUND") << error.dump();
  EXPECT_THAT(ProbedKeys(since), SizeIs(0));
}

// "Paused keys are tested too and stay paused" (keys verify --help): the
// answer is kept underneath and shows once the key is resumed.
TEST_F(GempoolctlTest, VerifiedPausedKeyStaysPaused) {
  ASSERT_NO_FATAL_FAILURE(StartVerifyStack());
  const std::vector<std::string>& keys = stack().options().keys;
  const std::string paused = keys[0];
  const int64_t id = IdOf(paused);
  ASSERT_GT(id, 0);
  ASSERT_EQ(CtlJson({"keys", "pause", std::to_string(id)})["affected"], 1);

  // Dead while paused: the probe fails, the key stays paused.
  ASSERT_TRUE(fake().SetValidKeys({keys[1], keys[2]}).ok());
  int64_t since = LastUpstreamId();
  int exit_code = -1;
  json verified = CtlJsonExit({"keys", "verify", std::to_string(id)}, &exit_code);
  EXPECT_EQ(exit_code, 1) << verified.dump();
  json result = VerifyResultFor(verified, id);
  EXPECT_EQ(result["passed"], false);
  EXPECT_EQ(result["state"], "paused");
  EXPECT_EQ(result["http_status"], 400);
  EXPECT_THAT(ProbedKeys(since), ElementsAre(paused));
  json listed = CtlJson({"keys", "list", "--state", "paused"});
  ASSERT_THAT(listed["keys"], SizeIs(1)) << listed.dump();
  EXPECT_EQ(listed["keys"][0]["id"], id);
  // Resumed, it is the dead key the probe found.
  EXPECT_EQ(CtlJson({"keys", "resume", std::to_string(id)})["affected"], 1);
  EXPECT_EQ(State(id), "disabled");

  // Valid again while paused: verify --all passes it and it stays paused.
  EXPECT_EQ(CtlJson({"keys", "pause", std::to_string(id)})["affected"], 1);
  ASSERT_TRUE(fake().SetValidKeys({}).ok());
  verified = CtlJsonExit({"keys", "verify", "--all"}, &exit_code);
  EXPECT_EQ(exit_code, 0) << verified.dump();
  result = VerifyResultFor(verified, id);
  EXPECT_EQ(result["passed"], true);
  EXPECT_EQ(result["state"], "paused");
  EXPECT_EQ(State(id), "paused");
  SyncGateway(2);
  EXPECT_THAT(KeysUsedBy(6), Not(Contains(paused))) << "a paused key is handed out after verify";
  // Resumed, it is active and serves.
  EXPECT_EQ(CtlJson({"keys", "resume", std::to_string(id)})["affected"], 1);
  EXPECT_EQ(State(id), "active");
  ExpectKeyJoinsRotation(paused, 4);
}

}  // namespace
}  // namespace gempool::integration
