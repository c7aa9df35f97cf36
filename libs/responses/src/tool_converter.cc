#include "tool_converter.h"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/gemini_tools.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/schema.h"
#include "function_names.h"

namespace gempool::responses::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OptArray;
using openai::OptBool;
using openai::OptString;
using openai::Path;
using openai::Preview;

bool IsWebSearch(absl::string_view type) {
  return absl::StartsWith(type, "web_search");
}

struct Declarations {
  json list = json::array();
  std::set<std::string> names;
  bool google_search = false;
};

// `space` is the namespace the tool sits in ("" for none): Gemini has no
// namespaces, so the function is declared as "<space>.<name>" (dots are
// allowed in Gemini function names) and split again in the answer.
absl::Status ConvertFunctionTool(const json& tool, const std::string& path, const std::string& space,
                                 const openai::ConversionOptions& options, Declarations& out, ConvertedTools& result) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> bare_name, OptString(tool, "name", path));
  if (!bare_name.has_value() || bare_name->empty()) return FieldError(Path(path, "name"), "is required");
  const std::string name = QualifiedFunctionName(space, *bare_name);
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> description, OptString(tool, "description", path));
  if (!out.names.insert(name).second) {
    result.warnings.push_back(absl::StrCat(Path(path, "name"), " '", name,
                                           "' is declared twice; the first declaration was kept"));
    return absl::OkStatus();
  }
  json declaration(json::value_t::object);
  declaration["name"] = name;
  if (description.has_value() && !description->empty()) declaration["description"] = *description;
  // `strict` has no Gemini meaning: Gemini's function calling follows the
  // schema without it.
  if (const json* parameters = Find(tool, "parameters"); parameters != nullptr) {
    GEMPOOL_ASSIGN_OR_RETURN(openai::PreparedSchema prepared,
                             openai::PrepareToolParameters(*parameters, options.schema_dialect,
                                                           Path(path, "parameters")));
    if (prepared.schema.has_value()) declaration[prepared.field] = std::move(*prepared.schema);
    for (std::string& warning : prepared.warnings) result.warnings.push_back(std::move(warning));
  }
  out.list.push_back(std::move(declaration));
  return absl::OkStatus();
}

// A namespace tool: its function tools, each declared under the namespace.
absl::Status ConvertNamespace(const json& tool, const std::string& path, const openai::ConversionOptions& options,
                              Declarations& out, ConvertedTools& result) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> space, OptString(tool, "name", path));
  if (!space.has_value() || space->empty()) return FieldError(Path(path, "name"), "is required");
  if (space->find('.') != std::string::npos) {
    return FieldError(Path(path, "name"), "must not contain '.' (gempool joins a namespace and a name with it)");
  }
  GEMPOOL_ASSIGN_OR_RETURN(const json* tools, OptArray(tool, "tools", path));
  if (tools == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < tools->size(); ++i) {
    const json& inner = (*tools)[i];
    const std::string inner_path = Path(Path(path, "tools"), i);
    if (!inner.is_object()) return FieldError(inner_path, absl::StrCat("must be an object, got ", JsonTypeName(inner)));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(inner, "type", inner_path));
    if (type.value_or("function") != "function") {
      return FieldError(Path(inner_path, "type"),
                        absl::StrCat("'", Preview(*type), "' is not supported inside a namespace: use function tools"));
    }
    GEMPOOL_RETURN_IF_ERROR(ConvertFunctionTool(inner, inner_path, *space, options, out, result));
  }
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
    if (!type.has_value()) return FieldError(Path(path, "type"), "is required (function or web_search)");
    if (*type == "function") {
      GEMPOOL_RETURN_IF_ERROR(ConvertFunctionTool(tool, path, "", options, out, result));
    } else if (*type == "namespace") {
      GEMPOOL_RETURN_IF_ERROR(ConvertNamespace(tool, path, options, out, result));
    } else if (IsWebSearch(*type)) {
      out.google_search = true;
    } else {
      return FieldError(Path(path, "type"),
                        absl::StrCat("'", Preview(*type),
                                     "' is an OpenAI tool gempool cannot run on Gemini: use function tools (and "
                                     "web_search for Google Search grounding)"));
    }
  }
  return out;
}

json CallingConfig(const char* mode) {
  json config(json::value_t::object);
  config["mode"] = mode;
  return config;
}

// Names of an allowed_tools choice's function tools.
absl::StatusOr<json> AllowedNames(const json& choice, const Declarations& declarations) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* tools, OptArray(choice, "tools", "tool_choice"));
  json names = json::array();
  if (tools == nullptr) return names;
  for (size_t i = 0; i < tools->size(); ++i) {
    std::string path = Path("tool_choice.tools", i);
    if (!(*tools)[i].is_object()) return FieldError(path, "must be an object {type, name}");
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString((*tools)[i], "name", path));
    if (!name.has_value()) continue;  // a hosted tool: nothing to narrow
    if (declarations.names.count(*name) == 0) {
      return FieldError(Path(path, "name"), absl::StrCat("'", Preview(*name), "' is not among the tools"));
    }
    names.push_back(*name);
  }
  return names;
}

absl::StatusOr<json> ConvertToolChoice(const json& body, const Declarations& declarations,
                                       std::vector<std::string>* warnings) {
  const json* choice = Find(body, "tool_choice");
  if (choice == nullptr || declarations.list.empty()) return json(nullptr);
  if (choice->is_string()) {
    const std::string& value = choice->get_ref<const std::string&>();
    if (value == "auto") return openai::OneMember("functionCallingConfig", CallingConfig("AUTO"));
    if (value == "none") return openai::OneMember("functionCallingConfig", CallingConfig("NONE"));
    if (value == "required") return openai::OneMember("functionCallingConfig", CallingConfig("ANY"));
    return FieldError("tool_choice", absl::StrCat("'", Preview(value), "' is not a tool choice: use auto, none, "
                                                                       "required or {\"type\":\"function\",\"name\"}"));
  }
  if (!choice->is_object()) {
    return FieldError("tool_choice", absl::StrCat("must be a string or an object, got ", JsonTypeName(*choice)));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*choice, "type", "tool_choice"));
  if (!type.has_value()) return FieldError("tool_choice.type", "is required");
  if (*type == "function") {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(*choice, "name", "tool_choice"));
    if (!name.has_value() || name->empty()) return FieldError("tool_choice.name", "is required for type function");
    if (declarations.names.count(*name) == 0) {
      return FieldError("tool_choice.name", absl::StrCat("'", Preview(*name), "' is not among the function tools"));
    }
    json config = CallingConfig("ANY");
    config["allowedFunctionNames"] = json::array({*name});
    return openai::OneMember("functionCallingConfig", std::move(config));
  }
  if (*type == "allowed_tools") {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> mode, OptString(*choice, "mode", "tool_choice"));
    if (mode.has_value() && *mode != "auto" && *mode != "required") {
      return FieldError("tool_choice.mode", absl::StrCat("'", Preview(*mode), "' is not a mode: use auto or required"));
    }
    GEMPOOL_ASSIGN_OR_RETURN(json names, AllowedNames(*choice, declarations));
    json config = CallingConfig(mode.value_or("auto") == "required" ? "ANY" : "AUTO");
    if (!names.empty()) config["allowedFunctionNames"] = std::move(names);
    return openai::OneMember("functionCallingConfig", std::move(config));
  }
  if (IsWebSearch(*type)) {
    warnings->push_back("tool_choice web_search cannot force a search on Gemini; the model decides (auto)");
    return json(nullptr);
  }
  return FieldError("tool_choice.type",
                    absl::StrCat("'", Preview(*type), "' is not supported: use function or allowed_tools"));
}

}  // namespace

absl::StatusOr<ConvertedTools> ConvertTools(const json& body, const openai::ResolvedModel& model,
                                            const openai::ConversionOptions& options) {
  ConvertedTools out;
  GEMPOOL_ASSIGN_OR_RETURN(Declarations declarations, ConvertDeclarations(body, options, out));
  GEMPOOL_ASSIGN_OR_RETURN(out.tool_config, ConvertToolChoice(body, declarations, &out.warnings));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> parallel, OptBool(body, "parallel_tool_calls", ""));
  if (parallel.has_value() && !*parallel && !declarations.list.empty()) {
    out.warnings.push_back("parallel_tool_calls:false has no Gemini equivalent; the model may still call several "
                           "functions at once");
  }
  openai::AddFunctionAndSearchTools(std::move(declarations.list), declarations.google_search || model.search, model,
                                    out.tools, &out.warnings);
  return out;
}

}  // namespace gempool::responses::internal
