#include "gempool/openai/json_fields.h"

#include <algorithm>

#include <cmath>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"

namespace gempool::openai {

const char* JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "number";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return "value";
  }
}

const nlohmann::json* Find(const nlohmann::json& obj, absl::string_view key) {
  if (!obj.is_object()) return nullptr;
  // Looked up by a string_view: no key copied (and allocated) per lookup.
  const auto& members = obj.get_ref<const nlohmann::json::object_t&>();
  auto it = members.find(std::string_view(key.data(), key.size()));
  if (it == members.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

std::string Path(absl::string_view parent, absl::string_view key) {
  if (parent.empty()) return std::string(key);
  return absl::StrCat(parent, ".", key);
}

std::string Path(absl::string_view parent, size_t index) { return absl::StrCat(parent, "[", index, "]"); }

namespace {
absl::Status WrongType(absl::string_view path, absl::string_view expected, const nlohmann::json& got) {
  return FieldError(path, absl::StrCat("must be ", expected, ", got ", JsonTypeName(got)));
}
}  // namespace

absl::StatusOr<std::optional<std::string>> OptString(const nlohmann::json& obj, absl::string_view key,
                                                     absl::string_view path) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return WrongType(Path(path, key), "a string", *value);
  return std::optional<std::string>(value->get<std::string>());
}

absl::StatusOr<std::optional<double>> OptNumber(const nlohmann::json& obj, absl::string_view key,
                                                absl::string_view path) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr) return std::optional<double>();
  if (!value->is_number()) return WrongType(Path(path, key), "a number", *value);
  return std::optional<double>(value->get<double>());
}

absl::StatusOr<std::optional<int64_t>> OptInt(const nlohmann::json& obj, absl::string_view key,
                                              absl::string_view path, int64_t min, int64_t max) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr) return std::optional<int64_t>();
  int64_t result = 0;
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return FieldError(Path(path, key), absl::StrCat("must be at most ", max));
    }
    result = value->get<int64_t>();
  } else if (value->is_number_float()) {
    double d = value->get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e18) {
      return FieldError(Path(path, key), absl::StrCat("must be an integer, got ", value->dump()));
    }
    result = static_cast<int64_t>(d);
  } else {
    return WrongType(Path(path, key), "an integer", *value);
  }
  if (result < min || result > max) {
    return FieldError(Path(path, key), absl::StrCat("must be between ", min, " and ", max, ", got ", result));
  }
  return std::optional<int64_t>(result);
}

absl::StatusOr<std::optional<bool>> OptBool(const nlohmann::json& obj, absl::string_view key,
                                            absl::string_view path) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return WrongType(Path(path, key), "a boolean", *value);
  return std::optional<bool>(value->get<bool>());
}

absl::StatusOr<const nlohmann::json*> OptObject(const nlohmann::json& obj, absl::string_view key,
                                                absl::string_view path) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr) return value;
  if (!value->is_object()) return WrongType(Path(path, key), "an object", *value);
  return value;
}

absl::StatusOr<const nlohmann::json*> OptArray(const nlohmann::json& obj, absl::string_view key,
                                               absl::string_view path) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr) return value;
  if (!value->is_array()) return WrongType(Path(path, key), "an array", *value);
  return value;
}

std::string StringOr(const nlohmann::json& obj, absl::string_view key, absl::string_view fallback) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr || !value->is_string()) return std::string(fallback);
  return value->get<std::string>();
}

bool BoolOr(const nlohmann::json& obj, absl::string_view key, bool fallback) {
  const nlohmann::json* value = Find(obj, key);
  if (value == nullptr || !value->is_boolean()) return fallback;
  return value->get<bool>();
}

nlohmann::json OneMember(absl::string_view key, nlohmann::json value) {
  nlohmann::json object(nlohmann::json::value_t::object);
  object.get_ref<nlohmann::json::object_t&>().emplace(std::string(key), std::move(value));
  return object;
}

std::string Preview(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.size() > 60) {
    size_t end = 60;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = absl::StrCat(text.substr(0, end), "…");
  }
  return text;
}

absl::Status CheckRange(const std::optional<double>& value, absl::string_view field, double min, double max) {
  if (value.has_value() && (*value < min || *value > max)) {
    return FieldError(field, absl::StrCat("must be between ", min, " and ", max, ", got ", *value));
  }
  return absl::OkStatus();
}

}  // namespace gempool::openai
