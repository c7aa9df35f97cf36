#include "gempool/imagehost/http_url.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gempool::imagehost {
namespace {

absl::Status Invalid(absl::string_view setting, absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(setting, " \"", url, "\" cannot be used: ", why));
}

std::string Escape(absl::string_view value, bool keep_slash) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url, absl::string_view setting) {
  HttpUrl out;
  absl::string_view rest = url;
  if (absl::StartsWithIgnoreCase(rest, "https://")) {
    out.scheme = "https";
    rest.remove_prefix(8);
  } else if (absl::StartsWithIgnoreCase(rest, "http://")) {
    out.scheme = "http";
    rest.remove_prefix(7);
  } else {
    return Invalid(setting, url, "expected an http:// or https:// URL");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Invalid(setting, url, "it holds white space");
  }
  if (rest.find('#') != absl::string_view::npos) return Invalid(setting, url, "it holds a fragment (#)");
  const size_t path_start = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, path_start);
  absl::string_view after = path_start == absl::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != absl::string_view::npos) {
    return Invalid(setting, url, "user info (user@host) is not supported");
  }
  if (authority.empty()) return Invalid(setting, url, "it has no host");
  out.authority = std::string(authority);
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Invalid(setting, url, "an IPv6 address lacks its ']'");
    out.host = std::string(authority.substr(1, close - 1));
  } else {
    out.host = std::string(authority.substr(0, authority.find(':')));
  }
  if (out.host.empty()) return Invalid(setting, url, "it has no host");
  const size_t question = after.find('?');
  out.path = std::string(after.substr(0, question));
  if (out.path.empty()) out.path = "/";
  if (question != absl::string_view::npos) out.query = std::string(after.substr(question + 1));
  return out;
}

bool IsAddressHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string QueryEscape(absl::string_view value) { return Escape(value, /*keep_slash=*/false); }
std::string PathEscape(absl::string_view value) { return Escape(value, /*keep_slash=*/true); }

}  // namespace gempool::imagehost
