#include "upstream/media_fetcher.h"

#include <netdb.h>
#include <sys/socket.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "upstream/address_policy.h"
#include "gempool/gemini/httplib_client.h"
#include "gempool/openai/errors.h"

namespace gempool::gateway {
namespace {

using Clock = std::chrono::steady_clock;

struct FetchUrl {
  std::string scheme;  // "http" or "https".
  std::string host;    // Without brackets.
  int port = 0;
  std::string target;  // Path and query, as sent.

  std::string SchemeHostPort() const {
    const bool v6 = host.find(':') != std::string::npos;
    return absl::StrCat(scheme, "://", v6 ? "[" : "", host, v6 ? "]" : "", ":", port);
  }
  std::string ToString() const { return absl::StrCat(SchemeHostPort(), target); }
};

absl::Status Refused(absl::string_view field, absl::string_view why) {
  return openai::FieldError(field, absl::StrCat("could not be used: ", why));
}

absl::StatusOr<FetchUrl> ParseFetchUrl(absl::string_view url, absl::string_view field) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Refused(field, "the URL contains spaces or control characters (percent-encode them)");
    }
  }
  FetchUrl out;
  absl::string_view rest = url;
  if (absl::StartsWithIgnoreCase(rest, "https://")) {
    out.scheme = "https";
    out.port = 443;
    rest.remove_prefix(8);
  } else if (absl::StartsWithIgnoreCase(rest, "http://")) {
    out.scheme = "http";
    out.port = 80;
    rest.remove_prefix(7);
  } else {
    return Refused(field, "only http(s) and data: URLs are supported");
  }
  rest = rest.substr(0, rest.find('#'));
  const size_t path_start = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, path_start);
  absl::string_view target = path_start == absl::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != absl::string_view::npos) {
    return Refused(field, "URLs with credentials (user@host) are not fetched");
  }
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Refused(field, "the IPv6 host has no closing ']'");
    out.host = std::string(authority.substr(1, close - 1));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) return Refused(field, "the host is malformed");
    port_text = after;
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return Refused(field, "the URL has no host");
  if (!port_text.empty() && (!absl::SimpleAtoi(port_text, &out.port) || out.port < 1 || out.port > 65535)) {
    return Refused(field, absl::StrCat("port '", port_text, "' is not a number in 1..65535"));
  }
  out.host = absl::AsciiStrToLower(out.host);
  out.target = target.empty() ? "/" : std::string(target);
  if (out.target.front() == '?') out.target = absl::StrCat("/", out.target);
  return out;
}

// Every address `host` resolves to (one for a numeric host).
absl::StatusOr<std::vector<IpAddress>> Resolve(const std::string& host, absl::string_view field) {
  if (absl::StatusOr<IpAddress> numeric = ParseIpAddress(host); numeric.ok()) return std::vector<IpAddress>{*numeric};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    return Refused(field, absl::StrCat("the host '", host, "' could not be resolved (", gai_strerror(rc), ")"));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  std::vector<IpAddress> out;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    IpAddress ip;
    if (a->ai_family == AF_INET) {
      std::memcpy(ip.bytes, &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr, 4);
    } else if (a->ai_family == AF_INET6) {
      ip.v6 = true;
      std::memcpy(ip.bytes, &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(ip);
  }
  if (out.empty()) return Refused(field, absl::StrCat("the host '", host, "' has no IP address"));
  return out;
}

// `location` (a redirect target) resolved against `base`.
absl::StatusOr<FetchUrl> ResolveLocation(const FetchUrl& base, absl::string_view location, absl::string_view field) {
  if (absl::StartsWithIgnoreCase(location, "http://") || absl::StartsWithIgnoreCase(location, "https://")) {
    return ParseFetchUrl(location, field);
  }
  if (absl::StartsWith(location, "//")) return ParseFetchUrl(absl::StrCat(base.scheme, ":", location), field);
  FetchUrl out = base;
  if (absl::StartsWith(location, "/")) {
    out.target = std::string(location);
  } else {
    // A view of base.target itself: std::string::substr would return a
    // temporary that dies at the end of this line.
    const absl::string_view target = base.target;
    const absl::string_view path = target.substr(0, target.find('?'));
    out.target = absl::StrCat(path.substr(0, path.rfind('/') + 1), location);
  }
  out.target = out.target.substr(0, out.target.find('#'));
  return ParseFetchUrl(out.ToString(), field);
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

absl::StatusOr<MediaFetcher::Media> MediaFetcher::Fetch(absl::string_view url, absl::string_view field,
                                                        int time_out_seconds) const {
  absl::StatusOr<FetchUrl> current = ParseFetchUrl(url, field);
  if (!current.ok()) return current.status();
  const int timeout_seconds = std::max(1, std::min(time_out_seconds, options_.timeout_seconds));
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(timeout_seconds);

  for (int hop = 0;; ++hop) {
    if (Clock::now() >= deadline) {
      return Refused(field, absl::StrCat("the download took longer than ", timeout_seconds, " s"));
    }
    absl::StatusOr<std::vector<IpAddress>> addresses = Resolve(current->host, field);
    if (!addresses.ok()) return addresses.status();
    if (!options_.allow_private) {
      for (const IpAddress& ip : *addresses) {
        if (!IsPublicAddress(ip)) {
          return Refused(field, absl::StrCat("the host '", current->host, "' resolves to ", ip.ToString(),
                                             ", a private, loopback, link-local or reserved address; gempool "
                                             "only fetches images from public addresses"));
        }
      }
    }

    httplib::Client client(current->SchemeHostPort());
    if (!client.is_valid()) return Refused(field, absl::StrCat("cannot open a client for ", current->SchemeHostPort()));
    // Connect to the address that was checked, not to a fresh lookup.
    if (!ParseIpAddress(current->host).ok()) {
      client.set_hostname_addr_map({{current->host, addresses->front().ToString()}});
    }
    const auto remaining =
        std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now()).count() + 1;
    gemini::ConfigureOneShotClient(client, current->scheme == "https", remaining, options_.ca_cert_file);

    Media media;
    std::string failure;
    int status = 0;
    std::string location;
    const httplib::Headers headers = {{"User-Agent", "gempool-gateway (image fetch)"},
                                      {"Accept", "image/*, */*;q=0.5"}};
    httplib::Result result = client.Get(
        current->target, headers,
        [&](const httplib::Response& res) {
          status = res.status;
          media.content_type = res.get_header_value("Content-Type");
          location = res.get_header_value("Location");
          if (status < 200 || status >= 300) return false;  // A redirect or an error: no body needed.
          uint64_t length = 0;
          if (res.has_header("Content-Length") &&
              absl::SimpleAtoi(res.get_header_value("Content-Length"), &length) && length > options_.max_bytes) {
            failure = absl::StrCat("the image is ", length, " bytes; the limit is ", options_.max_bytes);
            return false;
          }
          return true;
        },
        [&](const char* data, size_t length) {
          if (media.bytes.size() + length > options_.max_bytes) {
            failure = absl::StrCat("the image is larger than the limit of ", options_.max_bytes, " bytes");
            return false;
          }
          if (Clock::now() > deadline) {
            failure = absl::StrCat("the download took longer than ", timeout_seconds, " s");
            return false;
          }
          media.bytes.append(data, length);
          return true;
        });
    if (!failure.empty()) return Refused(field, failure);
    if (status != 0 && IsRedirect(status)) {
      if (location.empty()) return Refused(field, absl::StrCat("HTTP ", status, " redirect without a Location"));
      if (hop >= options_.max_redirects) {
        return Refused(field, absl::StrCat("more than ", options_.max_redirects, " redirects"));
      }
      current = ResolveLocation(*current, location, field);
      if (!current.ok()) return current.status();
      continue;
    }
    if (status != 0 && (status < 200 || status >= 300)) {
      return Refused(field, absl::StrCat("fetching ", current->SchemeHostPort(), " answered HTTP ", status));
    }
    if (!result) {
      const bool timed_out = Clock::now() >= deadline || result.error() == httplib::Error::ConnectionTimeout;
      return Refused(field, timed_out ? absl::StrCat("the download took longer than ", timeout_seconds, " s")
                                      : absl::StrCat("fetching ", current->SchemeHostPort(),
                                                     " failed: ", httplib::to_string(result.error())));
    }
    if (media.bytes.empty()) return Refused(field, "the URL returned an empty body");
    return media;
  }
}

}  // namespace gempool::gateway
