#include "http/path_pattern.h"

#include <cstring>
#include <utility>

#include "absl/strings/match.h"

namespace gempool::gateway {
namespace {

bool IsRegexSyntax(char c) { return std::strchr(".[]{}()*+?^$|\\", c) != nullptr; }

}  // namespace

PathPattern::PathPattern(std::string pattern) : pattern_(std::move(pattern)), regex_(pattern_) {
  size_t literal = 0;
  while (literal < pattern_.size() && !IsRegexSyntax(pattern_[literal])) ++literal;
  const absl::string_view rest = absl::string_view(pattern_).substr(literal);
  if (rest.empty()) {
    kind_ = Kind::kExact;
  } else if (rest == ".*") {
    kind_ = Kind::kPrefix;
  } else if (literal > 0 && (rest[0] == '?' || rest[0] == '*' || rest[0] == '{')) {
    // The last literal character is quantified (optional or repeated), so it
    // is not part of what every match starts with.
    --literal;
  }
  prefix_ = pattern_.substr(0, literal);
}

bool PathPattern::Match(const std::string& path, std::vector<std::string>* groups) const {
  if (groups != nullptr) groups->clear();
  switch (kind_) {
    case Kind::kExact:
      return path == prefix_;
    case Kind::kPrefix:
      // "." matches anything but a line terminator (a decoded %0A or %0D).
      return absl::StartsWith(path, prefix_) && path.find_first_of("\r\n", prefix_.size()) == std::string::npos;
    case Kind::kRegex:
      break;
  }
  if (!absl::StartsWith(path, prefix_)) return false;
  std::smatch match;
  if (!std::regex_match(path, match, regex_)) return false;
  if (groups != nullptr) {
    for (size_t i = 1; i < match.size(); ++i) groups->push_back(match[i].str());
  }
  return true;
}

}  // namespace gempool::gateway
