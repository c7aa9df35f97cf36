#include "fake_upstream/behavior.h"

#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gempool::fake {
namespace {

using Kind = Behavior::Kind;

struct KindName {
  const char* name;
  Kind kind;
};

constexpr KindName kKindNames[] = {
    {"success", Kind::kSuccess},
    {"ok", Kind::kSuccess},
    {"error", Kind::kError},
    {"slow", Kind::kSlow},
    {"stream", Kind::kStream},
    {"slow_stream", Kind::kStream},
    {"broken_stream", Kind::kBrokenStream},
    {"stream_error", Kind::kStreamError},
    {"hang", Kind::kHang},
};

const std::set<std::string>& KnownFields() {
  static const auto* const kFields = new std::set<std::string>{
      "kind",    "status", "reason",     "retryDelay",  "quotaId", "leaked",      "message", "retryAfter",
      "delayMs", "chunks", "intervalMs", "afterChunks", "body",    "contentType", "text",    "headers",
      "usage",   "reset"};
  return *kFields;
}

absl::Status FieldError(const std::string& field, const nlohmann::json& value, const std::string& expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("script field \"", field, "\" is ", value.dump(), ": expected ", expected));
}

absl::Status ReadString(const nlohmann::json& json, const char* field, std::string& out) {
  if (!json.contains(field)) return absl::OkStatus();
  const auto& v = json.at(field);
  if (!v.is_string()) return FieldError(field, v, "a string");
  out = v.get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadInt(const nlohmann::json& json, const char* field, int min, int max, int& out) {
  if (!json.contains(field)) return absl::OkStatus();
  const auto& v = json.at(field);
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    return FieldError(field, v, absl::StrCat("an integer from ", min, " to ", max));
  }
  out = v.get<int>();
  return absl::OkStatus();
}

}  // namespace

const char* BehaviorKindName(Behavior::Kind kind) {
  for (const auto& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

absl::StatusOr<Behavior> ParseBehavior(const nlohmann::json& json) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("script response ", json.dump(), " is not a JSON object"));
  }
  for (const auto& [name, value] : json.items()) {
    if (KnownFields().count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown script field \"", name, "\"; known fields: ", absl::StrJoin(KnownFields(), ", ")));
    }
  }
  Behavior b;
  std::string kind_name;
  if (auto s = ReadString(json, "kind", kind_name); !s.ok()) return s;
  if (auto s = ReadInt(json, "status", 100, 599, b.status); !s.ok()) return s;
  if (auto s = ReadString(json, "reason", b.reason); !s.ok()) return s;
  if (auto s = ReadString(json, "retryDelay", b.retry_delay); !s.ok()) return s;
  if (auto s = ReadString(json, "quotaId", b.quota_id); !s.ok()) return s;
  if (auto s = ReadString(json, "message", b.message); !s.ok()) return s;
  if (auto s = ReadString(json, "retryAfter", b.retry_after); !s.ok()) return s;
  if (auto s = ReadInt(json, "delayMs", 0, 3'600'000, b.delay_ms); !s.ok()) return s;
  if (auto s = ReadInt(json, "chunks", 1, 100'000, b.chunks); !s.ok()) return s;
  if (auto s = ReadInt(json, "intervalMs", 0, 600'000, b.interval_ms); !s.ok()) return s;
  if (auto s = ReadInt(json, "afterChunks", 0, 100'000, b.after_chunks); !s.ok()) return s;
  if (auto s = ReadString(json, "contentType", b.content_type); !s.ok()) return s;
  if (auto s = ReadString(json, "text", b.text); !s.ok()) return s;
  if (json.contains("leaked")) {
    if (!json.at("leaked").is_boolean()) return FieldError("leaked", json.at("leaked"), "true or false");
    b.leaked = json.at("leaked").get<bool>();
  }
  if (json.contains("reset")) {
    if (!json.at("reset").is_boolean()) return FieldError("reset", json.at("reset"), "true or false");
    b.reset = json.at("reset").get<bool>();
  }
  if (json.contains("body")) {
    if (auto s = ReadString(json, "body", b.body); !s.ok()) return s;
    b.has_body = true;
  }
  if (json.contains("headers")) {
    const auto& h = json.at("headers");
    if (!h.is_object()) return FieldError("headers", h, "an object of header name to string value");
    for (const auto& [name, value] : h.items()) {
      if (!value.is_string()) return FieldError("headers." + name, value, "a string");
      b.headers[name] = value.get<std::string>();
    }
  }
  if (json.contains("usage")) {
    const auto& u = json.at("usage");
    if (!u.is_object()) return FieldError("usage", u, "an object of Gemini's token count names to integers");
    FakeUsage usage;
    const std::pair<const char*, int64_t*> counts[] = {{"promptTokenCount", &usage.prompt},
                                                       {"candidatesTokenCount", &usage.candidates},
                                                       {"thoughtsTokenCount", &usage.thoughts},
                                                       {"cachedContentTokenCount", &usage.cached},
                                                       {"toolUsePromptTokenCount", &usage.tool_use_prompt}};
    for (const auto& [name, value] : u.items()) {
      int64_t* slot = nullptr;
      for (const auto& [known, out] : counts) {
        if (name == known) slot = out;
      }
      if (slot == nullptr) {
        return FieldError("usage." + name, value,
                          "one of promptTokenCount, candidatesTokenCount, thoughtsTokenCount, "
                          "cachedContentTokenCount, toolUsePromptTokenCount");
      }
      if (!value.is_number_integer() || value.get<int64_t>() < 0) {
        return FieldError("usage." + name, value, "a non-negative integer");
      }
      *slot = value.get<int64_t>();
    }
    b.usage = usage;
  }
  if (!b.retry_delay.empty()) {
    static const std::regex kDuration(R"(\d+(\.\d+)?s)");
    if (!std::regex_match(b.retry_delay, kDuration)) {
      return FieldError("retryDelay", json.at("retryDelay"), "a protobuf Duration such as \"30s\" or \"3.5s\"");
    }
  }

  if (!kind_name.empty()) {
    bool found = false;
    for (const auto& k : kKindNames) {
      if (kind_name == k.name) {
        b.kind = k.kind;
        found = true;
      }
    }
    if (!found) {
      return FieldError("kind", json.at("kind"),
                        "one of success, error, slow, stream, slow_stream, broken_stream, "
                        "stream_error, hang");
    }
  } else if (b.leaked || (json.contains("status") && b.status != 200)) {
    b.kind = Kind::kError;
  }
  if (b.leaked && !json.contains("status")) b.status = 403;
  if (b.kind == Kind::kStreamError && !json.contains("status")) b.status = 503;
  if ((b.kind == Kind::kError || b.kind == Kind::kStreamError) && b.status < 400 && !b.has_body) {
    return absl::InvalidArgumentError(absl::StrCat("script response ", json.dump(), " of kind ",
                                                   BehaviorKindName(b.kind), " needs an error \"status\" (400-599)"));
  }
  if (b.reset && b.kind != Kind::kBrokenStream) {
    return absl::InvalidArgumentError(
        absl::StrCat("script response ", json.dump(), ": \"reset\" applies to kind broken_stream only"));
  }
  if (b.kind == Kind::kBrokenStream && b.chunks != 0 && b.chunks <= b.after_chunks) {
    return absl::InvalidArgumentError(
        absl::StrCat("script response ", json.dump(), ": a broken stream needs \"chunks\" > \"afterChunks\""));
  }
  return b;
}

}  // namespace gempool::fake
