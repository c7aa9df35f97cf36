#include "gempool/openai/image_chat.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

// The text of one message's content: a string, or its text parts.
std::string TextOf(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::vector<std::string> texts;
  if (content.is_array()) {
    for (const json& part : content) {
      if (part.is_object() && StringOr(part, "type", "") == "text") {
        const std::string text = StringOr(part, "text", "");
        if (!text.empty()) texts.push_back(text);
      }
    }
  }
  return absl::StrJoin(texts, "\n");
}

}  // namespace

std::string ImageChatModel(const ConversionOptions& options) {
  const std::string base = StripModelsPrefix(options.create_image_model);
  return base.empty() ? "" : absl::StrCat(base, "-chat");
}

bool IsImageChatModel(absl::string_view model, const ConversionOptions& options) {
  const std::string chat = ImageChatModel(options);
  return !chat.empty() && StripModelsPrefix(std::string(model)) == chat;
}

absl::StatusOr<ImageGenerationRequest> ConvertImageChatRequest(const json& body, const ConversionOptions& options) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  const json* messages = Find(body, "messages");
  if (messages == nullptr || !messages->is_array()) return FieldError("messages", "is required");
  std::string prompt;
  for (auto it = messages->rbegin(); it != messages->rend(); ++it) {
    if (it->is_object() && StringOr(*it, "role", "") == "user") {
      const json* content = Find(*it, "content");
      if (content != nullptr) prompt = TextOf(*content);
      break;
    }
  }
  if (prompt.empty()) {
    return FieldError("messages", absl::StrCat("the last user message has no text: ", ImageChatModel(options),
                                               " draws what it says"));
  }
  json image_body = {{"model", StripModelsPrefix(options.create_image_model)},
                     {"prompt", prompt},
                     {"response_format", "url"}};
  absl::StatusOr<ImageGenerationRequest> request = ConvertImageRequest(image_body, options);
  if (!request.ok()) return request.status();
  // Data URLs carry the type the Markdown needs; not worth a warning here.
  request->warnings.clear();
  return request;
}

json ImagesAsGeminiAnswer(json&& response, const ImageGenerationRequest& request) {
  if (request.backend == ImageBackend::kGeminiGenerateContent) return std::move(response);
  json parts = json::array();
  auto predictions = response.is_object() ? response.find("predictions") : response.end();
  if (predictions != response.end() && predictions->is_array()) {
    for (json& prediction : *predictions) {
      auto bytes = prediction.is_object() ? prediction.find("bytesBase64Encoded") : prediction.end();
      if (bytes == prediction.end() || !bytes->is_string() || bytes->get_ref<const std::string&>().empty()) continue;
      json inline_data = json::object();
      inline_data["mimeType"] = StringOr(prediction, "mimeType", "image/png");
      inline_data["data"] = std::move(*bytes);
      parts.push_back(OneMember("inlineData", std::move(inline_data)));
    }
  }
  return json{{"candidates", json::array({json{{"content", {{"role", "model"}, {"parts", std::move(parts)}}}}})}};
}

std::string ImageChatMarkdown(const json& answer) {
  std::string out;
  const json* candidates = Find(answer, "candidates");
  if (candidates == nullptr || !candidates->is_array()) return out;
  for (const json& candidate : *candidates) {
    const json* content = Find(candidate, "content");
    const json* parts = content != nullptr ? Find(*content, "parts") : nullptr;
    if (parts == nullptr || !parts->is_array()) continue;
    for (const json& part : *parts) {
      if (BoolOr(part, "thought", false)) continue;
      if (const json* text = Find(part, "text"); text != nullptr && text->is_string()) {
        out += text->get<std::string>();
        continue;
      }
      const json* inline_data = Find(part, "inlineData");
      if (inline_data == nullptr) inline_data = Find(part, "inline_data");
      if (inline_data == nullptr) continue;
      const std::string data = StringOr(*inline_data, "data", "");
      std::string mime = StringOr(*inline_data, "mimeType", "");
      if (mime.empty()) mime = StringOr(*inline_data, "mime_type", "image/png");
      if (data.empty()) continue;
      if (!out.empty() && !absl::EndsWith(out, "\n\n")) out += absl::EndsWith(out, "\n") ? "\n" : "\n\n";
      absl::StrAppend(&out, "![image](data:", mime, ";base64,", data, ")");
    }
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

json ImageChatCompletion(const std::string& content, const std::string& model, const std::string& id,
                         int64_t created_unix) {
  return json{{"id", id},
              {"object", "chat.completion"},
              {"created", created_unix},
              {"model", model},
              {"choices", json::array({json{{"index", 0},
                                            {"message", {{"role", "assistant"}, {"content", content}}},
                                            {"finish_reason", "stop"}}})},
              {"usage", {{"prompt_tokens", 0}, {"completion_tokens", 0}, {"total_tokens", 0}}}};
}

std::vector<json> ImageChatChunks(const std::string& content, const std::string& model, const std::string& id,
                                  int64_t created_unix) {
  auto chunk = [&](json delta, json finish) {
    return json{{"id", id},
                {"object", "chat.completion.chunk"},
                {"created", created_unix},
                {"model", model},
                {"choices", json::array({json{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}})}};
  };
  return {chunk({{"role", "assistant"}, {"content", content}}, nullptr), chunk(json::object(), "stop")};
}

}  // namespace gempool::openai
