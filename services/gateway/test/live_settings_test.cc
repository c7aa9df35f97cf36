// MakeLiveSettings: the snapshot a save in the admin UI swaps in, and the
// parts it shares with the snapshot in force when their inputs are unchanged
// (a poll rebuilds only what a save changed).

#include "live_settings.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace gempool::gateway {
namespace {

std::shared_ptr<const LiveSettings> Make(const Config& config, const LiveSettings* previous = nullptr) {
  absl::StatusOr<std::shared_ptr<const LiveSettings>> live = MakeLiveSettings(config, "admin", previous);
  EXPECT_TRUE(live.ok()) << live.status();
  return live.ok() ? *live : nullptr;
}

TEST(LiveSettingsTest, CarriesTheConversionOptionsOfTheModelSettings) {
  Config config;
  config.openai.search_models = {"gemini-x"};
  config.openai.thinking_budget_map = {{"gemini-2.5-flash", 512}};
  config.openai.show_thinking_process = false;
  config.openai.filtered_models = {"gemini-hidden"};
  const std::shared_ptr<const LiveSettings> live = Make(config);
  ASSERT_NE(live->conversion, nullptr);
  EXPECT_EQ(live->conversion->search_models, std::vector<std::string>{"gemini-x"});
  EXPECT_EQ(live->conversion->thinking_budget_map.at("gemini-2.5-flash"), 512);
  EXPECT_FALSE(live->conversion->show_thinking_process);
  EXPECT_EQ(live->conversion->filtered_models, std::vector<std::string>{"gemini-hidden"});
  EXPECT_EQ(live->conversion->schema_dialect, openai::SchemaDialect::kJsonSchema);
}

TEST(LiveSettingsTest, UnchangedInputsShareTheBuiltParts) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.max_retries = 7;  // Not an input of the conversion or the model map.
  config.custom_headers = {{"X-Team", "a"}};
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  EXPECT_EQ(second->max_attempts, 7);
  EXPECT_EQ(second->conversion, first->conversion);
  EXPECT_EQ(second->anthropic_models, first->anthropic_models);
}

TEST(LiveSettingsTest, AChangedModelSettingRebuildsTheConversionOnly) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.openai.safety_settings = {{"HARM_CATEGORY_HARASSMENT", "BLOCK_ONLY_HIGH"}};
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  ASSERT_NE(second->conversion, first->conversion);
  EXPECT_EQ(second->conversion->safety_settings.dump(),
            R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"}])");
  EXPECT_EQ(second->anthropic_models, first->anthropic_models);
}

TEST(LiveSettingsTest, ABaseUrlVersionChangeRebuildsTheConversion) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.base_url = "https://generativelanguage.googleapis.com/v1";
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  ASSERT_NE(second->conversion, first->conversion);
  EXPECT_EQ(second->conversion->schema_dialect, openai::SchemaDialect::kOpenApiSubset);
  // Same version on another host: nothing to rebuild.
  config.base_url = "https://proxy.example/v1";
  const std::shared_ptr<const LiveSettings> third = Make(config, second.get());
  EXPECT_EQ(third->conversion, second->conversion);
}

TEST(LiveSettingsTest, AChangedAnthropicMapRebuildsTheMapOnly) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.anthropic_model_map = R"({"claude-*": "gemini-2.5-flash"})";
  const std::shared_ptr<const LiveSettings> second = Make(config, first.get());
  EXPECT_NE(second->anthropic_models, first->anthropic_models);
  EXPECT_EQ(second->conversion, first->conversion);
}

TEST(LiveSettingsTest, ABadModelSettingIsRefusedNamingIt) {
  Config config;
  const std::shared_ptr<const LiveSettings> first = Make(config);
  config.openai.tts_voice_name = "Robot";
  absl::StatusOr<std::shared_ptr<const LiveSettings>> next = MakeLiveSettings(config, "admin", first.get());
  ASSERT_FALSE(next.ok());
  EXPECT_NE(std::string(next.status().message()).find("TTS_VOICE_NAME"), std::string::npos);
}

TEST(LiveSettingsTest, HandlersReadTheSnapshotInForce) {
  Config config;
  LiveSettingsHolder holder(Make(config));
  const ConversionOptionsFn options = LiveConversionOptions(holder);
  const std::shared_ptr<const openai::ConversionOptions> before = options();
  config.openai.show_search_link = false;
  holder.Set(Make(config, holder.Get().get()));
  const std::shared_ptr<const openai::ConversionOptions> after = options();
  EXPECT_TRUE(before->show_search_link);  // A request's snapshot stays as it was.
  EXPECT_FALSE(after->show_search_link);
}

TEST(LiveSettingsTest, ResponsesStoreSettingsAreLive) {
  Config config;
  config.responses_store_days = 3;
  config.responses_store_max_kb = 16;
  const std::shared_ptr<const LiveSettings> live = Make(config);
  EXPECT_EQ(live->responses_store_days, 3);
  EXPECT_EQ(live->responses_store_max_bytes, size_t{16} << 10);
}

}  // namespace
}  // namespace gempool::gateway
