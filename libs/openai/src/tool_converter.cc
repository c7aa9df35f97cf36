#include "tool_converter.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/gemini_tools.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/schema.h"

namespace gempool::openai::internal {
namespace {

using nlohmann::json;

// Cherry Studio declares Google Search as a function with this name.
constexpr char kGoogleSearchFunction[] = "googleSearch";

struct Declarations {
  json list = json::array();
  std::set<std::string> names;
  bool google_search = false;
};

absl::StatusOr<Declarations> ConvertDeclarations(const json& body, const ConversionOptions& options,
                                                 std::vector<std::string>* warnings) {
  Declarations out;
  if (Find(body, "functions") != nullptr) {
    return FieldError("functions", "(the deprecated function-calling API) is not supported: send tools instead");
  }
  if (Find(body, "function_call") != nullptr) {
    return FieldError("function_call", "(the deprecated function-calling API) is not supported: use tool_choice");
  }
  GEMPOOL_ASSIGN_OR_RETURN(const json* tools, OptArray(body, "tools", ""));
  if (tools == nullptr) return out;
  for (size_t i = 0; i < tools->size(); ++i) {
    const json& tool = (*tools)[i];
    std::string path = Path("tools", i);
    if (!tool.is_object()) return FieldError(path, absl::StrCat("must be an object, got ", JsonTypeName(tool)));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(tool, "type", path));
    if (!type.has_value()) return FieldError(Path(path, "type"), "is required (\"function\")");
    if (*type != "function") {
      return FieldError(Path(path, "type"), absl::StrCat("'", *type,
                                                         "' is not supported: Gemini takes only function tools "
                                                         "(JSON-Schema parameters), not custom/free-form tools"));
    }
    std::string function_path = Path(path, "function");
    GEMPOOL_ASSIGN_OR_RETURN(const json* function, OptObject(tool, "function", path));
    if (function == nullptr) return FieldError(function_path, "is required");
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(*function, "name", function_path));
    if (!name.has_value() || name->empty()) return FieldError(Path(function_path, "name"), "is required");
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> description,
                             OptString(*function, "description", function_path));
    if (*name == kGoogleSearchFunction) {
      out.google_search = true;
      continue;
    }
    if (!out.names.insert(*name).second) {
      warnings->push_back(absl::StrCat(function_path, ".name '", *name,
                                       "' is declared twice; the first declaration was kept"));
      continue;
    }
    json declaration = json{{"name", *name}};
    if (description.has_value() && !description->empty()) declaration["description"] = *description;
    if (const json* parameters = Find(*function, "parameters"); parameters != nullptr) {
      GEMPOOL_ASSIGN_OR_RETURN(PreparedSchema prepared, PrepareToolParameters(*parameters, options.schema_dialect,
                                                                               Path(function_path, "parameters")));
      if (prepared.schema.has_value()) declaration[prepared.field] = std::move(*prepared.schema);
      for (std::string& warning : prepared.warnings) warnings->push_back(std::move(warning));
    }
    out.list.push_back(std::move(declaration));
  }
  return out;
}

// The function name in {type:"function", function:{name}}.
absl::StatusOr<std::string> ChoiceFunctionName(const json& choice, const std::string& path) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* function, OptObject(choice, "function", path));
  if (function == nullptr) return FieldError(Path(path, "function"), "is required");
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(*function, "name", Path(path, "function")));
  if (!name.has_value() || name->empty()) return FieldError(Path(path, "function.name"), "is required");
  return *name;
}

absl::Status RequireDeclared(const Declarations& declarations, const std::string& name, const std::string& path) {
  if (declarations.names.count(name) == 0) {
    return FieldError(path, absl::StrCat("names '", name, "', which is not among the declared tools"));
  }
  return absl::OkStatus();
}

// toolConfig from tool_choice; may narrow `declarations` (allowed_tools auto).
absl::StatusOr<json> ConvertToolChoice(const json& body, Declarations& declarations) {
  const json* choice = Find(body, "tool_choice");
  if (choice == nullptr) return json(nullptr);
  const bool has_functions = !declarations.list.empty();
  if (choice->is_string()) {
    const std::string& mode = choice->get_ref<const std::string&>();
    if (mode == "auto" || mode == "none") {
      if (!has_functions) return json(nullptr);
      return json{{"functionCallingConfig", {{"mode", mode == "auto" ? "AUTO" : "NONE"}}}};
    }
    if (mode == "required") {
      if (!has_functions) return FieldError("tool_choice", "is 'required' but no function tools are declared");
      return json{{"functionCallingConfig", {{"mode", "ANY"}}}};
    }
    return FieldError("tool_choice", absl::StrCat("'", mode, "' is not a tool choice: use auto, none, required or "
                                                             "{\"type\":\"function\",\"function\":{\"name\":...}}"));
  }
  if (!choice->is_object()) {
    return FieldError("tool_choice", absl::StrCat("must be a string or an object, got ", JsonTypeName(*choice)));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*choice, "type", "tool_choice"));
  if (type.value_or("") == "function") {
    GEMPOOL_ASSIGN_OR_RETURN(std::string name, ChoiceFunctionName(*choice, "tool_choice"));
    GEMPOOL_RETURN_IF_ERROR(RequireDeclared(declarations, name, "tool_choice.function.name"));
    return json{{"functionCallingConfig", {{"mode", "ANY"}, {"allowedFunctionNames", json::array({name})}}}};
  }
  if (type.value_or("") == "allowed_tools") {
    GEMPOOL_ASSIGN_OR_RETURN(const json* allowed, OptObject(*choice, "allowed_tools", "tool_choice"));
    if (allowed == nullptr) return FieldError("tool_choice.allowed_tools", "is required");
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> mode,
                             OptString(*allowed, "mode", "tool_choice.allowed_tools"));
    GEMPOOL_ASSIGN_OR_RETURN(const json* list, OptArray(*allowed, "tools", "tool_choice.allowed_tools"));
    if (list == nullptr || list->empty()) {
      return FieldError("tool_choice.allowed_tools.tools", "must list at least one tool");
    }
    std::set<std::string> names;
    json ordered = json::array();
    for (size_t i = 0; i < list->size(); ++i) {
      std::string path = Path("tool_choice.allowed_tools.tools", i);
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> tool_type, OptString((*list)[i], "type", path));
      if (tool_type.value_or("function") != "function") {
        return FieldError(Path(path, "type"), absl::StrCat("'", *tool_type, "' is not supported: only function tools"));
      }
      GEMPOOL_ASSIGN_OR_RETURN(std::string name, ChoiceFunctionName((*list)[i], path));
      GEMPOOL_RETURN_IF_ERROR(RequireDeclared(declarations, name, Path(path, "function.name")));
      if (names.insert(name).second) ordered.push_back(name);
    }
    if (mode.value_or("auto") == "required") {
      return json{{"functionCallingConfig", {{"mode", "ANY"}, {"allowedFunctionNames", std::move(ordered)}}}};
    }
    if (mode.value_or("auto") != "auto") {
      return FieldError("tool_choice.allowed_tools.mode", absl::StrCat("'", *mode, "' is not auto or required"));
    }
    // Gemini restricts names only in ANY mode: for auto, declare only the
    // allowed functions.
    json narrowed = json::array();
    for (json& declaration : declarations.list) {
      if (names.count(declaration["name"].get<std::string>()) > 0) narrowed.push_back(std::move(declaration));
    }
    declarations.list = std::move(narrowed);
    declarations.names = std::move(names);
    return json{{"functionCallingConfig", {{"mode", "AUTO"}}}};
  }
  return FieldError("tool_choice.type", absl::StrCat("'", type.value_or(""),
                                                     "' is not supported: use function or allowed_tools"));
}

}  // namespace

absl::StatusOr<ConvertedTools> ConvertTools(const json& body, const ResolvedModel& model,
                                            const ConversionOptions& options) {
  ConvertedTools out;
  GEMPOOL_ASSIGN_OR_RETURN(Declarations declarations, ConvertDeclarations(body, options, &out.warnings));
  GEMPOOL_ASSIGN_OR_RETURN(out.tool_config, ConvertToolChoice(body, declarations));
  GEMPOOL_ASSIGN_OR_RETURN(const json* web_search, OptObject(body, "web_search_options", ""));
  // The tools a derived model id or a setting implies (-search,
  // codeExecution, urlContext) are ApplyModelOptions' part.
  AddFunctionAndSearchTools(std::move(declarations.list), declarations.google_search || web_search != nullptr, model,
                            out.tools, &out.warnings);
  return out;
}

}  // namespace gempool::openai::internal
