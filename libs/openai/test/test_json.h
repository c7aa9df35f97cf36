#pragma once
// Helpers shared by gempool_openai's tests: JSON literals and a converter
// call that must succeed.

#include <gtest/gtest.h>

#include <string>

#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::testing {

inline nlohmann::json J(const std::string& text) { return nlohmann::json::parse(text); }

// ConvertChatRequest on `body`; fails the test (and returns an empty request)
// when conversion fails.
inline GeminiRequest MustConvert(const nlohmann::json& body, const ConversionOptions& options = {}) {
  auto converted = ConvertChatRequest(body, options);
  EXPECT_TRUE(converted.ok()) << converted.status();
  if (!converted.ok()) return GeminiRequest{};
  return *std::move(converted);
}

// A request body with `messages` for gemini-2.5-flash.
inline nlohmann::json Chat(const std::string& messages_json, const std::string& model = "gemini-2.5-flash") {
  nlohmann::json body;
  body["model"] = model;
  body["messages"] = nlohmann::json::parse(messages_json);
  return body;
}

// Options with no defaults that add fields (no safety settings, no
// includeThoughts), so tests see only what they set.
inline ConversionOptions PlainOptions() {
  ConversionOptions options;
  options.show_thinking_process = false;
  options.safety_settings = nlohmann::json::array();
  return options;
}

}  // namespace gempool::openai::testing
