#include "gempool/openai/model_options.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/thinking_levels.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

// A field Google accepts in two spellings (proto JSON: lowerCamel or the
// proto name).
struct FieldName {
  const char* camel;
  const char* snake;
};

constexpr FieldName kSafetySettings{"safetySettings", "safety_settings"};
constexpr FieldName kGenerationConfig{"generationConfig", "generation_config"};
constexpr FieldName kThinkingConfig{"thinkingConfig", "thinking_config"};
constexpr FieldName kIncludeThoughts{"includeThoughts", "include_thoughts"};
constexpr FieldName kThinkingBudget{"thinkingBudget", "thinking_budget"};
constexpr FieldName kResponseModalities{"responseModalities", "response_modalities"};
constexpr FieldName kResponseMimeType{"responseMimeType", "response_mime_type"};
constexpr FieldName kFunctionDeclarations{"functionDeclarations", "function_declarations"};
constexpr FieldName kGoogleSearch{"googleSearch", "google_search"};
constexpr FieldName kCodeExecution{"codeExecution", "code_execution"};
constexpr FieldName kUrlContext{"urlContext", "url_context"};
constexpr FieldName kInlineData{"inlineData", "inline_data"};
constexpr FieldName kFileData{"fileData", "file_data"};

// The member under either spelling (JSON null counts as absent), or nullptr.
const json* Member(const json& obj, FieldName name) {
  if (!obj.is_object()) return nullptr;
  for (const char* key : {name.camel, name.snake}) {
    auto it = obj.find(key);
    if (it != obj.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

json* Member(json& obj, FieldName name) { return const_cast<json*>(Member(std::as_const(obj), name)); }

// Whether `obj` spells its fields the proto way (snake_case): then added
// fields follow suit. Judged by the object's first multi-word key.
bool UsesSnakeCase(const json& obj) {
  if (!obj.is_object()) return false;
  for (const auto& [key, value] : obj.items()) {
    if (key.find('_') != std::string::npos) return true;
    for (char c : key) {
      if (c >= 'A' && c <= 'Z') return false;
    }
  }
  return false;
}

const char* Spelling(const json& container, FieldName name) {
  return UsesSnakeCase(container) ? name.snake : name.camel;
}

// The object at `name` in `obj`, created when absent. Nullptr when it exists
// but is not an object (Google will refuse the request; leave it be).
json* ObjectMember(json& obj, FieldName name) {
  if (json* existing = Member(obj, name)) return existing->is_object() ? existing : nullptr;
  json& created = obj[Spelling(obj, name)];
  created = json::object();
  return &created;
}

bool HasTool(const json* tools, FieldName name) {
  if (tools == nullptr || !tools->is_array()) return false;
  for (const json& tool : *tools) {
    if (Member(tool, name) != nullptr) return true;
  }
  return false;
}

bool HasFunctionDeclarations(const json* tools) {
  if (tools == nullptr || !tools->is_array()) return false;
  for (const json& tool : *tools) {
    const json* declarations = Member(tool, kFunctionDeclarations);
    if (declarations != nullptr && declarations->is_array() && !declarations->empty()) return true;
  }
  return false;
}

// Inline or uploaded media anywhere in the conversation (code execution
// fails next to it on Gemini 2.x).
bool HasMedia(const json& request) {
  const json* contents = Member(request, FieldName{"contents", "contents"});
  if (contents == nullptr || !contents->is_array()) return false;
  for (const json& content : *contents) {
    const json* parts = Member(content, FieldName{"parts", "parts"});
    if (parts == nullptr || !parts->is_array()) continue;
    for (const json& part : *parts) {
      if (Member(part, kInlineData) != nullptr || Member(part, kFileData) != nullptr) return true;
    }
  }
  return false;
}

bool JsonOutput(const json* generation_config) {
  if (generation_config == nullptr) return false;
  const json* mime = Member(*generation_config, kResponseMimeType);
  return mime != nullptr && mime->is_string() && mime->get<std::string>() == "application/json";
}

void AddTool(json& request, FieldName name, AppliedModelOptions& out) {
  json* tools = Member(request, FieldName{"tools", "tools"});
  if (tools == nullptr) {
    tools = &request["tools"];
    *tools = json::array();
  }
  if (!tools->is_array()) return;
  tools->push_back(json{{Spelling(request, name), json::object()}});
  out.changed = true;
}

void ApplyThinking(const ResolvedModel& model, const ConversionOptions& options, json& request,
                   AppliedModelOptions& out) {
  json* generation = Member(request, kGenerationConfig);
  if (generation != nullptr && !generation->is_object()) return;
  if (generation != nullptr && Member(*generation, kThinkingConfig) != nullptr) {
    // The client's own thinking setting goes as it is.
    if (model.non_thinking) {
      out.warnings.push_back(absl::StrCat("model '", model.requested,
                                          "' turns thinking off, but the request's own thinking setting takes "
                                          "precedence"));
    }
    return;
  }
  const std::string& base = model.upstream;
  // Added fields follow the spelling of the closest object the client wrote.
  const json& style = generation != nullptr ? *generation : request;
  json config = json::object();
  if (model.non_thinking) {
    // The lowest setting as it is: a model asked not to think gets no
    // thought summaries.
    config = LowestThinkingConfig(base);
  } else {
    for (const auto& [name, budget] : options.thinking_budget_map) {
      if (StripModelsPrefix(name) == base) {
        config[Spelling(style, kThinkingBudget)] = budget;
        break;
      }
    }
    const json* budget = Member(config, kThinkingBudget);
    const bool thinking_off = budget != nullptr && budget->is_number() && budget->get<double>() == 0;
    if (options.show_thinking_process && !thinking_off &&
        (!config.empty() || (IsThinkingModel(base, options) && !model.image))) {
      config[Spelling(style, kIncludeThoughts)] = true;
    }
  }
  if (config.empty()) return;
  json* target = ObjectMember(request, kGenerationConfig);
  if (target == nullptr) return;
  (*target)[Spelling(*target, kThinkingConfig)] = std::move(config);
  out.changed = true;
}

}  // namespace

AppliedModelOptions ApplyModelOptions(const ResolvedModel& model, const ConversionOptions& options,
                                      json& request) {
  AppliedModelOptions out;
  if (!request.is_object()) return out;

  if (Member(request, kSafetySettings) == nullptr && options.safety_settings.is_array() &&
      !options.safety_settings.empty()) {
    request[Spelling(request, kSafetySettings)] = options.safety_settings;
    out.changed = true;
  }

  if (model.image) {
    json* generation = Member(request, kGenerationConfig);
    if (generation == nullptr || (generation->is_object() && Member(*generation, kResponseModalities) == nullptr)) {
      json* target = ObjectMember(request, kGenerationConfig);
      if (target != nullptr) {
        (*target)[Spelling(*target, kResponseModalities)] = json::array({"TEXT", "IMAGE"});
        out.changed = true;
      }
    }
  }

  ApplyThinking(model, options, request, out);

  const json* tools = Member(request, FieldName{"tools", "tools"});
  const bool has_functions = HasFunctionDeclarations(tools);
  const bool json_output = JsonOutput(Member(request, kGenerationConfig));
  if (model.search && !HasTool(tools, kGoogleSearch)) {
    if (has_functions && !IsGemini3Model(model.upstream)) {
      out.warnings.push_back(absl::StrCat("Google Search was not enabled: ", model.upstream,
                                          " cannot combine it with function tools"));
    } else {
      AddTool(request, kGoogleSearch, out);
    }
  }
  if (options.code_execution && !model.search && !model.image && !has_functions && !json_output &&
      !HasTool(Member(request, FieldName{"tools", "tools"}), kCodeExecution) && !HasMedia(request)) {
    AddTool(request, kCodeExecution, out);
  }
  if (options.url_context && ModelListed(options.url_context_models, model.upstream) && !has_functions &&
      !json_output && !HasTool(Member(request, FieldName{"tools", "tools"}), kUrlContext)) {
    AddTool(request, kUrlContext, out);
  }
  return out;
}

}  // namespace gempool::openai
