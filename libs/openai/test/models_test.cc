// GET /v1/models: the Gemini list in OpenAI form, filtered, with derived ids.

#include "gempool/openai/models.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::J;

std::vector<std::string> Ids(const nlohmann::json& list) {
  std::vector<std::string> ids;
  for (const auto& entry : list["data"]) ids.push_back(entry["id"]);
  return ids;
}

constexpr char kGeminiList[] = R"({"models":[
    {"name":"models/gemini-2.5-flash","supportedGenerationMethods":["generateContent"]},
    {"name":"models/gemini-2.5-pro"},
    {"name":"models/gemini-2.0-flash-exp"},
    {"name":"models/chat-bison-001"},
    {"name":"models/gemini-embedding-001"}],"nextPageToken":"x"})";

ConversionOptions ModelsOptions() {
  ConversionOptions options;
  options.search_models = {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-9-not-listed"};
  options.image_models = {"models/gemini-2.0-flash-exp"};
  options.thinking_models = {"gemini-2.5-pro"};
  options.filtered_models = {"chat-bison-001", "gemini-2.5-pro-search"};
  return options;
}

TEST(ModelsTest, ConvertsFiltersAndAddsDerivedIds) {
  auto list = ConvertModelList(J(kGeminiList), ModelsOptions(), 1'700'000'000);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ((*list)["object"], "list");
  EXPECT_THAT(Ids(*list), ElementsAre("gemini-2.5-flash", "gemini-2.5-flash-search", "gemini-2.5-pro",
                                      "gemini-2.5-pro-non-thinking", "gemini-2.0-flash-exp",
                                      "gemini-2.0-flash-exp-image", "gemini-embedding-001",
                                      "imagen-3.0-generate-002-chat"));
  EXPECT_EQ((*list)["data"][0], J(R"({"id":"gemini-2.5-flash","object":"model","created":1700000000,
                                      "owned_by":"google"})"));
}

TEST(ModelsTest, AcceptsJoinedPagesAndEmptyLists) {
  ConversionOptions no_image_chat;
  no_image_chat.create_image_model = "";
  auto joined =
      ConvertModelList(J(R"([{"name":"models/a"},{"name":"models/b"},{"name":"models/a"}])"), no_image_chat, 1);
  ASSERT_TRUE(joined.ok());
  EXPECT_THAT(Ids(*joined), ElementsAre("a", "b"));
  auto empty = ConvertModelList(J("{}"), no_image_chat, 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)["data"], J("[]"));
  EXPECT_THAT(ConvertModelList(J(R"("nope")"), {}, 1), StatusIs(absl::StatusCode::kInternal));
}

// Found by fuzzing: "models/models/a" listed id "models/a", which FindModel
// (and every request) reads as "a".
TEST(ModelsTest, NamesWithASlashLeftAreNotListed) {
  ConversionOptions no_image_chat;
  no_image_chat.create_image_model = "";
  auto list = ConvertModelList(J(R"([{"name":"models/models/a"},{"name":"tunedModels/t"},{"name":"models/b"}])"),
                               no_image_chat, 1);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(Ids(*list), ElementsAre("b"));
}

TEST(ModelsTest, TheImageChatModelFollowsCreateImageModel) {
  ConversionOptions options;
  options.create_image_model = "models/imagen-4.0-generate-001";
  auto list = ConvertModelList(J(R"([{"name":"models/a"}])"), options, 1);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(Ids(*list), ElementsAre("a", "imagen-4.0-generate-001-chat"));
  options.filtered_models = {"imagen-4.0-generate-001-chat"};
  list = ConvertModelList(J(R"([{"name":"models/a"}])"), options, 1);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(Ids(*list), ElementsAre("a"));
}

TEST(ModelsTest, FindModelAcceptsThePrefixAndDerivedIds) {
  auto list = ConvertModelList(J(kGeminiList), ModelsOptions(), 1);
  ASSERT_TRUE(list.ok());
  auto found = FindModel(*list, "models/gemini-2.5-flash-search");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)["id"], "gemini-2.5-flash-search");
  EXPECT_THAT(FindModel(*list, "chat-bison-001"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'chat-bison-001' does not exist")));
}

std::vector<std::string> Names(const nlohmann::json& page) {
  std::vector<std::string> names;
  for (const auto& model : page["models"]) names.push_back(model["name"]);
  return names;
}

TEST(ModelsTest, NativeListFiltersAndAddsDerivedModelsInGooglesShape) {
  absl::StatusOr<nlohmann::json> page = WithDerivedGeminiModels(J(kGeminiList), ModelsOptions());
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Names(*page), ElementsAre("models/gemini-2.5-flash", "models/gemini-2.5-flash-search",
                                        "models/gemini-2.5-pro", "models/gemini-2.5-pro-non-thinking",
                                        "models/gemini-2.0-flash-exp", "models/gemini-2.0-flash-exp-image",
                                        "models/gemini-embedding-001"));
  EXPECT_EQ((*page)["nextPageToken"], "x") << "paging is the client's";
  EXPECT_EQ((*page)["models"][1]["supportedGenerationMethods"], J(R"(["generateContent"])"))
      << "a derived model is a copy of its base";
  EXPECT_EQ((*page)["models"][1]["displayName"], "gemini-2.5-flash-search");
  EXPECT_EQ(*WithDerivedGeminiModels(J("{}"), ModelsOptions()), J("{}"));
  EXPECT_FALSE(WithDerivedGeminiModels(J("[]"), ModelsOptions()).ok());
}

TEST(ModelsTest, DerivedGeminiModelRenamesTheBase) {
  const nlohmann::json base = J(R"({"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash"})");
  absl::StatusOr<ResolvedModel> search = ResolveModel("gemini-2.5-flash-search", ModelsOptions());
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(DerivedGeminiModel(base, *search),
            J(R"x({"name":"models/gemini-2.5-flash-search","displayName":"Gemini 2.5 Flash (search)"})x"));
  absl::StatusOr<ResolvedModel> plain = ResolveModel("gemini-2.5-flash", ModelsOptions());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(DerivedGeminiModel(base, *plain), base);
}

}  // namespace
}  // namespace gempool::openai
