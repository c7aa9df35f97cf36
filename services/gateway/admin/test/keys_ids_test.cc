#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/keys_api.h"
#include "admin/test/fake_admin_backend.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::ElementsAre;

ApiCall GetIds(std::map<std::string, std::string> query) {
  ApiCall call;
  call.method = "GET";
  call.path = "/keys/ids";
  call.query = std::move(query);
  return call;
}

// "Select all" on the keys page: every key matching the filter, not one page.
TEST(KeysIdsTest, ListsEveryMatchingIdAcrossPages) {
  gempool::testing::FakeClock clock(1'800'000'000'000);
  testing::FakeAdminBackend backend(clock);
  for (int64_t id = 1; id <= 25; ++id) {
    backend.secrets[id] = (id % 5 == 0 ? "AIzaSyFIVE" : "AIzaSyrest") + std::to_string(id) + std::string(25, 'x');
  }
  KeysApi api(backend);
  ApiResult all = api.Handle(GetIds({}));
  ASSERT_EQ(all.status, 200) << all.body.dump();
  EXPECT_EQ(all.body["total"], 25);
  EXPECT_EQ(all.body["ids"].size(), 25u);
  ApiResult filtered = api.Handle(GetIds({{"search", "FIVE"}}));
  ASSERT_EQ(filtered.status, 200) << filtered.body.dump();
  EXPECT_THAT(filtered.body["ids"].get<std::vector<int64_t>>(), ElementsAre(5, 10, 15, 20, 25));
  EXPECT_EQ(api.Handle(GetIds({{"state", "sleeping"}})).status, 400);
}

}  // namespace
}  // namespace gempool::gateway::admin
