#pragma once
// What libs/openai's fuzz bodies assert, shared by them: a broken invariant
// prints what broke (and the value, for the libFuzzer log) and aborts, so
// the fuzzer keeps the input and the replay test fails. Header-only; used by
// the fuzz bodies under fuzz/ only.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::fuzz {

// Aborts with `what` (and `detail`) unless `ok`.
inline void Require(bool ok, absl::string_view what, absl::string_view detail = "") {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(std::min<size_t>(detail.size(), 4000)), detail.data());
  std::abort();
}

// Aborts with `what` (and `value` as JSON text) unless `ok`; the text is
// made only on failure (and with invalid UTF-8 replaced, so it cannot throw).
inline void RequireAbout(bool ok, absl::string_view what, const nlohmann::json& value) {
  if (ok) return;
  Require(false, what, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// `value` is valid JSON as the gateway writes it: its text reads back as the
// same value. Catches strings that are not UTF-8 (the writer would replace
// bytes), NaN and infinities (written as null), and anything else a client
// would see differently from what the converter built.
inline void RequireWritesBackEqual(const nlohmann::json& value, absl::string_view what) {
  const std::string text = WriteJson(value);
  absl::StatusOr<nlohmann::json> back = ParseJson(text);
  if (!back.ok()) Require(false, what, absl::StrCat("does not read back: ", back.status().ToString(), "\n", text));
  if (*back != value) Require(false, what, absl::StrCat("reads back different: ", text));
}

// {role: user|model, parts: [non-empty objects, at least one]}.
inline void RequireContent(const nlohmann::json& content, absl::string_view what) {
  RequireAbout(content.is_object(), absl::StrCat(what, " is not an object"), content);
  const auto parts = content.find("parts");
  RequireAbout(parts != content.end() && parts->is_array() && !parts->empty(), absl::StrCat(what, " has no parts"),
               content);
  for (const nlohmann::json& part : *parts) {
    RequireAbout(part.is_object() && !part.empty(), absl::StrCat(what, " has a part that is not a non-empty object"),
                 content);
  }
}

// A GenerateContentRequest Gemini takes: `contents` a non-empty array of
// {role: user|model, parts: [...]}, systemInstruction likewise, the other
// known members of the right type, and valid JSON.
inline void RequireGeminiRequest(const nlohmann::json& body) {
  RequireAbout(body.is_object(), "the Gemini body is not an object", body);
  const auto contents = body.find("contents");
  RequireAbout(contents != body.end() && contents->is_array() && !contents->empty(), "the Gemini body has no contents",
               body);
  for (const nlohmann::json& content : *contents) {
    RequireContent(content, "a content");
    const auto role = content.find("role");
    RequireAbout(role != content.end() && (*role == "user" || *role == "model"),
                 "a content's role is not user or model", content);
  }
  if (const auto system = body.find("systemInstruction"); system != body.end()) {
    RequireContent(*system, "systemInstruction");
  }
  for (const char* key : {"generationConfig", "toolConfig"}) {
    if (const auto found = body.find(key); found != body.end()) {
      RequireAbout(found->is_object(), absl::StrCat(key, " is not an object"), body);
    }
  }
  for (const char* key : {"tools", "safetySettings"}) {
    if (const auto found = body.find(key); found != body.end()) {
      RequireAbout(found->is_array(), absl::StrCat(key, " is not an array"), body);
    }
  }
  RequireWritesBackEqual(body, "the Gemini body");
}

// The member `key` of `value`, or null when `value` is not an object or has
// no such member (nlohmann's const operator[] must not be asked for a
// missing key).
inline const nlohmann::json& Member(const nlohmann::json& value, const char* key) {
  static const nlohmann::json kNull;
  if (!value.is_object()) return kNull;
  const auto found = value.find(key);
  return found == value.end() ? kNull : *found;
}

}  // namespace gempool::openai::fuzz
