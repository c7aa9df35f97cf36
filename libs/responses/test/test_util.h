#pragma once
// Helpers shared by gempool_responses tests: JSON literals, a request body
// builder, a conversion that must succeed, and for streams a runner, an
// event-order validator applied to every stream, and the accumulation of
// events into the final Response as the SDK's ResponseStream does.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gempool/openai/errors.h"
#include "gempool/responses/request_converter.h"
#include "gempool/responses/stream_converter.h"
#include "gempool/testing/json_variants.h"
#include "nlohmann/json.hpp"

// GoogleTest prints a failing nlohmann::json as a container of itself and
// recurses without end; this prints its JSON text instead (found by ADL).
NLOHMANN_JSON_NAMESPACE_BEGIN
inline void PrintTo(const json& value, std::ostream* os) {
  *os << value.dump(-1, ' ', false, json::error_handler_t::replace);
}
NLOHMANN_JSON_NAMESPACE_END

namespace gempool::responses::testing {

// A robustness run (gempool/testing/json_variants.h): every single-node
// variant of `seed`, an input_text part among the replacements.
inline size_t ForEachVariant(const nlohmann::json& seed, const std::function<void(const nlohmann::json&)>& visit) {
  return ::gempool::testing::ForEachJsonVariant(seed, visit, /*invalid_utf8=*/false,
                                                {nlohmann::json{{"type", "input_text"}, {"text", "t"}}});
}

inline nlohmann::json J(const std::string& text) { return nlohmann::json::parse(text); }

inline openai::ConversionOptions PlainOptions() {
  openai::ConversionOptions options;
  options.safety_settings = nlohmann::json::array();
  return options;
}

// A Responses body for `model` with `input` plus the members of `extra_json`.
// Why a conversion that must fail failed, and the OpenAI error's "param".
inline absl::Status ConversionStatus(const nlohmann::json& body) {
  return ConvertResponsesRequest(body, PlainOptions()).status();
}
inline std::string ErrorParamOf(const absl::Status& status) { return openai::ErrorParam(status).value_or(""); }

inline nlohmann::json Body(const nlohmann::json& input, const std::string& extra_json = "{}",
                           const std::string& model = "gemini-2.5-flash") {
  nlohmann::json body;
  body["model"] = model;
  body["input"] = input;
  const nlohmann::json extra = nlohmann::json::parse(extra_json);
  for (const auto& [key, value] : extra.items()) body[key] = value;
  return body;
}

inline ResponsesRequest MustConvert(const nlohmann::json& body,
                                    const openai::ConversionOptions& options = PlainOptions(),
                                    const nlohmann::json* previous = nullptr) {
  auto converted = ConvertResponsesRequest(body, options, previous);
  EXPECT_TRUE(converted.ok()) << converted.status();
  if (!converted.ok()) return ResponsesRequest{};
  return *std::move(converted);
}

// Adds a failure for every broken ordering rule: sequence numbers 0, 1, 2 …;
// response.created then response.in_progress first; items added at
// consecutive output indexes, one open at a time; every part/delta/done for
// the open item and of its kind; each item done once; the closing event
// last, with no item open. `complete` requires a closing event.
inline void ExpectValidSequence(const std::vector<StreamEvent>& events, bool complete = true) {
  int next_index = 0;
  int open_index = -1;
  std::string open_type;
  bool part_open = false;
  bool closed = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const StreamEvent& event = events[i];
    const nlohmann::json& data = event.data;
    SCOPED_TRACE(::testing::Message() << "event " << i << ": "
                                      << data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    ASSERT_TRUE(data.is_object());
    EXPECT_EQ(data.value("type", ""), event.type);
    EXPECT_EQ(data.value("sequence_number", -1), static_cast<int>(i)) << "sequence numbers must count from 0";
    EXPECT_FALSE(closed) << "nothing may follow the closing event";
    const std::string& type = event.type;
    if (i == 0) {
      EXPECT_EQ(type, "response.created");
    }
    if (i == 1) {
      EXPECT_EQ(type, "response.in_progress");
    }
    if (type == "response.created" || type == "response.in_progress") {
      EXPECT_LE(i, 1u);
      EXPECT_EQ(data["response"]["status"], "in_progress");
      EXPECT_EQ(data["response"]["output"], nlohmann::json::array());
      continue;
    }
    if (type == "response.completed" || type == "response.incomplete" || type == "response.failed") {
      EXPECT_EQ(open_index, -1) << "closing with an item open";
      EXPECT_EQ(data["response"]["status"], type.substr(9));
      EXPECT_EQ(data["response"]["output"].size(), static_cast<size_t>(next_index));
      closed = true;
      continue;
    }
    if (type == "response.output_item.added") {
      EXPECT_EQ(open_index, -1) << "an item added while another is open";
      EXPECT_EQ(data["output_index"], next_index) << "output indexes must be consecutive";
      open_index = next_index++;
      open_type = data["item"]["type"].get<std::string>();
      part_open = false;
      continue;
    }
    EXPECT_EQ(data["output_index"], open_index) << "an event for an item that is not open";
    if (type == "response.output_item.done") {
      EXPECT_FALSE(part_open) << "item done with a part open";
      EXPECT_EQ(data["item"]["type"], open_type);
      open_index = -1;
      continue;
    }
    EXPECT_TRUE(data["item_id"].is_string());
    if (type == "response.content_part.added" || type == "response.reasoning_summary_part.added") {
      EXPECT_EQ(open_type, type == "response.content_part.added" ? "message" : "reasoning");
      EXPECT_FALSE(part_open);
      part_open = true;
    } else if (type == "response.output_text.delta" || type == "response.output_text.done" ||
               type == "response.output_text.annotation.added") {
      EXPECT_EQ(open_type, "message");
      EXPECT_TRUE(part_open);
    } else if (type == "response.content_part.done" || type == "response.reasoning_summary_part.done") {
      EXPECT_TRUE(part_open);
      part_open = false;
    } else if (type == "response.reasoning_summary_text.delta" || type == "response.reasoning_summary_text.done") {
      EXPECT_EQ(open_type, "reasoning");
      EXPECT_TRUE(part_open);
    } else if (type == "response.function_call_arguments.delta" ||
               type == "response.function_call_arguments.done") {
      EXPECT_EQ(open_type, "function_call");
    } else {
      ADD_FAILURE() << "unexpected event type " << type;
    }
  }
  if (complete) {
    EXPECT_TRUE(closed) << "the stream did not end with a closing event";
  }
}

// The output a client accumulates from the events (items from
// output_item.added, grown by the deltas).
inline nlohmann::json AccumulateOutput(const std::vector<StreamEvent>& events) {
  nlohmann::json output = nlohmann::json::array();
  for (const StreamEvent& event : events) {
    const nlohmann::json& data = event.data;
    if (event.type == "response.output_item.added") {
      output.push_back(data["item"]);
    } else if (event.type == "response.content_part.added") {
      output[data["output_index"].get<size_t>()]["content"].push_back(data["part"]);
    } else if (event.type == "response.output_text.delta") {
      nlohmann::json& part = output[data["output_index"].get<size_t>()]["content"][0];
      part["text"] = part["text"].get<std::string>() + data["delta"].get<std::string>();
    } else if (event.type == "response.output_text.annotation.added") {
      output[data["output_index"].get<size_t>()]["content"][0]["annotations"].push_back(data["annotation"]);
    } else if (event.type == "response.reasoning_summary_part.added") {
      output[data["output_index"].get<size_t>()]["summary"].push_back(data["part"]);
    } else if (event.type == "response.reasoning_summary_text.delta") {
      nlohmann::json& part = output[data["output_index"].get<size_t>()]["summary"][0];
      part["text"] = part["text"].get<std::string>() + data["delta"].get<std::string>();
    } else if (event.type == "response.function_call_arguments.delta") {
      nlohmann::json& item = output[data["output_index"].get<size_t>()];
      item["arguments"] = item["arguments"].get<std::string>() + data["delta"].get<std::string>();
    } else if (event.type == "response.output_item.done") {
      output[data["output_index"].get<size_t>()] = data["item"];
    }
  }
  return output;
}

// Feeds `events` (Gemini JSON) to a converter, then Finish(); every call
// must succeed, and the sequence must be valid.
inline std::vector<StreamEvent> RunStream(const ResponseContext& context, const std::vector<nlohmann::json>& events,
                                          ResponsesStreamConverter* keep = nullptr) {
  ResponsesStreamConverter local(context);
  ResponsesStreamConverter& converter = keep != nullptr ? *keep : local;
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

inline std::vector<std::string> Types(const std::vector<StreamEvent>& events) {
  std::vector<std::string> types;
  for (const StreamEvent& event : events) types.push_back(event.type);
  return types;
}

}  // namespace gempool::responses::testing
