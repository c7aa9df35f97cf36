#include "fuzz/route_fuzz.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/gemini/url.h"

namespace gempool::gemini {
namespace {

void RequireOfRoute(bool holds) {
  if (!holds) abort();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// What PercentDecode must produce, written independently: every output
// byte is an input byte, or the value of one complete %XX escape.
std::string ReferenceDecode(absl::string_view text, bool plus_as_space) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '%' && text.size() - i >= 3 && Hex(text[i + 1]) >= 0 && Hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(text[i + 1]) * 16 + Hex(text[i + 2])));
      i += 3;
    } else {
      out.push_back(plus_as_space && text[i] == '+' ? ' ' : text[i]);
      i += 1;
    }
  }
  return out;
}

// Every byte as %XX.
std::string EncodeAll(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const unsigned char b = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool SameRoute(const Route& a, const Route& b) {
  return a.api_version == b.api_version && a.prefix == b.prefix && a.collection == b.collection &&
         a.model == b.model && a.method == b.method;
}

void CheckDecoding(absl::string_view text) {
  for (bool plus : {false, true}) {
    const std::string decoded = PercentDecode(text, plus);
    RequireOfRoute(decoded == ReferenceDecode(text, plus));
    RequireOfRoute(decoded.size() <= text.size());
    RequireOfRoute(PercentDecode(EncodeAll(text), plus) == text);
    if (!absl::StrContains(text, '%') && (!plus || !absl::StrContains(text, '+'))) RequireOfRoute(decoded == text);
  }
}

// The non-empty '&' pieces of a raw query.
std::vector<absl::string_view> Pieces(absl::string_view query) {
  return absl::StrSplit(query, '&', absl::SkipEmpty());
}

void CheckQuerySurgery(absl::string_view query, absl::string_view name) {
  const std::string kept = RemoveQueryParam(query, name);
  RequireOfRoute(!QueryParam(kept, name).has_value());
  // The kept pieces are the original ones minus those named `name`, in order.
  std::vector<absl::string_view> expected;
  for (absl::string_view piece : Pieces(query)) {
    if (PercentDecode(piece.substr(0, piece.find('=')), true) != name) expected.push_back(piece);
  }
  RequireOfRoute(kept == absl::StrJoin(expected, "&"));
  RequireOfRoute(QueryParam(query, name).has_value() == (expected.size() != Pieces(query).size()));
}

void CheckRoute(absl::string_view verb, absl::string_view path, absl::string_view query) {
  const absl::StatusOr<Route> route = ParseRoute(verb, path);
  if (!route.ok()) {
    RequireOfRoute(absl::IsNotFound(route.status()) || absl::IsInvalidArgument(route.status()));
    RequireOfRoute(!route.status().message().empty());
    return;
  }
  const std::string upstream = route->UpstreamPath();
  RequireOfRoute(absl::StartsWith(upstream, "/"));
  for (absl::string_view segment : absl::StrSplit(upstream.substr(1), '/')) {
    const absl::string_view name = segment.substr(0, segment.find(':'));
    RequireOfRoute(!name.empty() && name != "." && name != "..");
  }
  if (route->method != Method::kListModels) RequireOfRoute(!route->model.empty());
  const std::string again_path = absl::StrCat(route->prefix, upstream);
  const absl::StatusOr<Route> again = ParseRoute(verb, again_path);
  RequireOfRoute(again.ok() && SameRoute(*route, *again));
  const absl::StatusOr<Route> escaped = ParseRoute(verb, absl::StrCat("/", EncodeAll(again_path.substr(1))));
  RequireOfRoute(escaped.ok() && SameRoute(*route, *escaped));

  // What goes upstream: BASE_URL's path, the client's call, its query less
  // every `key` (the client's token must never reach Google).
  const absl::StatusOr<BaseUrl> base = ParseBaseUrl("https://generativelanguage.googleapis.com/v1beta");
  RequireOfRoute(base.ok());
  const UpstreamTarget target = BuildUpstreamTarget(*base, *route, query);
  const auto [upstream_path, upstream_query] = SplitTarget(target.path_and_query);
  RequireOfRoute(upstream_path == upstream);
  RequireOfRoute(!QueryParam(upstream_query, "key").has_value());
}

}  // namespace

void FuzzRoute(const uint8_t* data, size_t size) {
  if (size == 0) return;
  // 'G' GET, 'P' POST, anything else a verb no route takes (seeds stay text).
  const absl::string_view verb = data[0] == 'G' ? "GET" : data[0] == 'P' ? "POST" : "DELETE";
  const absl::string_view target(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto [path, query] = SplitTarget(target);
  RequireOfRoute(query.empty() ? (path == target || absl::StrCat(path, "?") == target)
                        : absl::StrCat(path, "?", query) == target);
  CheckDecoding(target);
  CheckQuerySurgery(query, "key");
  // A name the input chooses: the text after the last '#' of the query.
  if (const size_t hash = query.rfind('#'); hash != absl::string_view::npos) {
    CheckQuerySurgery(query.substr(0, hash), query.substr(hash + 1));
  }
  CheckRoute(verb, path, query);
}

}  // namespace gempool::gemini
