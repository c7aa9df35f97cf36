#include "fuzz/dotenv_fuzz.h"

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gempool/common/environment.h"

namespace gempool {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

constexpr absl::string_view kOrigin = "/srv/gempool/.env";

bool ValidName(absl::string_view name) {
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// NAME="value" with the escapes the reader understands.
std::string DoubleQuoted(const std::string& name, absl::string_view value) {
  std::string line = name + "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') {
      line += '\\';
      line += c;
    } else if (c == '\n') {
      line += "\\n";
    } else {
      line += c;
    }
  }
  return line + "\"";
}

// Whether `value` survives being written without quotes: no surrounding
// white space, no leading quote, no " #" comment, no line break.
bool Unquotable(absl::string_view value) {
  if (value.empty()) return true;
  if (value != absl::StripAsciiWhitespace(value)) return false;
  if (value[0] == '"' || value[0] == '\'' || absl::StrContains(value, '\n')) return false;
  return !absl::StrContains(value, " #") && !absl::StrContains(value, "\t#");
}

void CheckWrittenBack(const std::map<std::string, std::string>& values) {
  std::string file;
  for (const auto& [name, value] : values) absl::StrAppend(&file, DoubleQuoted(name, value), "\n");
  const absl::StatusOr<std::map<std::string, std::string>> again = ParseDotEnv(file, kOrigin);
  Require(again.ok() && *again == values);
  for (const auto& [name, value] : values) {
    if (Unquotable(value)) {
      const auto plain = ParseDotEnv(absl::StrCat("export ", name, "=", value, "\n"), kOrigin);
      Require(plain.ok() && plain->at(name) == value);
    }
    if (!absl::StrContains(value, '\'') && !absl::StrContains(value, '\n')) {
      const auto single = ParseDotEnv(absl::StrCat(name, " = '", value, "'  # comment"), kOrigin);
      Require(single.ok() && single->at(name) == value);
    }
  }
}

}  // namespace

void FuzzDotEnv(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<std::map<std::string, std::string>> whole = ParseDotEnv(input, kOrigin);

  // Line by line: the same values, or the same first bad line.
  std::map<std::string, std::string> merged;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    ++line_no;
    const absl::StatusOr<std::map<std::string, std::string>> one = ParseDotEnv(line, kOrigin);
    if (!one.ok()) {
      Require(!whole.ok() && absl::IsInvalidArgument(whole.status()));
      const std::string where = absl::StrCat(kOrigin, ":", line_no, ": ");
      Require(absl::StartsWith(whole.status().message(), where));
      const absl::string_view said = whole.status().message().substr(where.size());
      // Whatever follows the first '=' is a value, perhaps a secret.
      const size_t eq = line.find('=');
      const absl::string_view value =
          eq == absl::string_view::npos ? line : absl::StripAsciiWhitespace(line.substr(eq + 1));
      const absl::string_view before = eq == absl::string_view::npos ? "" : line.substr(0, eq);
      if (value.size() >= 12 && !absl::StrContains(value, ' ') && !absl::StrContains(before, value)) {
        Require(!absl::StrContains(said, value));
      }
      return;
    }
    Require(one->size() <= 1);
    for (const auto& [name, value] : *one) merged[name] = value;
  }
  Require(whole.ok() && *whole == merged);
  for (const auto& [name, value] : *whole) Require(ValidName(name));
  CheckWrittenBack(*whole);
}

}  // namespace gempool
