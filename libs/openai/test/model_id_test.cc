// Model ids: the "models/" prefix, derived ids, filtered models, families.

#include "gempool/openai/model_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

ConversionOptions Options() {
  ConversionOptions options;
  options.search_models = {"gemini-2.5-flash"};
  options.image_models = {"gemini-2.0-flash-exp"};
  options.thinking_models = {"models/gemini-2.5-pro"};
  options.filtered_models = {"gemini-1.0-pro"};
  return options;
}

TEST(ModelIdTest, ResolvesDerivedIdsOfListedModels) {
  auto search = ResolveModel("models/gemini-2.5-flash-search", Options());
  ASSERT_TRUE(search.ok());
  EXPECT_EQ(search->requested, "gemini-2.5-flash-search");
  EXPECT_EQ(search->upstream, "gemini-2.5-flash");
  EXPECT_TRUE(search->search);

  auto image = ResolveModel("gemini-2.0-flash-exp-image", Options());
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->upstream, "gemini-2.0-flash-exp");
  EXPECT_TRUE(image->image);

  auto non_thinking = ResolveModel("gemini-2.5-pro-non-thinking", Options());
  ASSERT_TRUE(non_thinking.ok());
  EXPECT_EQ(non_thinking->upstream, "gemini-2.5-pro");
  EXPECT_TRUE(non_thinking->non_thinking);
}

TEST(ModelIdTest, SuffixesOfUnlistedModelsAreRealIds) {
  auto image = ResolveModel("gemini-2.5-flash-image", Options());
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->upstream, "gemini-2.5-flash-image");
  EXPECT_FALSE(image->image);
  auto search = ResolveModel("gemini-2.5-pro-search", Options());
  ASSERT_TRUE(search.ok());
  EXPECT_FALSE(search->search);
}

TEST(ModelIdTest, RejectsEmptyAndFilteredModels) {
  EXPECT_THAT(ResolveModel("", Options()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveModel("models/", Options()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveModel("models/gemini-1.0-pro", Options()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("FILTERED_MODELS")));
  ConversionOptions options = Options();
  options.filtered_models = {"gemini-2.5-flash"};
  EXPECT_THAT(ResolveModel("gemini-2.5-flash-search", options), StatusIs(absl::StatusCode::kNotFound));
}

TEST(ModelIdTest, Families) {
  EXPECT_TRUE(IsGemini3Model("models/gemini-3-pro-preview"));
  EXPECT_FALSE(IsGemini3Model("gemini-2.5-flash"));
  EXPECT_TRUE(IsGemini25ProModel("gemini-2.5-pro-preview-06-05"));
  ConversionOptions options;
  EXPECT_TRUE(IsThinkingModel("gemini-2.5-flash-lite", options));
  EXPECT_TRUE(IsThinkingModel("gemini-flash-latest", options));
  EXPECT_FALSE(IsThinkingModel("gemini-2.0-flash", options));
  EXPECT_FALSE(IsThinkingModel("gemini-2.5-flash-preview-tts", options));
  EXPECT_FALSE(IsThinkingModel("gemini-2.5-flash-image", options));
  options.thinking_budget_map = {{"my-model", 100}};
  EXPECT_TRUE(IsThinkingModel("my-model", options));
}

}  // namespace
}  // namespace gempool::openai
