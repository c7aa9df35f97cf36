#include "gempool/openai/request_converter.h"

#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/media.h"
#include "gempool/openai/model_options.h"
#include "generation_config.h"
#include "message_converter.h"
#include "thinking.h"
#include "tool_converter.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

constexpr absl::string_view kPdfMimeType = "application/pdf";

// Top-level fields converted somewhere in this library.
constexpr absl::string_view kConverted[] = {
    "model",       "messages",          "stream",         "stream_options",   "temperature", "top_p",
    "top_k",       "max_completion_tokens", "max_tokens", "stop",             "n",           "seed",
    "presence_penalty", "frequency_penalty", "logprobs",  "top_logprobs",     "response_format",
    "modalities",  "audio",             "tools",          "tool_choice",      "functions",   "function_call",
    "web_search_options", "reasoning_effort", "extra_body", "google",
};
// Identifiers and bookkeeping with no effect on the answer.
constexpr absl::string_view kSilentlyIgnored[] = {
    "user", "metadata", "safety_identifier", "prompt_cache_key", "prompt_cache_retention",
};

bool In(absl::string_view key, absl::Span<const absl::string_view> list) {
  for (absl::string_view entry : list) {
    if (entry == key) return true;
  }
  return false;
}

// Notes on hint fields gempool cannot honour, and unknown fields.
void WarnAboutIgnoredFields(const json& body, std::vector<std::string>* warnings) {
  for (const auto& [key, value] : body.items()) {
    if (value.is_null() || In(key, kConverted) || In(key, kSilentlyIgnored)) continue;
    if (key == "parallel_tool_calls") {
      if (value == false) {
        warnings->push_back("parallel_tool_calls: false has no Gemini equivalent; the model may still call several "
                            "functions at once");
      }
    } else if (key == "logit_bias") {
      if (!(value.is_object() && value.empty())) warnings->push_back("logit_bias has no Gemini equivalent; ignored");
    } else if (key == "service_tier") {
      if (!(value == "auto" || value == "default")) {
        warnings->push_back(absl::StrCat("service_tier ", value.dump(), " is not supported here; ignored"));
      }
    } else if (key == "store") {
      if (value == true) warnings->push_back("store: true is not supported; the completion is not stored");
    } else if (key == "verbosity" || key == "prediction") {
      warnings->push_back(absl::StrCat(key, " has no Gemini equivalent; ignored"));
    } else {
      warnings->push_back(absl::StrCat("unknown field '", key, "' ignored"));
    }
  }
}

// The client's Gemini-specific settings: extra_body.google and top-level
// google (protocol.md §2), by canonical key, with the field each came from.
struct GoogleExtras {
  const json* thinking_config = nullptr;
  std::string thinking_config_path;
  const json* cached_content = nullptr;
  std::string cached_content_path;
  const json* safety_settings = nullptr;
  std::string safety_settings_path;
};

absl::Status CollectGoogle(const json& google, const std::string& path, GoogleExtras& out,
                           std::vector<std::string>* warnings) {
  for (const auto& [key, value] : google.items()) {
    if (value.is_null()) continue;
    const json** slot = nullptr;
    std::string* slot_path = nullptr;
    if (key == "thinking_config" || key == "thinkingConfig") {
      slot = &out.thinking_config;
      slot_path = &out.thinking_config_path;
    } else if (key == "cached_content" || key == "cachedContent") {
      slot = &out.cached_content;
      slot_path = &out.cached_content_path;
    } else if (key == "safety_settings" || key == "safetySettings") {
      slot = &out.safety_settings;
      slot_path = &out.safety_settings_path;
    } else {
      warnings->push_back(absl::StrCat("unknown field '", Path(path, key), "' ignored"));
      continue;
    }
    std::string field = Path(path, key);
    if (*slot != nullptr) {
      return FieldError(field, absl::StrCat("is also given as ", *slot_path, "; send it once"));
    }
    *slot = &value;
    *slot_path = field;
  }
  return absl::OkStatus();
}

absl::StatusOr<GoogleExtras> ReadGoogleExtras(const json& body, std::vector<std::string>* warnings) {
  GoogleExtras out;
  GEMPOOL_ASSIGN_OR_RETURN(const json* extra_body, OptObject(body, "extra_body", ""));
  if (extra_body != nullptr) {
    for (const auto& [key, value] : extra_body->items()) {
      if (key == "google") continue;
      if (!value.is_null()) warnings->push_back(absl::StrCat("unknown field 'extra_body.", key, "' ignored"));
    }
    GEMPOOL_ASSIGN_OR_RETURN(const json* google, OptObject(*extra_body, "google", "extra_body"));
    if (google != nullptr) GEMPOOL_RETURN_IF_ERROR(CollectGoogle(*google, "extra_body.google", out, warnings));
  }
  GEMPOOL_ASSIGN_OR_RETURN(const json* google, OptObject(body, "google", ""));
  if (google != nullptr) GEMPOOL_RETURN_IF_ERROR(CollectGoogle(*google, "google", out, warnings));
  if (out.thinking_config != nullptr && !out.thinking_config->is_object()) {
    return FieldError(out.thinking_config_path, "must be an object");
  }
  return out;
}

absl::StatusOr<json> ConvertSafetySettings(const json& settings, const std::string& path) {
  if (!settings.is_array()) {
    return FieldError(path, absl::StrCat("must be an array of {category, threshold}, got ",
                                         JsonTypeName(settings)));
  }
  json out = json::array();
  for (size_t i = 0; i < settings.size(); ++i) {
    std::string item_path = Path(path, i);
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> category, OptString(settings[i], "category", item_path));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> threshold, OptString(settings[i], "threshold", item_path));
    if (!category.has_value() || !threshold.has_value()) {
      return FieldError(item_path, "needs string fields category and threshold");
    }
    out.push_back(json{{"category", *category}, {"threshold", *threshold}});
  }
  return out;
}

}  // namespace

bool GeminiRequest::Ready() const {
  for (const MediaFetch& fetch : fetches) {
    if (!fetch.inlined) return false;
  }
  return true;
}

absl::StatusOr<GeminiRequest> ConvertChatRequest(const json& body, const ConversionOptions& options) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  GeminiRequest out;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> model, OptString(body, "model", ""));
  if (!model.has_value()) return FieldError("model", "is required");
  GEMPOOL_ASSIGN_OR_RETURN(out.model, ResolveModel(*model, options));

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> stream, OptBool(body, "stream", ""));
  out.stream = stream.value_or(false);
  GEMPOOL_ASSIGN_OR_RETURN(const json* stream_options, OptObject(body, "stream_options", ""));
  if (stream_options != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> include_usage,
                             OptBool(*stream_options, "include_usage", "stream_options"));
    out.include_usage = out.stream && include_usage.value_or(false);
  }

  GEMPOOL_ASSIGN_OR_RETURN(GoogleExtras google, ReadGoogleExtras(body, &out.warnings));

  const json* messages = Find(body, "messages");
  if (messages == nullptr) return FieldError("messages", "is required");
  GEMPOOL_ASSIGN_OR_RETURN(internal::ConvertedMessages converted,
                           internal::ConvertMessages(*messages, out.model.upstream, options));

  GEMPOOL_ASSIGN_OR_RETURN(internal::GenerationSettings generation,
                           internal::ConvertGenerationConfig(body, options));
  GEMPOOL_ASSIGN_OR_RETURN(json thinking,
                           internal::ResolveThinking(body, google.thinking_config, google.thinking_config_path,
                                                     out.model, options.show_thinking_process, &out.warnings));
  if (!thinking.is_null()) generation.config["thinkingConfig"] = std::move(thinking);

  GEMPOOL_ASSIGN_OR_RETURN(internal::ConvertedTools tools,
                           internal::ConvertTools(body, out.model, options));

  json request = json::object();
  request["contents"] = std::move(converted.contents);
  if (!converted.system_instruction.is_null()) request["systemInstruction"] = std::move(converted.system_instruction);
  if (!tools.tools.empty()) request["tools"] = std::move(tools.tools);
  if (!tools.tool_config.is_null()) request["toolConfig"] = std::move(tools.tool_config);
  if (google.safety_settings != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(request["safetySettings"],
                             ConvertSafetySettings(*google.safety_settings, google.safety_settings_path));
  }
  if (!generation.config.empty()) request["generationConfig"] = std::move(generation.config);
  if (google.cached_content != nullptr) {
    if (!google.cached_content->is_string() ||
        !absl::StartsWith(google.cached_content->get<std::string>(), "cachedContents/")) {
      return FieldError(google.cached_content_path, "must be a string \"cachedContents/<id>\"");
    }
    out.cached_content = google.cached_content->get<std::string>();
    request["cachedContent"] = out.cached_content;
  }
  // SAFETY_SETTINGS, derived models, thinking defaults and automatic tools:
  // the same rules as on the native API.
  AppliedModelOptions applied = ApplyModelOptions(out.model, options, request);
  out.body = std::move(request);
  out.fetches = std::move(converted.fetches);
  out.file_names = std::move(converted.file_names);

  for (std::string& warning : converted.warnings) out.warnings.push_back(std::move(warning));
  for (std::string& warning : generation.warnings) out.warnings.push_back(std::move(warning));
  for (std::string& warning : tools.warnings) out.warnings.push_back(std::move(warning));
  for (std::string& warning : applied.warnings) out.warnings.push_back(std::move(warning));
  WarnAboutIgnoredFields(body, &out.warnings);
  return out;
}

absl::Status InlineFetchedMedia(GeminiRequest& request, size_t fetch_index, absl::string_view content_type,
                                absl::string_view bytes) {
  if (fetch_index >= request.fetches.size()) {
    return absl::OutOfRangeError(
        absl::StrCat("fetch index ", fetch_index, " is out of range (", request.fetches.size(), " fetches)"));
  }
  MediaFetch& fetch = request.fetches[fetch_index];
  json& contents = request.body["contents"];
  if (!contents.is_array() || fetch.content_index >= contents.size() ||
      fetch.part_index >= contents[fetch.content_index]["parts"].size()) {
    return absl::InternalError(absl::StrCat("the placeholder for ", fetch.field, " is missing from the request"));
  }
  json& placeholder = contents[fetch.content_index]["parts"][fetch.part_index];
  if (bytes.empty()) return FieldError(fetch.field, absl::StrCat("'", fetch.url, "' returned no data"));
  std::string mime = MimeOf(content_type);
  // A placeholder whose mimeType is already set asks for a document of that
  // type (the Anthropic route's PDF documents); an empty one for an image.
  const json* wanted = placeholder.is_object() ? Find(placeholder, "inlineData") : nullptr;
  const std::string wanted_mime = wanted != nullptr ? StringOr(*wanted, "mimeType", "") : "";
  if (wanted_mime == kPdfMimeType) {
    if (mime != kPdfMimeType && !absl::StartsWith(bytes, "%PDF-")) {
      return FieldError(fetch.field, absl::StrCat("'", fetch.url, "' returned ",
                                                  mime.empty() ? "data without a content type" : mime,
                                                  " that is not a PDF"));
    }
    mime = std::string(kPdfMimeType);
  } else if (!absl::StartsWith(mime, "image/")) {
    std::optional<std::string> sniffed = SniffImageMime(bytes);
    if (!sniffed.has_value()) {
      return FieldError(fetch.field, absl::StrCat("'", fetch.url, "' returned ",
                                                  mime.empty() ? "data without a content type" : mime,
                                                  " that is not an image"));
    }
    mime = *sniffed;
  }
  placeholder = json{{"inlineData", {{"mimeType", mime}, {"data", absl::Base64Escape(bytes)}}}};
  fetch.inlined = true;
  return absl::OkStatus();
}

json CountTokensBody(const GeminiRequest& request) {
  json inner = json::object();
  // Tuned models keep their own collection ("tunedModels/x").
  inner["model"] = absl::StrContains(request.model.upstream, '/') ? request.model.upstream
                                                                  : absl::StrCat("models/", request.model.upstream);
  for (const char* key : {"contents", "systemInstruction", "tools"}) {
    if (request.body.is_object() && request.body.contains(key)) inner[key] = request.body[key];
  }
  return OneMember("generateContentRequest", std::move(inner));
}

}  // namespace gempool::openai
