#include "gempool/openai/schema.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

// Keywords of Gemini's Schema message that keep their meaning as written.
constexpr absl::string_view kKeptAsIs[] = {
    "title",     "description", "nullable",  "default",       "example",       "minimum",
    "maximum",   "minItems",    "maxItems",  "minLength",     "maxLength",     "pattern",
    "minProperties", "maxProperties", "propertyOrdering",
};

// Formats Gemini accepts, per type.
bool FormatAllowed(absl::string_view type, absl::string_view format) {
  if (type == "STRING") return format == "enum" || format == "date-time";
  if (type == "NUMBER") return format == "float" || format == "double";
  if (type == "INTEGER") return format == "int32" || format == "int64";
  return false;
}

bool IsKeptAsIs(absl::string_view key) {
  for (absl::string_view kept : kKeptAsIs) {
    if (key == kept) return true;
  }
  return false;
}

bool IsEmptyObjectSchema(const json& schema) {
  for (const auto& [key, value] : schema.items()) {
    if (key == "type" || key == "$schema" || key == "title" || key == "description" ||
        key == "additionalProperties" || key == "$id") {
      continue;
    }
    if ((key == "properties" && value.is_object() && value.empty()) ||
        (key == "required" && value.is_array() && value.empty())) {
      continue;
    }
    return false;
  }
  return true;
}

// Translation state for one root schema.
class OpenApiTranslator {
 public:
  OpenApiTranslator(const json& root, std::set<std::string>* dropped) : root_(root), dropped_(dropped) {}

  json Translate(const json& node, int depth) {
    if (node.is_boolean()) return json::object();  // true: anything; false cannot be expressed.
    if (!node.is_object()) {
      dropped_->insert("non-object subschema");
      return json::object();
    }
    if (depth > kMaxDepth) {
      dropped_->insert("schema nested too deeply (recursive $ref)");
      return json{{"type", "OBJECT"}};
    }
    // A $ref to an ancestor used twice per level doubles the tree at every
    // level down to kMaxDepth: the expansion stops at a size beyond what
    // Gemini takes as a schema (measured on the fuzz seed that found it: its
    // replay with mutations took 40 s with 4096 nodes, 9 s with 1024).
    if (++translated_ > kMaxNodes) {
      dropped_->insert("schema too large once its $refs are expanded (recursive $ref)");
      return json{{"type", "OBJECT"}};
    }

    json merged = Flatten(node, depth);
    if (!merged.is_object()) {
      dropped_->insert("non-object subschema");
      return json::object();
    }
    json out = json::object();
    bool nullable = BoolOr(merged, "nullable", false);

    // anyOf / oneOf: null branches become `nullable`; one branch left is inlined.
    std::vector<json> branches;
    for (const char* key : {"anyOf", "oneOf"}) {
      auto it = merged.find(key);
      if (it == merged.end()) continue;
      if (!it->is_array()) {
        dropped_->insert(key);
        continue;
      }
      for (const json& branch : *it) {
        json resolved = Resolve(branch, depth);
        if (resolved.is_object() && resolved.size() == 1 && StringOr(resolved, "type", "") == "null") {
          nullable = true;
          continue;
        }
        branches.push_back(std::move(resolved));
      }
      merged.erase(key);
    }
    if (branches.size() == 1) {
      json single = Translate(branches[0], depth + 1);
      for (auto& [key, value] : single.items()) {
        if (!merged.contains(key) || key == "type") out[key] = value;
      }
      if (BoolOr(single, "nullable", false)) nullable = true;
    } else if (!branches.empty()) {
      json any = json::array();
      for (const json& branch : branches) any.push_back(Translate(branch, depth + 1));
      out["anyOf"] = std::move(any);
    }

    // type, possibly a union.
    std::vector<std::string> types;
    if (auto it = merged.find("type"); it != merged.end()) {
      if (it->is_string()) {
        types.push_back(it->get<std::string>());
      } else if (it->is_array()) {
        for (const json& t : *it) {
          if (t.is_string()) types.push_back(t.get<std::string>());
        }
      }
    }
    std::vector<std::string> non_null;
    for (const std::string& t : types) {
      if (t == "null") {
        nullable = true;
      } else {
        non_null.push_back(absl::AsciiStrToUpper(t));
      }
    }
    if (non_null.size() == 1) {
      out["type"] = non_null[0];
    } else if (non_null.size() > 1 && !out.contains("anyOf")) {
      json any = json::array();
      for (const std::string& t : non_null) any.push_back(json{{"type", t}});
      out["anyOf"] = std::move(any);
    }

    // const → one-value enum; enum of strings kept; other enums move to the
    // description (Gemini enums are strings only).
    json values = json::array();
    bool has_enum = false;
    if (auto it = merged.find("const"); it != merged.end()) {
      values.push_back(*it);
      has_enum = true;
    } else if (auto it = merged.find("enum"); it != merged.end() && it->is_array()) {
      values = *it;
      has_enum = true;
    }
    if (has_enum) {
      json strings = json::array();
      bool all_strings = true;
      for (const json& v : values) {
        if (v.is_null()) {
          nullable = true;
        } else if (v.is_string()) {
          strings.push_back(v);
        } else {
          all_strings = false;
        }
      }
      if (all_strings && !strings.empty()) {
        out["enum"] = std::move(strings);
        if (!out.contains("type")) out["type"] = "STRING";
      } else {
        std::vector<std::string> shown;
        for (const json& v : values) shown.push_back(v.dump());
        std::string note = absl::StrCat("Allowed values: ", absl::StrJoin(shown, ", "), ".");
        std::string description = StringOr(merged, "description", "");
        merged["description"] = description.empty() ? note : absl::StrCat(description, " ", note);
        dropped_->insert("non-string enum (moved to description)");
      }
    }

    // Nested schemas.
    if (auto it = merged.find("properties"); it != merged.end() && it->is_object()) {
      json properties = json::object();
      for (const auto& [name, sub] : it->items()) properties[name] = Translate(sub, depth + 1);
      if (!properties.empty()) out["properties"] = std::move(properties);
      if (!out.contains("type") && !out.contains("anyOf")) out["type"] = "OBJECT";
    }
    if (auto it = merged.find("required"); it != merged.end() && it->is_array()) {
      json required = json::array();
      for (const json& name : *it) {
        if (name.is_string() && out.contains("properties") && out["properties"].contains(name.get<std::string>())) {
          required.push_back(name);
        }
      }
      if (!required.empty()) out["required"] = std::move(required);
    }
    if (auto it = merged.find("items"); it != merged.end()) {
      if (it->is_array()) {
        dropped_->insert("items (tuple form)");
        if (!it->empty()) out["items"] = Translate((*it)[0], depth + 1);
      } else {
        out["items"] = Translate(*it, depth + 1);
      }
      if (!out.contains("type") && !out.contains("anyOf")) out["type"] = "ARRAY";
    }

    // Bounds and plain keywords.
    for (const auto& [key, value] : merged.items()) {
      if (key == "type" || key == "anyOf" || key == "oneOf" || key == "const" || key == "enum" ||
          key == "properties" || key == "required" || key == "items" || key == "$ref" || key == "allOf" ||
          key == "$defs" || key == "definitions" || key == "nullable") {
        continue;
      }
      if (IsKeptAsIs(key)) {
        out[key] = value;
      } else if (key == "exclusiveMinimum" && value.is_number()) {
        if (!merged.contains("minimum")) out["minimum"] = value;
      } else if (key == "exclusiveMaximum" && value.is_number()) {
        if (!merged.contains("maximum")) out["maximum"] = value;
      } else if (key == "examples" && value.is_array() && !value.empty()) {
        if (!merged.contains("example")) out["example"] = value[0];
      } else if (key == "format" && value.is_string()) {
        std::string type = StringOr(out, "type", "");
        if (FormatAllowed(type, value.get<std::string>())) {
          out["format"] = value;
        } else {
          dropped_->insert(absl::StrCat("format '", value.get<std::string>(), "'"));
        }
      } else {
        dropped_->insert(key);
      }
    }
    if (nullable) out["nullable"] = true;
    return out;
  }

 private:
  static constexpr int kMaxDepth = 32;
  static constexpr int kMaxNodes = 1024;

  // Follows a local $ref ("#/$defs/X", "#/definitions/X", any JSON pointer
  // into the root); returns the node itself otherwise.
  json Resolve(const json& node, int depth) {
    const json* current = &node;
    for (int hops = 0; hops < 8 && current->is_object() && current->contains("$ref"); ++hops) {
      const json& ref = (*current)["$ref"];
      if (!ref.is_string() || !absl::StartsWith(ref.get<std::string>(), "#")) {
        dropped_->insert("$ref (not local)");
        json copy = *current;
        copy.erase("$ref");
        return copy;
      }
      std::string pointer(absl::StripPrefix(ref.get<std::string>(), "#"));
      const json* target = nullptr;
      try {
        target = &root_.at(json::json_pointer(pointer));
      } catch (const json::exception&) {
        target = nullptr;
      }
      if (target == nullptr) {
        dropped_->insert(absl::StrCat("$ref '", ref.get<std::string>(), "' (unresolvable)"));
        json copy = *current;
        copy.erase("$ref");
        return copy;
      }
      if (current->size() > 1) {
        // Sibling keywords (description...) win over the referenced ones.
        json merged = *target;
        for (const auto& [key, value] : current->items()) {
          if (key != "$ref") merged[key] = value;
        }
        if (merged.contains("$ref") && merged["$ref"] == ref) merged.erase("$ref");
        return merged;
      }
      current = target;
    }
    (void)depth;
    return *current;
  }

  // Resolves $ref and merges allOf into one node.
  json Flatten(const json& node, int depth) {
    json resolved = Resolve(node, depth);
    auto all_of = resolved.find("allOf");
    if (all_of == resolved.end()) return resolved;
    json merged = resolved;
    merged.erase("allOf");
    if (!all_of->is_array()) return merged;
    for (const json& part : *all_of) {
      json flat = Flatten(part, depth + 1);
      if (!flat.is_object()) continue;
      for (const auto& [key, value] : flat.items()) {
        if (key == "properties" && value.is_object()) {
          json& target = merged["properties"];
          if (!target.is_object()) target = json::object();
          for (const auto& [name, sub] : value.items()) {
            if (!target.contains(name)) target[name] = sub;
          }
        } else if (key == "required" && value.is_array()) {
          json& target = merged["required"];
          if (!target.is_array()) target = json::array();
          for (const json& name : value) target.push_back(name);
        } else if (!merged.contains(key)) {
          merged[key] = value;
        }
      }
    }
    return merged;
  }

  const json& root_;
  std::set<std::string>* dropped_;
  int translated_ = 0;  // subschemas translated so far
};

std::string DroppedWarning(absl::string_view path, const std::vector<std::string>& dropped) {
  return absl::StrCat(path, ": Gemini's schema subset has no ", absl::StrJoin(dropped, ", "),
                      "; removed (set the JSON Schema dialect to keep them)");
}

}  // namespace

absl::StatusOr<json> ToOpenApiSchema(const json& schema, absl::string_view path, std::vector<std::string>* dropped) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return FieldError(path, absl::StrCat("must be a JSON Schema object, got ", JsonTypeName(schema)));
  }
  std::set<std::string> removed;
  OpenApiTranslator translator(schema, &removed);
  json out = translator.Translate(schema, 0);
  removed.erase("$schema");
  removed.erase("$id");
  removed.erase("$comment");
  if (dropped != nullptr) dropped->assign(removed.begin(), removed.end());
  return out;
}

absl::StatusOr<PreparedSchema> PrepareToolParameters(const json& parameters, SchemaDialect dialect,
                                                     absl::string_view path) {
  PreparedSchema out;
  out.field = dialect == SchemaDialect::kJsonSchema ? "parametersJsonSchema" : "parameters";
  if (parameters.is_boolean() && parameters.get<bool>()) return out;
  if (!parameters.is_object()) {
    return FieldError(path, absl::StrCat("must be a JSON Schema object, got ", JsonTypeName(parameters)));
  }
  json schema = parameters;
  if (auto it = schema.find("type"); it != schema.end()) {
    if (!(it->is_string() && it->get<std::string>() == "object")) {
      return FieldError(path, absl::StrCat("must describe an object (\"type\": \"object\"), got \"type\": ",
                                           it->dump()));
    }
  } else {
    schema["type"] = "object";
  }
  if (IsEmptyObjectSchema(schema)) return out;

  if (dialect == SchemaDialect::kJsonSchema) {
    schema.erase("$schema");
    out.schema = std::move(schema);
    return out;
  }
  std::vector<std::string> dropped;
  auto translated = ToOpenApiSchema(schema, path, &dropped);
  if (!translated.ok()) return translated.status();
  out.schema = std::move(*translated);
  if (!dropped.empty()) out.warnings.push_back(DroppedWarning(path, dropped));
  return out;
}

absl::StatusOr<PreparedSchema> PrepareResponseSchema(const json& schema, SchemaDialect dialect,
                                                     absl::string_view path) {
  PreparedSchema out;
  out.field = dialect == SchemaDialect::kJsonSchema ? "responseJsonSchema" : "responseSchema";
  if (!schema.is_object()) {
    return FieldError(path, absl::StrCat("must be a JSON Schema object, got ", JsonTypeName(schema)));
  }
  if (dialect == SchemaDialect::kJsonSchema) {
    json copy = schema;
    copy.erase("$schema");
    out.schema = std::move(copy);
    return out;
  }
  std::vector<std::string> dropped;
  auto translated = ToOpenApiSchema(schema, path, &dropped);
  if (!translated.ok()) return translated.status();
  out.schema = std::move(*translated);
  if (!dropped.empty()) out.warnings.push_back(DroppedWarning(path, dropped));
  return out;
}

}  // namespace gempool::openai
