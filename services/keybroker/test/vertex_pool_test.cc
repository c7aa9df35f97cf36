// The broker's two pools: VERTEX_API_KEYS load into the Vertex AI Express
// pool, hand-outs, pinned hand-outs, reports, watchers and admin calls honour
// the pool a request names, and ids find keys in either pool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "broker_harness.h"
#include "gempool/keypool/proto_convert.h"

namespace gempool::keybroker {
namespace {

using testing::BrokerHarness;
using testing::TestKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string VertexKey(int n) { return absl::StrCat("AQ.Ab8RN6VertexTest", n, std::string(30, 'v')); }

class VertexPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config = harness_.MakeConfig({TestKey(1), TestKey(2)});
    config.vertex_api_keys = {VertexKey(1), VertexKey(2), TestKey(2)};  // TestKey(2) stays a Gemini key.
    harness_.StartBroker(config, BrokerHarness::Options(/*writer_thread=*/false));
  }

  v1::AcquireKeyResponse Acquire(v1::Pool pool, int64_t key_id = 0, std::string model = "gemini-2.5-flash") {
    v1::AcquireKeyRequest request;
    request.set_model(model);
    request.set_pool(pool);
    request.set_key_id(key_id);
    v1::AcquireKeyResponse response;
    grpc::Status status = harness_.broker_stub().AcquireKey(BrokerHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  int64_t IdOf(const std::string& secret) {
    for (keypool::Pool pool : keypool::kAllPools) {
      if (auto id = harness_.broker().pools().Get(pool).FindBySecret(secret)) return *id;
    }
    return 0;
  }

  v1::ListKeysResponse List(v1::Pool pool) {
    v1::ListKeysRequest request;
    request.set_pool(pool);
    v1::ListKeysResponse response;
    grpc::Status status = harness_.admin_stub().ListKeys(BrokerHarness::AdminContext().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  BrokerHarness harness_;
};

TEST_F(VertexPoolTest, VertexApiKeysLoadIntoTheVertexPoolAndArePersistedThere) {
  EXPECT_EQ(harness_.broker().pools().Get(keypool::Pool::kGemini).size(), 2u);
  EXPECT_EQ(harness_.broker().pools().Get(keypool::Pool::kVertex).size(), 2u);
  for (const auto& [id, record] : harness_.persistence().keys()) {
    const bool vertex = record.secret().rfind("AQ.", 0) == 0;
    EXPECT_EQ(record.pool(), vertex ? v1::POOL_VERTEX : v1::POOL_GEMINI) << record.secret();
  }
}

TEST_F(VertexPoolTest, EachPoolHandsOutOnlyItsOwnKeys) {
  std::set<std::string> vertex, gemini;
  for (int i = 0; i < 4; ++i) vertex.insert(Acquire(v1::POOL_VERTEX).secret());
  for (int i = 0; i < 4; ++i) gemini.insert(Acquire(v1::POOL_GEMINI).secret());
  EXPECT_EQ(vertex, (std::set<std::string>{VertexKey(1), VertexKey(2)}));
  EXPECT_EQ(gemini, (std::set<std::string>{TestKey(1), TestKey(2)}));
}

TEST_F(VertexPoolTest, APinnedAcquireGivesThatKeyOrSaysWhyNot) {
  const int64_t id = IdOf(VertexKey(2));
  for (int i = 0; i < 3; ++i) {
    v1::AcquireKeyResponse response = Acquire(v1::POOL_VERTEX, id);
    ASSERT_TRUE(response.available()) << response.unavailable_reason();
    EXPECT_EQ(response.key_id(), id);
  }
  // A key of the other pool is not in this one.
  v1::AcquireKeyResponse wrong_pool = Acquire(v1::POOL_GEMINI, id);
  EXPECT_FALSE(wrong_pool.available());
  EXPECT_EQ(wrong_pool.retry_at_ms(), 0);

  v1::ReportOutcomeRequest report;
  report.set_key_id(id);
  report.set_model("gemini-2.5-flash");
  report.set_kind(v1::OUTCOME_KIND_RATE_LIMITED);
  report.set_http_status(429);
  report.set_retry_delay_ms(20000);
  v1::ReportOutcomeResponse reported;
  ASSERT_TRUE(harness_.broker_stub().ReportOutcome(BrokerHarness::Context().get(), report, &reported).ok());
  EXPECT_EQ(reported.state(), v1::KEY_STATE_ACTIVE) << "cooling for one model only";
  v1::AcquireKeyResponse cooling = Acquire(v1::POOL_VERTEX, id);
  EXPECT_FALSE(cooling.available());
  EXPECT_EQ(cooling.retry_at_ms(), harness_.clock().NowUnixMs() + 20000);
  EXPECT_THAT(cooling.unavailable_reason(), HasSubstr("cooling"));
  // The other Vertex key serves the pool meanwhile.
  EXPECT_EQ(Acquire(v1::POOL_VERTEX).secret(), VertexKey(1));
}

TEST_F(VertexPoolTest, AdminCallsHonourThePool) {
  v1::ListKeysResponse vertex = List(v1::POOL_VERTEX);
  ASSERT_EQ(vertex.total(), 2);
  for (const v1::KeyView& key : vertex.keys()) EXPECT_EQ(key.pool(), v1::POOL_VERTEX);
  EXPECT_EQ(List(v1::POOL_GEMINI).total(), 2);

  v1::GetPoolSummaryRequest summary_request;
  summary_request.set_pool(v1::POOL_VERTEX);
  v1::PoolSummary summary;
  ASSERT_TRUE(harness_.admin_stub().GetPoolSummary(BrokerHarness::AdminContext().get(), summary_request, &summary).ok());
  EXPECT_EQ(summary.total(), 2);

  v1::AddKeysRequest add;
  add.set_pool(v1::POOL_VERTEX);
  add.add_secrets(VertexKey(3));
  add.add_secrets(TestKey(1));  // In the Gemini pool: a duplicate, not moved.
  v1::AddKeysResponse added;
  ASSERT_TRUE(harness_.admin_stub().AddKeys(BrokerHarness::AdminContext().get(), add, &added).ok());
  EXPECT_EQ(added.added(), 1);
  EXPECT_EQ(added.duplicates_size(), 1);
  EXPECT_EQ(List(v1::POOL_VERTEX).total(), 3);
  EXPECT_EQ(List(v1::POOL_GEMINI).total(), 2);

  // "All" pauses one pool; ids reach keys of either pool.
  v1::KeySelection all_vertex;
  all_vertex.set_all(true);
  all_vertex.set_pool(v1::POOL_VERTEX);
  v1::KeyActionResponse paused;
  ASSERT_TRUE(harness_.admin_stub().PauseKeys(BrokerHarness::AdminContext().get(), all_vertex, &paused).ok());
  EXPECT_EQ(paused.affected(), 3);
  EXPECT_TRUE(Acquire(v1::POOL_GEMINI).available());
  EXPECT_FALSE(Acquire(v1::POOL_VERTEX).available());

  v1::KeySelection mixed;
  mixed.add_ids(IdOf(VertexKey(1)));
  mixed.add_ids(IdOf(TestKey(1)));
  v1::KeyActionResponse removed;
  ASSERT_TRUE(harness_.admin_stub().RemoveKeys(BrokerHarness::AdminContext().get(), mixed, &removed).ok());
  EXPECT_EQ(removed.affected(), 2);
  EXPECT_EQ(List(v1::POOL_VERTEX).total(), 2);
  EXPECT_EQ(List(v1::POOL_GEMINI).total(), 1);

  v1::KeySelection unknown;
  unknown.add_ids(999);
  v1::KeyActionResponse none;
  grpc::Status status = harness_.admin_stub().ResetKeys(BrokerHarness::AdminContext().get(), unknown, &none);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(VertexPoolTest, WatchersGetBothPoolsWithTheirPool) {
  v1::WatchKeysRequest request;
  auto context = BrokerHarness::Context();
  auto stream = harness_.broker_stub().WatchKeys(context.get(), request);
  std::map<std::string, v1::Pool> pools;
  v1::KeyPoolUpdate update;
  while (stream->Read(&update)) {
    for (const v1::KeyRecord& key : update.keys()) pools[key.secret()] = key.pool();
    if (update.snapshot_complete()) break;
  }
  context->TryCancel();
  EXPECT_EQ(pools.size(), 4u);
  EXPECT_EQ(pools[VertexKey(1)], v1::POOL_VERTEX);
  EXPECT_EQ(pools[TestKey(1)], v1::POOL_GEMINI);
}

}  // namespace
}  // namespace gempool::keybroker
