#pragma once
// Helpers shared by the request-side tests of gempool_anthropic: JSON
// literals, a Messages body builder and a conversion that must succeed.

#include <gtest/gtest.h>

#include <string>

#include "gempool/anthropic/model_map.h"
#include "gempool/anthropic/request_converter.h"
#include "json_literal.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::testing {

// Options that add nothing on their own (no safety settings), so tests see
// only what the body asks for.
inline openai::ConversionOptions PlainOptions() {
  openai::ConversionOptions options;
  options.safety_settings = nlohmann::json::array();
  return options;
}

// A Messages body for `model` with `messages_json` and max_tokens 1024, plus
// the members of `extra_json`.
inline nlohmann::json Body(const std::string& messages_json, const std::string& extra_json = "{}",
                           const std::string& model = "gemini-2.5-flash") {
  nlohmann::json body;
  body["model"] = model;
  body["max_tokens"] = 1024;
  body["messages"] = nlohmann::json::parse(messages_json);
  const nlohmann::json extra = nlohmann::json::parse(extra_json);
  for (const auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

// ConvertMessagesRequest that must succeed (an empty request otherwise).
inline MessagesRequest MustConvert(const nlohmann::json& body,
                                   const openai::ConversionOptions& options = PlainOptions(),
                                   RequestKind kind = RequestKind::kMessages,
                                   const ModelMap& models = ModelMap::Default()) {
  auto converted = ConvertMessagesRequest(body, kind, options, models);
  EXPECT_TRUE(converted.ok()) << converted.status();
  if (!converted.ok()) return MessagesRequest{};
  return *std::move(converted);
}

inline absl::Status ConvertStatus(const nlohmann::json& body,
                                  const openai::ConversionOptions& options = PlainOptions(),
                                  RequestKind kind = RequestKind::kMessages) {
  return ConvertMessagesRequest(body, kind, options, ModelMap::Default()).status();
}

}  // namespace gempool::anthropic::testing
