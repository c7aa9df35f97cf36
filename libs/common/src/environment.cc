#include "gempool/common/environment.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace gempool {
namespace {

bool IsNameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Parses the value part of a line (after '='), handling quotes and comments.
// Errors say where (`where`: file, line and name) but never show the value:
// .env holds keys and passwords, and start-up errors end up in logs.
absl::StatusOr<std::string> ParseValue(absl::string_view raw, absl::string_view where) {
  absl::string_view v = absl::StripLeadingAsciiWhitespace(raw);
  if (v.empty()) return std::string();
  const char quote = v.front();
  if (quote == '"' || quote == '\'') {
    std::string out;
    size_t i = 1;
    for (; i < v.size(); ++i) {
      char c = v[i];
      if (c == quote) break;
      if (quote == '"' && c == '\\' && i + 1 < v.size()) {
        char n = v[++i];
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          default:
            out += n;
        }
        continue;
      }
      out += c;
    }
    if (i >= v.size()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": the value opens a ", std::string(1, quote),
                                                      " quote that is never closed on its line"));
    }
    absl::string_view rest = absl::StripAsciiWhitespace(v.substr(i + 1));
    if (!rest.empty() && rest.front() != '#') {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", rest.size(),
                                                     " characters after the closing quote (value not shown); "
                                                     "put the whole value inside the quotes"));
    }
    return out;
  }
  // Unquoted: a '#' preceded by whitespace starts a comment.
  size_t cut = v.size();
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
      cut = i;
      break;
    }
  }
  return std::string(absl::StripTrailingAsciiWhitespace(v.substr(0, cut)));
}

}  // namespace

const char* SettingSourceName(SettingSource source) {
  switch (source) {
    case SettingSource::kDefault:
      return "default";
    case SettingSource::kDotEnv:
      return ".env";
    case SettingSource::kEnvironment:
      return "environment";
    case SettingSource::kDatabase:
      return "database";
  }
  return "?";
}

absl::StatusOr<std::map<std::string, std::string>> ParseDotEnv(absl::string_view text,
                                                               absl::string_view origin) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l.front() == '#') continue;
    // "export NAME=v" as in shell; "export = v" sets a variable named export.
    if (absl::StartsWith(l, "export ") && !absl::StartsWith(absl::StripLeadingAsciiWhitespace(l.substr(7)), "=")) {
      l = absl::StripLeadingAsciiWhitespace(l.substr(7));
    }
    const std::string where = absl::StrCat(origin, ":", line_no);
    size_t eq = l.find('=');
    if (eq == absl::string_view::npos) {
      // Not shown: a line without '=' is often a pasted key.
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": expected NAME=value, got a line of ", l.size(), " characters without '=' (not shown)"));
    }
    absl::string_view name = absl::StripAsciiWhitespace(l.substr(0, eq));
    if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name.front())) ||
        !std::all_of(name.begin(), name.end(), IsNameChar)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": '", absl::CHexEscape(name),
          "' is not a valid variable name (letters, digits and _, not starting with a digit)"));
    }
    auto value = ParseValue(l.substr(eq + 1), absl::StrCat(where, ": ", name));
    if (!value.ok()) return value.status();
    out[std::string(name)] = *std::move(value);
  }
  return out;
}

absl::StatusOr<Environment> Environment::Load(const std::string& dotenv_path) {
  Environment env;
  if (!dotenv_path.empty()) {
    std::ifstream in(dotenv_path);
    if (in) {
      std::stringstream buffer;
      buffer << in.rdbuf();
      auto parsed = ParseDotEnv(buffer.str(), dotenv_path);
      if (!parsed.ok()) return parsed.status();
      for (auto& [name, value] : *parsed) env.Set(name, std::move(value), SettingSource::kDotEnv);
    }
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    env.Set(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)),
            SettingSource::kEnvironment);
  }
  return env;
}

Environment Environment::FromMap(const std::map<std::string, std::string>& values) {
  Environment env;
  for (const auto& [name, value] : values) env.Set(name, value, SettingSource::kEnvironment);
  return env;
}

std::optional<std::string> Environment::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.text;
}

std::string Environment::GetOr(absl::string_view name, absl::string_view fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.text.empty()) return std::string(fallback);
  return it->second.text;
}

SettingSource Environment::SourceOf(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? SettingSource::kDefault : it->second.source;
}

void Environment::Set(const std::string& name, std::string value, SettingSource source) {
  values_[name] = Value{std::move(value), source};
}

}  // namespace gempool
