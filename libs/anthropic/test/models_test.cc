#include "gempool/anthropic/models.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gempool/testing/status_matchers.h"

namespace gempool::anthropic {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;

constexpr int64_t kFetched = 1767225600;  // 2026-01-01T00:00:00Z

json GeminiModels() {
  return json::parse(R"([
    {"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro","inputTokenLimit":1048576,"outputTokenLimit":65536},
    {"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,
     "outputTokenLimit":65536},
    {"name":"models/gemini-2.0-flash","inputTokenLimit":1048576,"outputTokenLimit":8192},
    {"name":"models/embedding-001"}])");
}

ModelMap Map(const std::string& text) {
  auto map = ModelMap::Parse(text);
  EXPECT_TRUE(map.ok()) << map.status();
  return map.ok() ? *map : ModelMap();
}

std::vector<std::string> Ids(const json& list) {
  std::vector<std::string> ids;
  for (const json& entry : list["data"]) ids.push_back(entry["id"].get<std::string>());
  return ids;
}

json List(const ModelMap& map, const ModelPage& page, const openai::ConversionOptions& options = {}) {
  auto list = ConvertModelList(GeminiModels(), map, options, kFetched, page);
  EXPECT_TRUE(list.ok()) << list.status();
  return list.ok() ? *list : json();
}

TEST(ModelsTest, ParsePage) {
  auto defaults = ParseModelPage("");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->limit, 20);
  EXPECT_EQ(defaults->after_id, "");
  EXPECT_EQ(defaults->before_id, "");
  auto page = ParseModelPage("limit=1000&after_id=claude%2Dopus&before_id=gemini+x&beta=true");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->limit, 1000);
  EXPECT_EQ(page->after_id, "claude-opus");
  EXPECT_EQ(page->before_id, "gemini x");
  EXPECT_EQ(ParseModelPage("limit=1")->limit, 1);
  for (const char* bad : {"limit=0", "limit=1001", "limit=abc", "limit=", "limit=-5", "limit=2.5"}) {
    EXPECT_THAT(ParseModelPage(bad), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("limit")))
        << bad;
  }
}

TEST(ModelsTest, ExactMapNamesFirstThenUpstreamModels) {
  ModelMap map = Map(R"({"claude-sonnet-4-6":"gemini-2.5-pro","claude-*haiku*":"gemini-2.5-flash",
                         "claude-opus-4-8":"models/gemini-3-pro-preview"})");
  ModelPage page;
  page.limit = 1000;
  json list = List(map, page);
  EXPECT_THAT(Ids(list), ::testing::ElementsAre("claude-sonnet-4-6", "claude-opus-4-8", "gemini-2.5-pro",
                                                "gemini-2.5-flash", "gemini-2.0-flash", "embedding-001"));
  EXPECT_EQ(list["data"][0], json::parse(R"({"type":"model","id":"claude-sonnet-4-6",
      "display_name":"claude-sonnet-4-6 → gemini-2.5-pro","created_at":"2026-01-01T00:00:00Z",
      "max_input_tokens":1048576,"max_tokens":65536})"));
  // A target the upstream does not list has unknown limits.
  EXPECT_TRUE(list["data"][1]["max_tokens"].is_null());
  EXPECT_EQ(list["data"][1]["display_name"], "claude-opus-4-8 → gemini-3-pro-preview");
  EXPECT_EQ(list["data"][2]["display_name"], "Gemini 2.5 Pro");
  EXPECT_EQ(list["data"][4]["display_name"], "gemini-2.0-flash") << "no displayName: the id";
  EXPECT_EQ(list["data"][4]["max_tokens"], 8192);
  EXPECT_EQ(list["first_id"], "claude-sonnet-4-6");
  EXPECT_EQ(list["last_id"], "embedding-001");
  EXPECT_EQ(list["has_more"], false);
}

TEST(ModelsTest, FilteredModelsAreHiddenEvenBehindTheMap) {
  openai::ConversionOptions options;
  options.filtered_models = {"gemini-2.0-flash", "models/gemini-2.5-flash"};
  ModelMap map = Map(R"({"claude-haiku-4-5":"gemini-2.5-flash","claude-sonnet-4-6":"gemini-2.5-pro"})");
  ModelPage page;
  EXPECT_THAT(Ids(List(map, page, options)),
              ::testing::ElementsAre("claude-sonnet-4-6", "gemini-2.5-pro", "embedding-001"));
}

TEST(ModelsTest, PagingForwardAndBackward) {
  ModelMap map = ModelMap::Default();  // Wildcards only: nothing listed from the map.
  ModelPage page;
  page.limit = 2;
  json first = List(map, page);
  EXPECT_THAT(Ids(first), ::testing::ElementsAre("gemini-2.5-pro", "gemini-2.5-flash"));
  EXPECT_EQ(first["has_more"], true);

  page.after_id = first["last_id"].get<std::string>();
  json second = List(map, page);
  EXPECT_THAT(Ids(second), ::testing::ElementsAre("gemini-2.0-flash", "embedding-001"));
  EXPECT_EQ(second["has_more"], false);
  EXPECT_EQ(second["first_id"], "gemini-2.0-flash");

  page.after_id.clear();
  page.before_id = "embedding-001";
  json back = List(map, page);
  EXPECT_THAT(Ids(back), ::testing::ElementsAre("gemini-2.5-flash", "gemini-2.0-flash"));
  EXPECT_EQ(back["has_more"], true);
  page.before_id = "gemini-2.5-flash";
  json start = List(map, page);
  EXPECT_THAT(Ids(start), ::testing::ElementsAre("gemini-2.5-pro"));
  EXPECT_EQ(start["has_more"], false);

  // Both cursors: the window between them.
  page.after_id = "gemini-2.5-pro";
  page.before_id = "embedding-001";
  page.limit = 1;
  json window = List(map, page);
  EXPECT_THAT(Ids(window), ::testing::ElementsAre("gemini-2.5-flash"));
  EXPECT_EQ(window["has_more"], true);

  page = ModelPage();
  page.after_id = "embedding-001";
  json empty = List(map, page);
  EXPECT_TRUE(empty["data"].empty());
  EXPECT_TRUE(empty["first_id"].is_null());
  EXPECT_TRUE(empty["last_id"].is_null());
  EXPECT_EQ(empty["has_more"], false);
}

TEST(ModelsTest, UnknownCursorOrBadListIsAnError) {
  ModelPage page;
  page.after_id = "nope";
  EXPECT_THAT(ConvertModelList(GeminiModels(), ModelMap::Default(), {}, kFetched, page),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("after_id 'nope'")));
  page = ModelPage();
  page.before_id = "nope";
  EXPECT_THAT(ConvertModelList(GeminiModels(), ModelMap::Default(), {}, kFetched, page),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("before_id")));
  EXPECT_THAT(ConvertModelList(json("x"), ModelMap::Default(), {}, kFetched, ModelPage()),
              StatusIs(absl::StatusCode::kInternal));
  // A ListModelsResponse is accepted too, and {} is an empty list.
  auto wrapped = ConvertModelList(json{{"models", GeminiModels()}}, ModelMap::Default(), {}, kFetched, ModelPage());
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ((*wrapped)["data"].size(), 4u);
  auto empty = ConvertModelList(json::object(), ModelMap::Default(), {}, kFetched, ModelPage());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)["data"].empty());
}

TEST(ModelsTest, FindModel) {
  ModelMap map = Map(R"({"claude-sonnet-4-6":"gemini-2.5-pro"})");
  auto mapped = FindModel(GeminiModels(), map, {}, kFetched, "claude-sonnet-4-6");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ((*mapped)["display_name"], "claude-sonnet-4-6 → gemini-2.5-pro");
  auto upstream = FindModel(GeminiModels(), map, {}, kFetched, "models/gemini-2.5-flash");
  ASSERT_TRUE(upstream.ok()) << upstream.status();
  EXPECT_EQ((*upstream)["id"], "gemini-2.5-flash");
  EXPECT_THAT(FindModel(GeminiModels(), map, {}, kFetched, "claude-opus-4-8"),
              StatusIs(absl::StatusCode::kNotFound, ::testing::HasSubstr("claude-opus-4-8")));
}

}  // namespace
}  // namespace gempool::anthropic
