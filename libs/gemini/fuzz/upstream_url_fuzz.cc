#include "fuzz/upstream_url_fuzz.h"

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/gemini/url.h"

namespace gempool::gemini {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
}

// The password a URL carries: between the first ':' after "://" and the
// last '@'; "" when there is none.
absl::string_view Password(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  const size_t start = scheme_end == absl::string_view::npos ? 0 : scheme_end + 3;
  const size_t at = url.rfind('@');
  if (at == absl::string_view::npos || at < start) return "";
  const absl::string_view userinfo = url.substr(start, at - start);
  const size_t colon = userinfo.find(':');
  return colon == absl::string_view::npos ? "" : userinfo.substr(colon + 1);
}

// A refusal of `url` must not show its password. The password's text may
// also be part of the message's own words or of what it may echo (a port,
// text typed after the '@'), so the check puts a canary in its place: letters
// found nowhere in the URL, which no refusal may show.
template <typename Parse>
void CheckMasked(absl::string_view url, const absl::Status& status, Parse parse) {
  if (status.ok()) return;
  Require(absl::IsInvalidArgument(status) && !status.message().empty());
  const absl::string_view password = Password(url);
  if (password.empty()) return;
  std::string canary = "QzxCanary";
  while (absl::StrContains(url, canary)) canary += 'Q';
  const size_t start = password.data() - url.data();
  const std::string marked = absl::StrCat(url.substr(0, start), canary, url.substr(start + password.size()));
  const absl::Status again = parse(marked).status();
  Require(!absl::StrContains(again.message(), canary));
}

void CheckBaseUrl(absl::string_view url) {
  const absl::StatusOr<BaseUrl> base = ParseBaseUrl(url);
  CheckMasked(url, base.status(), ParseBaseUrl);
  if (!base.ok()) return;
  Require(base->scheme == "http" || base->scheme == "https");
  Require(base->port >= 1 && base->port <= 65535);
  const bool ipv6 = base->host.find(':') != std::string::npos;
  for (char c : base->host) Require(IsHostChar(c) || (ipv6 && (absl::ascii_isxdigit(c) || c == ':')));
  Require(!base->host.empty());
  for (char c : base->path) Require(c > ' ' && c < 0x7f);
  Require(!absl::EndsWith(base->path, "/"));
  Require(base->version.empty() || base->version[0] == 'v');
  // Written back out (as SchemeHostPort plus path and version), the same URL.
  std::string again = absl::StrCat(base->SchemeHostPort(), base->path);
  if (!base->version.empty()) absl::StrAppend(&again, "/", base->version);
  const absl::StatusOr<BaseUrl> reparsed = ParseBaseUrl(again);
  Require(reparsed.ok());
  Require(reparsed->scheme == base->scheme && reparsed->host == base->host && reparsed->port == base->port &&
          reparsed->path == base->path && reparsed->version == base->version);
}

void CheckProxyUrl(absl::string_view url) {
  const absl::StatusOr<ProxyUrl> proxy = ParseProxyUrl(url);
  CheckMasked(url, proxy.status(), ParseProxyUrl);
  if (!proxy.ok()) return;
  Require(proxy->scheme == "http" || proxy->IsSocks5());
  Require(proxy->port >= 1 && proxy->port <= 65535);
  Require(!proxy->host.empty());
  for (char c : proxy->host) Require(IsHostChar(c) || absl::ascii_isxdigit(c) || c == ':');
  // The credentials are those of the URL, %-decoded.
  const size_t start = url.find("://") + 3;
  const size_t at = url.rfind('@');
  if (at == absl::string_view::npos || at < start) {
    Require(proxy->username.empty() && proxy->password.empty());
  } else {
    const absl::string_view userinfo = url.substr(start, at - start);
    const size_t colon = userinfo.find(':');
    Require(proxy->username == PercentDecode(userinfo.substr(0, colon), false));
    Require(proxy->password ==
            (colon == absl::string_view::npos ? "" : PercentDecode(userinfo.substr(colon + 1), false)));
  }
}

}  // namespace

void FuzzUpstreamUrl(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckBaseUrl(input);
  CheckProxyUrl(input);
}

}  // namespace gempool::gemini
