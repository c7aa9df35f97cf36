#include "gempool/gemini/file_refs.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace gempool::gemini {
namespace {

constexpr absl::string_view kFiles = "files/";
// Google's file ids are up to 40 lowercase letters, digits and dashes;
// anything longer or stranger is not one of its names.
constexpr size_t kMaxIdLength = 128;

bool IsFileId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

bool IsFileDataKey(const std::string& key) { return key == "fileData" || key == "file_data"; }
bool IsFileUriKey(const std::string& key) { return key == "fileUri" || key == "file_uri"; }

// A SAX reader that keeps, per open container, the key it was opened under
// and (for objects) the last key seen, and collects the string values of
// fileUri keys directly inside a fileData object.
class FileUriCollector final : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool string(string_t& value) override {
    if (!open_.empty() && open_.back().is_object && IsFileUriKey(open_.back().last_key) &&
        IsFileDataKey(open_.back().opened_under)) {
      if (std::optional<std::string> name = FileNameFromUri(value); name.has_value()) {
        names_.push_back(*std::move(name));
      }
    }
    return Value();
  }
  bool start_object(std::size_t) override {
    Open(true);
    return true;
  }
  bool key(string_t& key) override {
    open_.back().last_key = key;
    return true;
  }
  bool end_object() override {
    open_.pop_back();
    return Value();
  }
  bool start_array(std::size_t) override {
    Open(false);
    return true;
  }
  bool end_array() override {
    open_.pop_back();
    return Value();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;  // Stop; what was found so far is kept.
  }

  std::vector<std::string> TakeNames() { return std::move(names_); }

 private:
  struct Container {
    bool is_object = false;
    std::string opened_under;  // The key in the parent object ("" in arrays).
    std::string last_key;      // Objects: the key whose value comes next.
  };

  void Open(bool is_object) {
    Container c;
    c.is_object = is_object;
    if (!open_.empty() && open_.back().is_object) c.opened_under = open_.back().last_key;
    open_.push_back(std::move(c));
  }
  // A value ended: its key no longer applies.
  bool Value() {
    if (!open_.empty() && open_.back().is_object) open_.back().last_key.clear();
    return true;
  }

  std::vector<Container> open_;
  std::vector<std::string> names_;
};

}  // namespace

bool MayReferToFiles(absl::string_view body) { return absl::StrContains(body, kFiles); }

std::optional<std::string> FileNameFromUri(absl::string_view uri) {
  uri = absl::StripAsciiWhitespace(uri);
  if (absl::StartsWith(uri, kFiles)) {
    const absl::string_view id = uri.substr(kFiles.size());
    if (IsFileId(id)) return absl::StrCat(kFiles, id);
    return std::nullopt;
  }
  absl::string_view rest;
  if (absl::StartsWithIgnoreCase(uri, "https://")) {
    rest = uri.substr(8);
  } else if (absl::StartsWithIgnoreCase(uri, "http://")) {
    rest = uri.substr(7);
  } else {
    return std::nullopt;
  }
  const size_t query = rest.find_first_of("?#");
  if (query != absl::string_view::npos) rest = rest.substr(0, query);
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos || slash == 0) return std::nullopt;  // No host or no path.
  const absl::string_view path = rest.substr(slash);
  // The path is /[prefix/]<version>/files/<id>: the version segment is what
  // makes it a Files API URI rather than any URL ending in files/x.
  const size_t at = path.rfind("/files/");
  if (at == absl::string_view::npos) return std::nullopt;
  const absl::string_view id = path.substr(at + 7);
  const absl::string_view before = path.substr(0, at);
  const absl::string_view version = before.substr(before.rfind('/') + 1);
  if (version != "v1beta" && version != "v1" && version != "v1alpha") return std::nullopt;
  if (!IsFileId(id)) return std::nullopt;
  return absl::StrCat(kFiles, id);
}

std::vector<std::string> ReferencedFileNames(absl::string_view body) {
  if (!MayReferToFiles(body)) return {};
  FileUriCollector collector;
  // Never throws with a SAX reader that returns false on errors; a body that
  // is not JSON (or is cut short) yields what was read before the error.
  try {
    nlohmann::json::sax_parse(body.begin(), body.end(), &collector, nlohmann::json::input_format_t::json,
                              /*strict=*/true);
  } catch (const std::exception&) {
    // Belt and braces: nlohmann documents exceptions only through the SAX
    // reader's parse_error, but a malformed number or UTF-8 must not escape.
  }
  std::vector<std::string> names = collector.TakeNames();
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace gempool::gemini
