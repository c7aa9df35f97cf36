#pragma once
// Test helpers for Anthropic streams: run a MessagesStreamConverter over
// Gemini events, check the event sequence the way a strict client (Claude
// Code, the SDKs' MessageStream) reads it, and accumulate the events into
// the final Message as the SDKs do.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gempool/anthropic/stream_converter.h"
#include "json_literal.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::testing {

// Adds a failure for every broken ordering rule of anthropic.md §3/§6:
// message_start first and once; blocks started at consecutive indexes from
// 0, one open at a time; every delta and stop for the open block and of its
// type; a signature_delta only as the last delta of a thinking block;
// message_delta once, with no block open, then message_stop last. `complete`
// requires the closing pair.
inline void ExpectValidSequence(const std::vector<StreamEvent>& events, bool complete = true) {
  bool started = false;
  bool delta_sent = false;
  bool message_stopped = false;
  int next_index = 0;
  int open_index = -1;
  std::string open_type;
  bool open_signed = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const StreamEvent& event = events[i];
    SCOPED_TRACE(::testing::Message() << "event " << i << ": " << event.name << " "
                                      << event.data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    ASSERT_TRUE(event.data.is_object());
    EXPECT_EQ(event.data.value("type", ""), event.name);
    EXPECT_FALSE(message_stopped) << "nothing may follow message_stop";
    if (event.name == "ping") continue;
    if (i == 0) { EXPECT_EQ(event.name, "message_start"); }
    if (event.name == "message_start") {
      EXPECT_FALSE(started) << "message_start twice";
      started = true;
      const nlohmann::json& message = event.data["message"];
      EXPECT_EQ(message["content"], nlohmann::json::array());
      EXPECT_TRUE(message["stop_reason"].is_null());
      EXPECT_TRUE(message["usage"]["input_tokens"].is_number_integer());
      continue;
    }
    EXPECT_TRUE(started) << "an event before message_start";
    if (event.name == "content_block_start") {
      EXPECT_FALSE(delta_sent);
      EXPECT_EQ(open_index, -1) << "a block started while another is open";
      EXPECT_EQ(event.data["index"], next_index) << "block indexes must be consecutive";
      open_index = next_index++;
      open_type = event.data["content_block"]["type"].get<std::string>();
      open_signed = false;
      if (open_type == "tool_use") { EXPECT_EQ(event.data["content_block"]["input"], nlohmann::json::object()); }
    } else if (event.name == "content_block_delta") {
      EXPECT_EQ(event.data["index"], open_index) << "a delta for a block that is not open";
      EXPECT_FALSE(open_signed) << "the signature must be the last delta of its block";
      const std::string type = event.data["delta"]["type"].get<std::string>();
      if (open_type == "text") { EXPECT_EQ(type, "text_delta"); }
      if (open_type == "tool_use") { EXPECT_EQ(type, "input_json_delta"); }
      if (open_type == "thinking") { EXPECT_TRUE(type == "thinking_delta" || type == "signature_delta") << type; }
      if (type == "signature_delta") open_signed = true;
    } else if (event.name == "content_block_stop") {
      EXPECT_EQ(event.data["index"], open_index) << "a stop for a block that is not open";
      open_index = -1;
      open_type.clear();
    } else if (event.name == "message_delta") {
      EXPECT_FALSE(delta_sent) << "message_delta twice";
      EXPECT_EQ(open_index, -1) << "message_delta with a block still open";
      EXPECT_TRUE(event.data["delta"]["stop_reason"].is_string());
      EXPECT_TRUE(event.data["delta"]["stop_sequence"].is_null());
      EXPECT_TRUE(event.data["usage"]["output_tokens"].is_number_integer());
      delta_sent = true;
    } else if (event.name == "message_stop") {
      EXPECT_TRUE(delta_sent) << "message_stop without message_delta";
      message_stopped = true;
    } else {
      ADD_FAILURE() << "unexpected event name " << event.name;
    }
  }
  if (complete) {
    EXPECT_TRUE(message_stopped) << "the stream did not end with message_stop";
  }
}

// The Message a client builds from the events (tool input parsed from the
// joined partial_json at content_block_stop).
inline nlohmann::json Accumulate(const std::vector<StreamEvent>& events) {
  nlohmann::json message;
  std::vector<std::string> partial_json;
  for (const StreamEvent& event : events) {
    const nlohmann::json& data = event.data;
    if (event.name == "message_start") {
      message = data["message"];
    } else if (event.name == "content_block_start") {
      message["content"].push_back(data["content_block"]);
      partial_json.emplace_back();
    } else if (event.name == "content_block_delta") {
      nlohmann::json& block = message["content"][data["index"].get<size_t>()];
      const nlohmann::json& delta = data["delta"];
      const std::string type = delta["type"].get<std::string>();
      if (type == "text_delta") block["text"] = block["text"].get<std::string>() + delta["text"].get<std::string>();
      if (type == "thinking_delta") {
        block["thinking"] = block["thinking"].get<std::string>() + delta["thinking"].get<std::string>();
      }
      if (type == "signature_delta") block["signature"] = delta["signature"];
      if (type == "input_json_delta") {
        partial_json[data["index"].get<size_t>()] += delta["partial_json"].get<std::string>();
      }
    } else if (event.name == "content_block_stop") {
      const size_t index = data["index"].get<size_t>();
      nlohmann::json& block = message["content"][index];
      if (block["type"] == "tool_use" && !partial_json[index].empty()) {
        block["input"] = nlohmann::json::parse(partial_json[index]);
      }
    } else if (event.name == "message_delta") {
      message["stop_reason"] = data["delta"]["stop_reason"];
      message["stop_sequence"] = data["delta"]["stop_sequence"];
      for (const auto& [key, value] : data["usage"].items()) message["usage"][key] = value;
    }
  }
  return message;
}

// Feeds `events` (Gemini JSON) to a converter, then Finish(); every call
// must succeed. The sequence is checked with ExpectValidSequence.
inline std::vector<StreamEvent> RunStream(const ResponseContext& context, const std::vector<nlohmann::json>& events) {
  MessagesStreamConverter converter(context);
  std::vector<StreamEvent> out;
  for (const nlohmann::json& event : events) {
    auto converted = converter.OnEvent(event);
    EXPECT_TRUE(converted.ok()) << converted.status() << " for " << event.dump();
    if (!converted.ok()) break;
    out.insert(out.end(), converted->begin(), converted->end());
  }
  std::vector<StreamEvent> closing = converter.Finish();
  out.insert(out.end(), closing.begin(), closing.end());
  ExpectValidSequence(out);
  return out;
}

// The names of `events`, for compact order assertions.
inline std::vector<std::string> Names(const std::vector<StreamEvent>& events) {
  std::vector<std::string> names;
  for (const StreamEvent& event : events) names.push_back(event.name);
  return names;
}

}  // namespace gempool::anthropic::testing
