#pragma once
// Typed, null-tolerant reads of client JSON with errors that name the field
// ("temperature must be a number, got string"). JSON null counts as absent,
// as OpenAI clients send explicit nulls for unset options. Errors are
// FieldErrors (errors.h), so the field travels with the status. Shared by the
// OpenAI and Anthropic converters; pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// "object", "array", "string", "number", "boolean", "null".
const char* JsonTypeName(const nlohmann::json& value);

// `obj[key]` when `obj` is an object holding a non-null `key`, else nullptr.
const nlohmann::json* Find(const nlohmann::json& obj, absl::string_view key);

// "parent.key" (or "key" when parent is empty).
std::string Path(absl::string_view parent, absl::string_view key);
// "parent[index]".
std::string Path(absl::string_view parent, size_t index);

absl::StatusOr<std::optional<std::string>> OptString(const nlohmann::json& obj, absl::string_view key,
                                                     absl::string_view path);
absl::StatusOr<std::optional<double>> OptNumber(const nlohmann::json& obj, absl::string_view key,
                                                absl::string_view path);
// InvalidArgument naming `field` when `value` is set and outside [min, max].
absl::Status CheckRange(const std::optional<double>& value, absl::string_view field, double min, double max);
// Accepts integers and integral floats (2.0) within [min, max].
absl::StatusOr<std::optional<int64_t>> OptInt(const nlohmann::json& obj, absl::string_view key,
                                              absl::string_view path, int64_t min, int64_t max);
absl::StatusOr<std::optional<bool>> OptBool(const nlohmann::json& obj, absl::string_view key,
                                            absl::string_view path);
// The object at `key`, or nullptr when absent; an error when not an object.
absl::StatusOr<const nlohmann::json*> OptObject(const nlohmann::json& obj, absl::string_view key,
                                                absl::string_view path);
absl::StatusOr<const nlohmann::json*> OptArray(const nlohmann::json& obj, absl::string_view key,
                                               absl::string_view path);

// obj[key] when it is a string (or a bool), else `fallback`; never throws,
// unlike json::value() on a mistyped member.
std::string StringOr(const nlohmann::json& obj, absl::string_view key, absl::string_view fallback);
bool BoolOr(const nlohmann::json& obj, absl::string_view key, bool fallback);

// {key: value}, built directly: an initializer list ({{key, value}}) builds
// and copies a [key, value] array on the way, which shows in profiles of the
// chat path.
nlohmann::json OneMember(absl::string_view key, nlohmann::json value);

// A short printable form of a value for error messages (cut at 60 bytes).
std::string Preview(const nlohmann::json& value);

}  // namespace gempool::openai
