#include "gempool/responses/storage.h"

#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::Body;
using testing::J;
using testing::MustConvert;

json StoredFixture() {
  ResponsesRequest request = MustConvert(Body("hi", R"({"instructions":"be brief"})"));
  json response = J(R"({"id":"resp_1","object":"response","created_at":5,"output":[
      {"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"gempool.r1.n.S"},
      {"id":"fc_1","type":"function_call","call_id":"c1","name":"f","arguments":"{}","status":"completed"}]})");
  return BuildStoredResponse(request, response);
}

TEST(StorageTest, StoresInputAndResponse) {
  json stored = StoredFixture();
  EXPECT_EQ(stored["version"], 1);
  EXPECT_EQ(stored["id"], "resp_1");
  EXPECT_EQ(stored["model"], "gemini-2.5-flash");
  EXPECT_EQ(stored["created_at"], 5);
  EXPECT_EQ(stored["input"], J(R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}])"));
}

TEST(StorageTest, ConversationItemsAreInputThenOutput) {
  auto items = ConversationItems(StoredFixture());
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[1]["encrypted_content"], "gempool.r1.n.S");
  EXPECT_EQ((*items)[2]["type"], "function_call");
}

TEST(StorageTest, RetrievalHidesEncryptedContentUnlessIncluded) {
  auto hidden = RetrievedResponse(StoredFixture(), false);
  ASSERT_TRUE(hidden.ok());
  EXPECT_FALSE((*hidden)["output"][0].contains("encrypted_content"));
  auto shown = RetrievedResponse(StoredFixture(), true);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ((*shown)["output"][0]["encrypted_content"], "gempool.r1.n.S");
}

TEST(StorageTest, InputItemsListGivesItemsIds) {
  auto list = InputItemsList(StoredFixture());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["object"], "list");
  EXPECT_EQ((*list)["has_more"], false);
  ASSERT_EQ((*list)["data"].size(), 1u);
  EXPECT_EQ((*list)["first_id"], (*list)["data"][0]["id"]);
  EXPECT_EQ((*list)["data"][0]["id"].get<std::string>().rfind("item_", 0), 0u);
}

TEST(StorageTest, RefusesOtherShapes) {
  for (const char* text : {R"(null)", R"({})", R"({"version":2,"input":[],"response":{"output":[]}})",
                           R"({"version":1,"input":{},"response":{"output":[]}})",
                           R"({"version":1,"input":[],"response":{"output":3}})"}) {
    EXPECT_THAT(ConversationItems(J(text)).status(), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
    EXPECT_FALSE(RetrievedResponse(J(text), true).ok());
    EXPECT_FALSE(InputItemsList(J(text)).ok());
  }
}

TEST(StorageTest, DeletedResponse) {
  EXPECT_EQ(DeletedResponse("resp_1"), J(R"({"id":"resp_1","object":"response.deleted","deleted":true})"));
}

}  // namespace
}  // namespace gempool::responses
