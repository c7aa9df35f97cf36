#include "response_parts.h"

#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "gempool/common/secrets.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

uint64_t Fnv1a(absl::string_view text, uint64_t seed) {
  uint64_t hash = 14695981039346656037ULL ^ seed;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string MarkdownLinkText(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"[", "\\["}, {"]", "\\]"}, {"\n", " "}});
}

json Bytes(absl::string_view token) {
  json bytes = json::array();
  for (char c : token) bytes.push_back(static_cast<int>(static_cast<unsigned char>(c)));
  return bytes;
}

json LogprobEntry(const json& candidate) {
  std::string token = StringOr(candidate, "token", "");
  double logprob = 0;
  if (auto it = candidate.find("logProbability"); it != candidate.end() && it->is_number()) logprob = it->get<double>();
  return json{{"token", token}, {"logprob", logprob}, {"bytes", Bytes(token)}};
}

}  // namespace

std::string StableHexDigest(absl::string_view text, size_t digits) {
  std::string hex = absl::StrFormat("%016x%016x", Fnv1a(text, 0), Fnv1a(text, 0x9e3779b97f4a7c15ULL));
  return hex.substr(0, digits);
}

std::string RenderOtherPart(const json& part) {
  if (const json* inline_data = Find(part, "inlineData"); inline_data != nullptr && inline_data->is_object()) {
    std::string mime = StringOr(*inline_data, "mimeType", "application/octet-stream");
    std::string data = StringOr(*inline_data, "data", "");
    if (data.empty()) return "";
    std::string url = absl::StrCat("data:", mime, ";base64,", data);
    if (absl::StartsWith(mime, "image/")) return absl::StrCat("\n\n![image](", url, ")\n\n");
    return absl::StrCat("\n\n[", mime, "](", url, ")\n\n");
  }
  if (const json* code = Find(part, "executableCode"); code != nullptr && code->is_object()) {
    std::string language = absl::AsciiStrToLower(StringOr(*code, "language", ""));
    if (language == "language_unspecified") language.clear();
    return absl::StrCat("\n```", language, "\n", StringOr(*code, "code", ""), "\n```\n");
  }
  if (const json* result = Find(part, "codeExecutionResult"); result != nullptr && result->is_object()) {
    std::string output = StringOr(*result, "output", "");
    std::string outcome = StringOr(*result, "outcome", "OUTCOME_OK");
    if (outcome != "OUTCOME_OK" && !outcome.empty()) return absl::StrCat("\n```\n", outcome, ": ", output, "\n```\n");
    return absl::StrCat("\n```\n", output, "\n```\n");
  }
  return "";
}

absl::Status CheckGenerateContentResponse(const json& response, absl::string_view what) {
  if (response.is_object()) return Find(response, "error") != nullptr ? UpstreamErrorStatus(response) : absl::OkStatus();
  if (response.is_array() && !response.empty() && Find(response[0], "error") != nullptr) {
    return UpstreamErrorStatus(response);
  }
  return absl::InternalError(
      absl::StrCat(what, " is not a GenerateContentResponse object (got ", JsonTypeName(response), ")"));
}

const json* FirstCandidate(const json& response) {
  const json* candidates = Find(response, "candidates");
  if (candidates == nullptr || !candidates->is_array()) return nullptr;
  for (const json& candidate : *candidates) {
    if (!candidate.is_object()) continue;
    const json* index = Find(candidate, "index");
    if (index == nullptr || (index->is_number_integer() && index->get<int64_t>() == 0)) return &candidate;
  }
  return nullptr;
}

const json* RunnableCall(const json& part) {
  const json* call = Find(part, "functionCall");
  if (call == nullptr || !call->is_object()) return nullptr;
  const json* name = Find(*call, "name");
  if (name == nullptr || !name->is_string() || name->get_ref<const std::string&>().empty()) return nullptr;
  const json* args = Find(*call, "args");
  if (args != nullptr && !args->is_null() && !args->is_object()) return nullptr;
  return call;
}

GeminiPart ReadGeminiPart(const json& part) {
  GeminiPart view;
  if (const json* found = Find(part, "thoughtSignature"); found != nullptr && found->is_string() && !found->empty()) {
    view.signature = &found->get_ref<const std::string&>();
  }
  if (const json* call = RunnableCall(part); call != nullptr) {
    view.kind = GeminiPart::Kind::kCall;
    view.call = call;
    return view;
  }
  const bool thought = BoolOr(part, "thought", false);
  view.kind = thought ? GeminiPart::Kind::kThought : GeminiPart::Kind::kText;
  if (const json* text = Find(part, "text"); text != nullptr && text->is_string()) {
    view.text = text->get<std::string>();
  } else if (!thought) {
    view.text = RenderOtherPart(part);
  }
  return view;
}

void ForEachCandidatePart(const json& candidate, const std::function<void(const json&)>& visit) {
  const json* content = Find(candidate, "content");
  const json* parts = content != nullptr ? Find(*content, "parts") : nullptr;
  if (parts == nullptr || !parts->is_array()) return;
  for (const json& part : *parts) {
    if (part.is_object()) visit(part);
  }
}

void GroundingLinks::Add(const json& grounding_metadata) {
  const json* chunks = Find(grounding_metadata, "groundingChunks");
  if (chunks == nullptr || !chunks->is_array()) return;
  for (const json& chunk : *chunks) {
    const json* web = Find(chunk, "web");
    if (web == nullptr || !web->is_object()) continue;
    std::string uri = StringOr(*web, "uri", "");
    if (uri.empty() || !seen_.insert(uri).second) continue;
    std::string title = StringOr(*web, "title", "");
    links_.emplace_back(title.empty() ? uri : title, uri);
  }
}

std::string GroundingLinks::Markdown(LinkLanguage language) const {
  if (links_.empty()) return "";
  std::string out = language == LinkLanguage::kChinese ? "\n\n**参考来源**\n" : "\n\n**Sources**\n";
  for (size_t i = 0; i < links_.size(); ++i) {
    absl::StrAppend(&out, i + 1, ". [", MarkdownLinkText(links_[i].first), "](", links_[i].second, ")\n");
  }
  return out;
}

std::string PromptBlockedExplanation(const json& prompt_feedback) {
  std::string reason = "unspecified";
  if (const json* found = Find(prompt_feedback, "blockReason"); found != nullptr && found->is_string()) {
    reason = found->get<std::string>();
  }
  std::string out = absl::StrCat("Gemini blocked the prompt (blockReason: ", reason, ").");
  if (const json* message = Find(prompt_feedback, "blockReasonMessage"); message != nullptr && message->is_string()) {
    absl::StrAppend(&out, " ", message->get<std::string>());
  }
  return out;
}

std::string StoppedExplanation(const json& candidate) {
  std::string reason = StringOr(candidate, "finishReason", "");
  std::string out = absl::StrCat("Gemini stopped the answer (finishReason: ", reason, ").");
  if (const json* message = Find(candidate, "finishMessage"); message != nullptr && message->is_string()) {
    absl::StrAppend(&out, " ", message->get<std::string>());
  }
  return out;
}

absl::Status UpstreamErrorStatus(const json& body) {
  OpenAIError converted = ConvertGeminiError(0, body);
  const json* root = body.is_array() && !body.empty() ? &body[0] : &body;
  const json* error = Find(*root, "error");
  std::string status_name = error != nullptr && error->is_object() ? StringOr(*error, "status", "") : "";
  return absl::Status(CodeForGoogleStatus(status_name, converted.http_status),
                      converted.body["error"]["message"].get<std::string>());
}

namespace internal {


std::string CompletionId(const json& response, const ResponseContext& context) {
  if (const json* id = Find(response, "responseId"); id != nullptr && id->is_string() && !id->empty()) {
    return absl::StrCat("chatcmpl-", id->get_ref<const std::string&>());
  }
  if (!context.fallback_id.empty()) return context.fallback_id;
  return absl::StrCat("chatcmpl-", StableHexDigest(absl::StrCat(context.model, ":", context.created), 24));
}

std::string ToolCallId(const json& function_call, absl::string_view completion_id, int choice_index,
                       int call_index) {
  if (const json* id = Find(function_call, "id"); id != nullptr && id->is_string() && !id->empty()) {
    return id->get<std::string>();
  }
  return absl::StrCat("call_", StableHexDigest(absl::StrCat(completion_id, ":", choice_index, ":", call_index), 24));
}

json ToolCall(const json& part, absl::string_view completion_id, int choice_index, int call_index) {
  const json& call = part["functionCall"];
  json args = json::object();
  if (const json* found = Find(call, "args"); found != nullptr) args = *found;
  json out = json{{"index", call_index},
                  {"id", ToolCallId(call, completion_id, choice_index, call_index)},
                  {"type", "function"},
                  {"function", {{"name", StringOr(call, "name", "")}, {"arguments", args.dump()}}}};
  if (const json* signature = Find(part, "thoughtSignature"); signature != nullptr && signature->is_string()) {
    out["extra_content"] = json{{"google", {{"thought_signature", *signature}}}};
  }
  return out;
}

json ConvertLogprobs(const json& candidate) {
  const json* result = Find(candidate, "logprobsResult");
  if (result == nullptr || !result->is_object()) return json(nullptr);
  const json* chosen = Find(*result, "chosenCandidates");
  const json* top = Find(*result, "topCandidates");
  json content = json::array();
  if (chosen != nullptr && chosen->is_array()) {
    for (size_t i = 0; i < chosen->size(); ++i) {
      json entry = LogprobEntry((*chosen)[i]);
      json alternatives = json::array();
      if (top != nullptr && top->is_array() && i < top->size()) {
        if (const json* list = Find((*top)[i], "candidates"); list != nullptr && list->is_array()) {
          for (const json& alternative : *list) alternatives.push_back(LogprobEntry(alternative));
        }
      }
      entry["top_logprobs"] = std::move(alternatives);
      content.push_back(std::move(entry));
    }
  }
  return json{{"content", std::move(content)}, {"refusal", nullptr}};
}

}  // namespace internal
}  // namespace gempool::openai
