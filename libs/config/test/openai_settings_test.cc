// The OpenAI-compatible API's settings (Config::openai): gemini-balance's
// defaults, and a clear error naming the variable for every bad value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/environment.h"
#include "gempool/config/config.h"
#include "gempool/testing/status_matchers.h"
#include "load_from_map.h"

namespace gempool {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

void ExpectInvalid(const std::string& name, const std::string& value, const std::string& hint = "") {
  EXPECT_THAT(gempool::testing::LoadFromMap({{name, value}}),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr(name), HasSubstr(hint))))
      << name << "=" << value;
}

TEST(OpenAISettingsTest, DefaultsAreGeminiBalances) {
  auto c = gempool::testing::LoadFromMap({});
  ASSERT_TRUE(c.ok()) << c.status();
  const OpenAISettings& o = c->openai;
  EXPECT_THAT(o.search_models, ElementsAre("gemini-2.5-flash", "gemini-2.5-pro"));
  EXPECT_THAT(o.image_models, ElementsAre("gemini-2.0-flash-exp", "gemini-2.5-flash-image-preview"));
  EXPECT_THAT(o.thinking_models, IsEmpty());
  EXPECT_THAT(o.thinking_budget_map, IsEmpty());
  EXPECT_TRUE(o.show_thinking_process);
  EXPECT_TRUE(o.show_search_link);
  EXPECT_EQ(o.search_link_language, "en");
  ASSERT_EQ(o.safety_settings.size(), 5u);
  EXPECT_EQ(o.safety_settings[0].category, "HARM_CATEGORY_HARASSMENT");
  EXPECT_EQ(o.safety_settings[0].threshold, "OFF");
  EXPECT_EQ(o.safety_settings[4].category, "HARM_CATEGORY_CIVIC_INTEGRITY");
  EXPECT_EQ(o.safety_settings[4].threshold, "BLOCK_NONE");
  EXPECT_THAT(o.filtered_models, ElementsAre("gemini-1.0-pro-vision-latest", "gemini-pro-vision", "chat-bison-001",
                                             "text-bison-001", "embedding-gecko-001"));
  EXPECT_EQ(o.create_image_model, "imagen-3.0-generate-002");
  EXPECT_EQ(o.tts_model, "gemini-2.5-flash-preview-tts");
  EXPECT_EQ(o.tts_voice_name, "Zephyr");
  EXPECT_FALSE(o.tools_code_execution_enabled);
  EXPECT_FALSE(o.url_context_enabled);
  EXPECT_THAT(o.url_context_models, ElementsAre("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
                                                "gemini-2.0-flash", "gemini-2.0-flash-live-001"));
  EXPECT_FALSE(o.media_fetch_allow_private);
}

TEST(OpenAISettingsTest, ReadsEverySetting) {
  auto c = gempool::testing::LoadFromMap({{"SEARCH_MODELS", R"(["gemini-3-pro-preview"])"},
                 {"IMAGE_MODELS", "gemini-2.5-flash-image, gemini-3-pro-image-preview"},
                 {"THINKING_MODELS", R"(["gemini-2.5-flash"])"},
                 {"THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": 1024, "gemini-2.5-pro": -1, "x": 2048.0})"},
                 {"SHOW_THINKING_PROCESS", "false"},
                 {"SHOW_SEARCH_LINK", "0"},
                 {"SEARCH_LINK_LANGUAGE", "zh-CN"},
                 {"SAFETY_SETTINGS", R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"}])"},
                 {"FILTERED_MODELS", "[]"},
                 {"CREATE_IMAGE_MODEL", "imagen-4.0-generate-001"},
                 {"TTS_MODEL", "gemini-2.5-pro-preview-tts"},
                 {"TTS_VOICE_NAME", "Kore"},
                 {"TOOLS_CODE_EXECUTION_ENABLED", "true"},
                 {"URL_CONTEXT_ENABLED", "yes"},
                 {"URL_CONTEXT_MODELS", R"(["gemini-2.5-flash"])"},
                 {"MEDIA_FETCH_ALLOW_PRIVATE", "true"}});
  ASSERT_TRUE(c.ok()) << c.status();
  const OpenAISettings& o = c->openai;
  EXPECT_THAT(o.search_models, ElementsAre("gemini-3-pro-preview"));
  EXPECT_THAT(o.image_models, ElementsAre("gemini-2.5-flash-image", "gemini-3-pro-image-preview"));
  EXPECT_THAT(o.thinking_models, ElementsAre("gemini-2.5-flash"));
  EXPECT_THAT(o.thinking_budget_map, ElementsAre(Pair("gemini-2.5-flash", 1024), Pair("gemini-2.5-pro", -1),
                                                 Pair("x", 2048)));
  EXPECT_FALSE(o.show_thinking_process);
  EXPECT_FALSE(o.show_search_link);
  EXPECT_EQ(o.search_link_language, "zh");
  ASSERT_EQ(o.safety_settings.size(), 1u);
  EXPECT_EQ(o.safety_settings[0].category, "HARM_CATEGORY_HARASSMENT");
  EXPECT_EQ(o.safety_settings[0].threshold, "BLOCK_ONLY_HIGH");
  EXPECT_THAT(o.filtered_models, IsEmpty());
  EXPECT_EQ(o.create_image_model, "imagen-4.0-generate-001");
  EXPECT_EQ(o.tts_model, "gemini-2.5-pro-preview-tts");
  EXPECT_EQ(o.tts_voice_name, "Kore");
  EXPECT_TRUE(o.tools_code_execution_enabled);
  EXPECT_TRUE(o.url_context_enabled);
  EXPECT_THAT(o.url_context_models, ElementsAre("gemini-2.5-flash"));
  EXPECT_TRUE(o.media_fetch_allow_private);
}

TEST(OpenAISettingsTest, EmptySafetySettingsSendNone) {
  auto c = gempool::testing::LoadFromMap({{"SAFETY_SETTINGS", "[]"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->openai.safety_settings, IsEmpty());
}

TEST(OpenAISettingsTest, RefusesBadValuesNamingTheVariable) {
  ExpectInvalid("SEARCH_MODELS", R"(["ok", 3])");
  ExpectInvalid("IMAGE_MODELS", R"(["has space"])", "not a model id");
  ExpectInvalid("THINKING_BUDGET_MAP", R"(["gemini-2.5-flash"])", "JSON object");
  ExpectInvalid("THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": "1024"})", "whole number");
  ExpectInvalid("THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": 10.5})", "whole number");
  ExpectInvalid("THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": -2})", "32768");
  ExpectInvalid("THINKING_BUDGET_MAP", R"({"gemini-2.5-flash": 100000})", "32768");
  ExpectInvalid("SHOW_THINKING_PROCESS", "sometimes");
  ExpectInvalid("SHOW_SEARCH_LINK", "2");
  ExpectInvalid("SEARCH_LINK_LANGUAGE", "fr", "en (English) or zh");
  ExpectInvalid("SAFETY_SETTINGS", R"({"category":"HARM_CATEGORY_HARASSMENT"})", "JSON list");
  ExpectInvalid("SAFETY_SETTINGS", R"([{"category":"HARM_CATEGORY_HARASSMENT"}])", "threshold");
  ExpectInvalid("SAFETY_SETTINGS", R"([{"category":"VIOLENCE","threshold":"OFF"}])", "harm category");
  ExpectInvalid("SAFETY_SETTINGS", R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"NEVER"}])",
                "BLOCK_ONLY_HIGH");
  ExpectInvalid("SAFETY_SETTINGS",
                R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"},
                    {"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}])",
                "twice");
  ExpectInvalid("CREATE_IMAGE_MODEL", "imagen 3", "not a model id");
  ExpectInvalid("TTS_MODEL", "tts?x=1", "not a model id");
  ExpectInvalid("TTS_VOICE_NAME", "Zephyr!", "voice name");
  ExpectInvalid("TTS_SPEED", "fast; ignore the text", "slow, normal or fast");
  ExpectInvalid("TOOLS_CODE_EXECUTION_ENABLED", "maybe");
  ExpectInvalid("URL_CONTEXT_ENABLED", "maybe");
  ExpectInvalid("URL_CONTEXT_MODELS", R"(["a b"])", "not a model id");
  ExpectInvalid("MEDIA_FETCH_ALLOW_PRIVATE", "unsafe");
}

TEST(OpenAISettingsTest, TtsSpeedDefaultsToNormal) {
  const Config defaults = gempool::testing::LoadOkFromMap({});
  EXPECT_EQ(defaults.openai.tts_speed, "normal");
  const Config slow = gempool::testing::LoadOkFromMap({{"TTS_SPEED", " slow "}});
  EXPECT_EQ(slow.openai.tts_speed, "slow");
}

// A gateway rebuilds its conversion options only when Config::openai
// differs: every setting must count in the comparison.
TEST(OpenAISettingsTest, EqualityCoversEverySetting) {
  const Config defaults = gempool::testing::LoadOkFromMap({});
  EXPECT_TRUE(defaults.openai == gempool::testing::LoadOkFromMap({}).openai);
  const std::map<std::string, std::string> changes = {
      {"SEARCH_MODELS", "gemini-x"},
      {"IMAGE_MODELS", "gemini-x"},
      {"THINKING_MODELS", "gemini-x"},
      {"THINKING_BUDGET_MAP", R"({"gemini-x": 1})"},
      {"SHOW_THINKING_PROCESS", "false"},
      {"SHOW_SEARCH_LINK", "false"},
      {"SEARCH_LINK_LANGUAGE", "zh"},
      {"SAFETY_SETTINGS", "[]"},
      {"FILTERED_MODELS", "gemini-x"},
      {"CREATE_IMAGE_MODEL", "imagen-x"},
      {"TTS_MODEL", "gemini-x-tts"},
      {"TTS_VOICE_NAME", "Kore"},
      {"TTS_SPEED", "fast"},
      {"TOOLS_CODE_EXECUTION_ENABLED", "true"},
      {"URL_CONTEXT_ENABLED", "true"},
      {"URL_CONTEXT_MODELS", "gemini-x"},
      {"MEDIA_FETCH_ALLOW_PRIVATE", "true"},
  };
  for (const auto& [name, value] : changes) {
    const Config changed = gempool::testing::LoadOkFromMap({{name, value}});
    EXPECT_FALSE(changed.openai == defaults.openai) << name;
    EXPECT_TRUE(changed.openai != defaults.openai) << name;
    EXPECT_TRUE(changed.openai == gempool::testing::LoadOkFromMap({{name, value}}).openai) << name;
  }
}

}  // namespace
}  // namespace gempool
