#include "tool_converter.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/gemini_tools.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/schema.h"

namespace gempool::anthropic::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OptArray;
using openai::OptBool;
using openai::OptObject;
using openai::OptString;
using openai::Path;
using openai::Preview;

constexpr size_t kMaxToolNameLength = 64;

struct Declarations {
  json list = json::array();
  std::set<std::string> names;
  bool google_search = false;
};

absl::Status ConvertClientTool(const json& tool, const std::string& path, const openai::ConversionOptions& options,
                               Declarations& out, ConvertedTools& result) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(tool, "name", path));
  if (!name.has_value()) return FieldError(Path(path, "name"), "is required");
  if (!IsValidToolName(*name)) {
    return FieldError(Path(path, "name"), absl::StrCat("'", Preview(*name),
                                                       "' is not a valid tool name: use 1 to 64 letters, digits, "
                                                       "'_' or '-'"));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> description, OptString(tool, "description", path));
  if (!out.names.insert(*name).second) {
    result.warnings.push_back(absl::StrCat(Path(path, "name"), " '", *name,
                                           "' is declared twice; the first declaration was kept"));
    return absl::OkStatus();
  }
  json declaration(json::value_t::object);
  declaration["name"] = *name;
  result.text_bytes += name->size();
  if (description.has_value() && !description->empty()) {
    result.text_bytes += description->size();
    declaration["description"] = *description;
  }
  // strict, cache_control, defer_loading, eager_input_streaming,
  // input_examples and allowed_callers have no Gemini meaning.
  if (const json* schema = Find(tool, "input_schema"); schema != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(openai::PreparedSchema prepared,
                             openai::PrepareToolParameters(*schema, options.schema_dialect,
                                                           Path(path, "input_schema")));
    if (prepared.schema.has_value()) {
      result.text_bytes += prepared.schema->dump().size();
      declaration[prepared.field] = std::move(*prepared.schema);
    }
    for (std::string& warning : prepared.warnings) result.warnings.push_back(std::move(warning));
  }
  out.list.push_back(std::move(declaration));
  return absl::OkStatus();
}

absl::StatusOr<Declarations> ConvertDeclarations(const json& body, const openai::ConversionOptions& options,
                                                 ConvertedTools& result) {
  Declarations out;
  GEMPOOL_ASSIGN_OR_RETURN(const json* tools, OptArray(body, "tools", ""));
  if (tools == nullptr) return out;
  for (size_t i = 0; i < tools->size(); ++i) {
    const json& tool = (*tools)[i];
    std::string path = Path("tools", i);
    if (!tool.is_object()) return FieldError(path, absl::StrCat("must be an object, got ", JsonTypeName(tool)));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(tool, "type", path));
    if (!type.has_value() || *type == "custom") {
      GEMPOOL_RETURN_IF_ERROR(ConvertClientTool(tool, path, options, out, result));
      continue;
    }
    if (absl::StartsWith(*type, "web_search_")) {
      out.google_search = true;
      continue;
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(tool, "name", path));
    return FieldError(Path(path, "type"),
                      absl::StrCat("'", Preview(*type), "' (tool '", Preview(name.value_or("")),
                                   "') is an Anthropic server tool, which gempool cannot run: Gemini has no "
                                   "equivalent. Remove it, or declare a client tool with an input_schema"));
  }
  return out;
}

absl::StatusOr<json> ConvertToolChoice(const json& body, const Declarations& declarations,
                                       std::vector<std::string>* warnings) {
  const json* choice = Find(body, "tool_choice");
  if (choice == nullptr) return json(nullptr);
  if (!choice->is_object()) {
    return FieldError("tool_choice", absl::StrCat("must be an object {\"type\": \"auto\" | \"any\" | \"tool\" | "
                                                  "\"none\"}, got ",
                                                  JsonTypeName(*choice)));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*choice, "type", "tool_choice"));
  if (!type.has_value()) return FieldError("tool_choice.type", "is required (auto, any, tool or none)");
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> no_parallel,
                           OptBool(*choice, "disable_parallel_tool_use", "tool_choice"));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(*choice, "name", "tool_choice"));
  const char* mode = nullptr;
  if (*type == "auto") {
    mode = "AUTO";
  } else if (*type == "any" || *type == "tool") {
    mode = "ANY";
  } else if (*type == "none") {
    mode = "NONE";
  } else {
    return FieldError("tool_choice.type",
                      absl::StrCat("'", Preview(*type), "' is not a tool choice: use auto, any, tool or none"));
  }
  if (*type == "tool" && (!name.has_value() || name->empty())) {
    return FieldError("tool_choice.name", "is required for type 'tool'");
  }
  // Anthropic ignores tool_choice without tools; so does gempool.
  if (declarations.list.empty()) return json(nullptr);
  if (no_parallel.value_or(false)) {
    warnings->push_back("tool_choice.disable_parallel_tool_use has no Gemini equivalent; the model may still call "
                        "several tools at once");
  }
  json config(json::value_t::object);
  config["mode"] = mode;
  if (*type == "tool") {
    if (declarations.names.count(*name) == 0) {
      return FieldError("tool_choice.name",
                        absl::StrCat("'", Preview(*name), "' is not among the tools declared in `tools`"));
    }
    config["allowedFunctionNames"] = json::array({*name});
  }
  return openai::OneMember("functionCallingConfig", std::move(config));
}

}  // namespace

bool IsValidToolName(const std::string& name) {
  if (name.empty() || name.size() > kMaxToolNameLength) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

absl::StatusOr<ConvertedTools> ConvertTools(const json& body, const openai::ResolvedModel& model,
                                            const openai::ConversionOptions& options) {
  ConvertedTools out;
  GEMPOOL_ASSIGN_OR_RETURN(Declarations declarations, ConvertDeclarations(body, options, out));
  GEMPOOL_ASSIGN_OR_RETURN(out.tool_config, ConvertToolChoice(body, declarations, &out.warnings));
  openai::AddFunctionAndSearchTools(std::move(declarations.list), declarations.google_search || model.search, model,
                                    out.tools, &out.warnings);
  return out;
}

}  // namespace gempool::anthropic::internal
