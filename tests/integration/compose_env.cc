#include "integration/compose_env.h"

#include <fstream>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::integration {
namespace {

size_t Indent(const std::string& line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// "value", 'value' or value → value (a trailing " # comment" is dropped from
// unquoted values).
std::string Unquote(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
    return std::string(text.substr(1, text.size() - 2));
  }
  if (size_t hash = text.find(" #"); hash != absl::string_view::npos) text = text.substr(0, hash);
  return std::string(absl::StripAsciiWhitespace(text));
}

bool Blank(const std::string& line) {
  const absl::string_view t = absl::StripAsciiWhitespace(line);
  return t.empty() || t.front() == '#';
}

}  // namespace

absl::StatusOr<std::map<std::string, ComposeService>> ReadComposeServices(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the compose file ", path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  std::set<std::string> env_file_anchors;  // Anchors whose block has env_file: .env.
  std::map<std::string, ComposeService> services;
  std::string top;            // Current top-level key.
  std::string anchor;         // Its anchor, if any.
  std::string service;        // Current service under services:.
  bool in_environment = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (Blank(line)) continue;
    const size_t indent = Indent(line);
    const std::string text(absl::StripAsciiWhitespace(line));
    const std::string where = absl::StrCat(path, ":", i + 1);
    if (indent == 0) {
      top = text.substr(0, text.find(':'));
      anchor.clear();
      if (size_t amp = text.find('&'); amp != std::string::npos) anchor = text.substr(amp + 1);
      service.clear();
      in_environment = false;
      continue;
    }
    if (top != "services") {
      if (!anchor.empty() && indent == 2 && text == "env_file: .env") env_file_anchors.insert(anchor);
      continue;
    }
    if (indent == 2) {
      service = text.substr(0, text.find(':'));
      services[service];
      in_environment = false;
      continue;
    }
    if (service.empty()) continue;
    if (indent == 4) {
      in_environment = text == "environment:";
      if (absl::StartsWith(text, "<<: *") && env_file_anchors.count(text.substr(5)) > 0) {
        services[service].env_file = true;
      }
      if (text == "env_file: .env") services[service].env_file = true;
      continue;
    }
    if (in_environment) {
      if (indent != 6) continue;  // Deeper lines would be a list or map value: not used for environment.
      const size_t colon = text.find(':');
      if (colon == std::string::npos || absl::StartsWith(text, "- ")) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": environment entries must be NAME: value (this reader does not understand '", text, "')"));
      }
      services[service].environment[text.substr(0, colon)] = Unquote(text.substr(colon + 1));
    }
  }
  if (services.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " has no services"));
  return services;
}

std::map<std::string, std::string> ComposeEnvironment(const ComposeService& service,
                                                      const std::map<std::string, std::string>& dotenv) {
  std::map<std::string, std::string> env;
  if (service.env_file) env = dotenv;
  for (const auto& [name, value] : service.environment) env[name] = value;
  return env;
}

}  // namespace gempool::integration
