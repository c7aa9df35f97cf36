#include "fake_upstream/responses.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/gemini/google_status.h"

namespace gempool::fake {
namespace {

using json = nlohmann::ordered_json;

constexpr char kService[] = "generativelanguage.googleapis.com";
constexpr char kErrorInfo[] = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr char kLocalizedMessage[] = "type.googleapis.com/google.rpc.LocalizedMessage";

// A 1x1 PNG, the image every fake Imagen prediction returns.
constexpr char kTinyPngBase64[] =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

json MakeModel(const std::string& id, const std::string& display, const std::string& description, int input_limit,
               int output_limit, std::vector<std::string> methods, bool thinking) {
  json m = {
      {"name", "models/" + id},
      {"version", "001"},
      {"displayName", display},
      {"description", description},
      {"inputTokenLimit", input_limit},
      {"outputTokenLimit", output_limit},
      {"supportedGenerationMethods", std::move(methods)},
  };
  if (absl::StartsWith(id, "gemini-2")) {
    m["temperature"] = 1;
    m["topP"] = 0.95;
    m["topK"] = 64;
    m["maxTemperature"] = 2;
  }
  if (thinking) m["thinking"] = true;
  return m;
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void CollectTexts(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [name, value] : node.items()) {
      if (name == "text" && value.is_string()) {
        out.push_back(value.get<std::string>());
      } else {
        CollectTexts(value, out);
      }
    }
  } else if (node.is_array()) {
    for (const auto& value : node) CollectTexts(value, out);
  }
}

std::string ReplyText(const std::string& prompt) {
  std::string quoted = prompt.substr(0, 200);
  return absl::StrCat("This is fake-gemini answering: ", quoted.empty() ? "(no text)" : quoted);
}

json Usage(int prompt_tokens, int candidate_tokens) {
  return {
      {"promptTokenCount", prompt_tokens},
      {"candidatesTokenCount", candidate_tokens},
      {"totalTokenCount", prompt_tokens + candidate_tokens},
      {"promptTokensDetails", json::array({{{"modality", "TEXT"}, {"tokenCount", prompt_tokens}}})},
  };
}

// A test's chosen counts for `done` of `of` parts of the answer (running totals).
json ChosenUsage(const FakeUsage& u, int64_t done, int64_t of) {
  const int64_t candidates = u.candidates * done / of;
  const int64_t thoughts = u.thoughts * done / of;
  json out = {{"promptTokenCount", u.prompt}, {"candidatesTokenCount", candidates}};
  if (u.thoughts > 0) out["thoughtsTokenCount"] = thoughts;
  if (u.cached > 0) out["cachedContentTokenCount"] = u.cached;
  if (u.tool_use_prompt > 0) out["toolUsePromptTokenCount"] = u.tool_use_prompt;
  out["totalTokenCount"] = u.prompt + candidates + thoughts + u.tool_use_prompt;
  return out;
}

std::string MethodTitle(const std::string& method) {
  if (method.empty()) return "GenerateContent";
  std::string out = method;
  out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

json ErrorInfo(const std::string& reason, json metadata) {
  return {{"@type", kErrorInfo}, {"reason", reason}, {"domain", "googleapis.com"}, {"metadata", std::move(metadata)}};
}

json Localized(const std::string& message) {
  return {{"@type", kLocalizedMessage}, {"locale", "en-US"}, {"message", message}};
}

json QuotaError(const Behavior& b, const std::string& model) {
  const std::string quota_id = b.quota_id.empty() ? "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" : b.quota_id;
  std::string metric = "generativelanguage.googleapis.com/generate_content_free_tier_requests";
  std::string limit = absl::StrContains(quota_id, "PerDay") ? "250" : "10";
  if (absl::StrContains(quota_id, "InputTokens")) {
    metric = "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count";
    limit = "250000";
  }
  const std::string model_name = model.empty() ? "gemini-2.5-flash" : model;
  std::string message = b.message;
  if (message.empty()) {
    message = absl::StrCat(
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
        "To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n"
        "* Quota exceeded for metric: ",
        metric, ", limit: ", limit, ", model: ", model_name);
    if (!b.retry_delay.empty()) absl::StrAppend(&message, "\nPlease retry in ", b.retry_delay, ".");
  }
  json details = json::array();
  details.push_back({
      {"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
      {"violations", json::array({{
                         {"quotaMetric", metric},
                         {"quotaId", quota_id},
                         {"quotaDimensions", {{"location", "global"}, {"model", model_name}}},
                         {"quotaValue", limit},
                     }})},
  });
  details.push_back({
      {"@type", "type.googleapis.com/google.rpc.Help"},
      {"links", json::array({{{"description", "Learn more about Gemini API quotas"},
                              {"url", "https://ai.google.dev/gemini-api/docs/rate-limits"}}})},
  });
  if (!b.retry_delay.empty()) {
    details.push_back({{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", b.retry_delay}});
  }
  return {{"error", {{"code", 429}, {"message", message}, {"status", "RESOURCE_EXHAUSTED"}, {"details", details}}}};
}

json BadRequestError(const Behavior& b) {
  const std::string reason = b.reason.empty() ? "INVALID_ARGUMENT" : b.reason;
  if (reason == "API_KEY_INVALID") {
    const std::string message = b.message.empty() ? "API key not valid. Please pass a valid API key." : b.message;
    return {{"error",
             {{"code", 400},
              {"message", message},
              {"status", "INVALID_ARGUMENT"},
              {"details", json::array({ErrorInfo("API_KEY_INVALID", {{"service", kService}}), Localized(message)})}}}};
  }
  if (reason == "FAILED_PRECONDITION") {
    return {{"error",
             {{"code", 400},
              {"message", b.message.empty() ? "User location is not supported for the API use." : b.message},
              {"status", "FAILED_PRECONDITION"}}}};
  }
  const std::string message =
      b.message.empty() ? "Invalid JSON payload received. Unknown name \"bogusField\": Cannot find field." : b.message;
  return {{"error",
           {{"code", 400},
            {"message", message},
            {"status", "INVALID_ARGUMENT"},
            {"details", json::array({{{"@type", "type.googleapis.com/google.rpc.BadRequest"},
                                      {"fieldViolations", json::array({{{"description", message}}})}}})}}}};
}

json PermissionError(const Behavior& b, const std::string& key, const std::string& method,
                     const std::string& api_version) {
  if (b.leaked || b.reason == "LEAKED") {
    return {{"error",
             {{"code", 403},
              {"message",
               b.message.empty() ? "Your API key was reported as leaked. Please use another API key." : b.message},
              {"status", "PERMISSION_DENIED"}}}};
  }
  const std::string reason = b.reason.empty() ? "CONSUMER_SUSPENDED" : b.reason;
  if (reason == "API_KEY_SERVICE_BLOCKED") {
    const std::string full_method =
        absl::StrCat("google.ai.generativelanguage.", api_version.empty() ? "v1beta" : api_version,
                     ".GenerativeService.", MethodTitle(method));
    const std::string message =
        b.message.empty() ? absl::StrCat("Requests to this API ", kService, " method ", full_method, " are blocked.")
                          : b.message;
    return {{"error",
             {{"code", 403},
              {"message", message},
              {"status", "PERMISSION_DENIED"},
              {"details", json::array({ErrorInfo(reason, {{"service", kService},
                                                          {"methodName", full_method},
                                                          {"consumer", "projects/123456789012"}}),
                                       Localized(message)})}}}};
  }
  if (reason == "UNREGISTERED") {
    return SimpleErrorBody(403,
                           "Method doesn't allow unregistered callers (callers without established "
                           "identity). Please use API Key or other form of API consumer identity to "
                           "call this API.");
  }
  // CONSUMER_SUSPENDED and anything else: the message quotes the key.
  const std::string message = b.message.empty()
                                  ? absl::StrCat("Permission denied: Consumer 'api_key:", key, "' has been suspended.")
                                  : b.message;
  return {{"error",
           {{"code", 403},
            {"message", message},
            {"status", "PERMISSION_DENIED"},
            {"details", json::array({ErrorInfo(reason, {{"consumer", "projects/123456789012"}, {"service", kService}}),
                                     Localized(message)})}}}};
}

}  // namespace

std::string GoogleJson(const json& value, int indent) {
  const std::string raw = value.dump(indent, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size() + 16);
  for (char c : raw) {
    // These characters only occur inside strings in JSON text, so escaping
    // them keeps the document equivalent, as Google's serializer does.
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const std::vector<json>& ModelCatalog() {
  static const auto* const kModels = new std::vector<json>{
      MakeModel("gemini-2.5-flash", "Gemini 2.5 Flash",
                "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to 1 "
                "million tokens, released in June of 2025.",
                1048576, 65536, {"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"},
                true),
      MakeModel("gemini-2.5-pro", "Gemini 2.5 Pro", "Stable release (June 17th, 2025) of Gemini 2.5 Pro", 1048576,
                65536, {"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}, true),
      MakeModel("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite",
                "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025", 1048576, 65536,
                {"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}, true),
      MakeModel("gemini-2.0-flash", "Gemini 2.0 Flash", "Gemini 2.0 Flash", 1048576, 8192,
                {"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}, false),
      MakeModel("gemini-embedding-001", "Gemini Embedding 001", "Obtain a distributed representation of a text.", 2048,
                1, {"embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"}, false),
      MakeModel("imagen-4.0-generate-001", "Imagen 4", "Vertex served Imagen 4.0 model", 480, 8192, {"predict"}, false),
  };
  return *kModels;
}

json FindModel(const std::string& id) {
  for (const json& m : ModelCatalog()) {
    if (m["name"] == "models/" + id) return m;
  }
  return nullptr;
}

std::string PromptText(const json& request) {
  std::vector<std::string> texts;
  if (request.is_object()) {
    if (request.contains("contents")) CollectTexts(request["contents"], texts);
    if (request.contains("generateContentRequest")) CollectTexts(request["generateContentRequest"], texts);
    if (request.contains("content")) CollectTexts(request["content"], texts);
  }
  return absl::StrJoin(texts, " ");
}

int CountTokens(const std::string& text) {
  const int n = static_cast<int>((text.size() + 3) / 4);
  return n < 1 ? 1 : n;
}

json GenerateResponse(const std::string& model, const std::string& prompt, const std::string& response_id,
                      const std::string& text_override, const FakeUsage* usage) {
  const std::string text = text_override.empty() ? ReplyText(prompt) : text_override;
  return {
      {"candidates", json::array({{{"content", {{"parts", json::array({{{"text", text}}})}, {"role", "model"}}},
                                   {"finishReason", "STOP"},
                                   {"index", 0}}})},
      {"usageMetadata", usage != nullptr ? ChosenUsage(*usage, 1, 1) : Usage(CountTokens(prompt), CountTokens(text))},
      {"modelVersion", model},
      {"responseId", response_id},
  };
}

json StreamChunk(const std::string& model, const std::string& prompt, const std::string& response_id, int index,
                 int count, const std::string& text_override, const FakeUsage* usage) {
  const std::string text =
      text_override.empty() ? absl::StrCat("chunk ", index + 1, " of ", count, ". ") : text_override;
  json candidate = {{"content", {{"parts", json::array({{{"text", text}}})}, {"role", "model"}}}, {"index", 0}};
  if (index + 1 == count) candidate["finishReason"] = "STOP";
  // Cumulative usage, as Google reports it on every chunk.
  const int candidate_tokens = CountTokens(text) * (index + 1);
  return {
      {"candidates", json::array({candidate})},
      {"usageMetadata",
       usage != nullptr ? ChosenUsage(*usage, index + 1, count) : Usage(CountTokens(prompt), candidate_tokens)},
      {"modelVersion", model},
      {"responseId", response_id},
  };
}

json CountTokensResponse(const std::string& prompt) {
  const int n = CountTokens(prompt);
  return {{"totalTokens", n}, {"promptTokensDetails", json::array({{{"modality", "TEXT"}, {"tokenCount", n}}})}};
}

std::vector<double> EmbeddingValues(const std::string& text, int dimensions) {
  std::vector<double> values;
  values.reserve(dimensions);
  uint64_t state = Fnv1a(text);
  for (int i = 0; i < dimensions; ++i) {
    // 2^-53 scaling gives [0, 1); map to [-1, 1) and round to 6 digits as
    // Google's values are short decimals.
    const double unit = static_cast<double>(SplitMix(state) >> 11) * (1.0 / 9007199254740992.0);
    values.push_back(static_cast<double>(static_cast<int64_t>((unit * 2 - 1) * 1e6)) / 1e6);
  }
  return values;
}

json PredictResponse(int sample_count) {
  json predictions = json::array();
  for (int i = 0; i < sample_count; ++i) {
    predictions.push_back({{"bytesBase64Encoded", kTinyPngBase64}, {"mimeType", "image/png"}});
  }
  return {{"predictions", predictions}};
}

json ErrorBody(const Behavior& b, const std::string& key, const std::string& model, const std::string& method,
               const std::string& api_version) {
  switch (b.status) {
    case 400:
      return BadRequestError(b);
    case 401:
      return {{"error",
               {{"code", 401},
                {"message", b.message.empty() ? "Request had invalid authentication credentials. Expected OAuth 2 "
                                                "access token, login cookie or other valid authentication credential."
                                              : b.message},
                {"status", "UNAUTHENTICATED"},
                {"details", json::array({ErrorInfo(b.reason.empty() ? "ACCESS_TOKEN_TYPE_UNSUPPORTED" : b.reason,
                                                   {{"service", kService}})})}}}};
    case 403:
      return PermissionError(b, key, method, api_version);
    case 404:
      return SimpleErrorBody(
          404, b.message.empty()
                   ? absl::StrCat("models/", model.empty() ? "unknown" : model, " is not found for API version ",
                                  api_version.empty() ? "v1beta" : api_version, ", or is not supported for ",
                                  method.empty() ? "generateContent" : method,
                                  ". Call ListModels to see the list of available models and their "
                                  "supported methods.")
                   : b.message);
    case 429:
      return QuotaError(b, model);
    case 500:
      return SimpleErrorBody(500, b.message.empty() ? "An internal error has occurred. Please retry or report in "
                                                      "https://developers.generativeai.google/guide/troubleshooting"
                                                    : b.message);
    case 503:
      return SimpleErrorBody(503, b.message.empty() ? "The model is overloaded. Please try again later." : b.message);
    case 504:
      return SimpleErrorBody(
          504, b.message.empty() ? "The service is unable to finish processing within the deadline." : b.message);
    default:
      return SimpleErrorBody(b.status,
                             b.message.empty() ? absl::StrCat("fake-gemini scripted error ", b.status) : b.message);
  }
}

json SimpleErrorBody(int code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}, {"status", CanonicalStatus(code)}}}};
}

std::string CanonicalStatus(int http_status) {
  const std::optional<absl::string_view> name = gemini::GoogleStatusName(http_status);
  if (name) return std::string(*name);
  return http_status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
}

}  // namespace gempool::fake
