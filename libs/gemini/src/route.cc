#include "gempool/gemini/route.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "gempool/gemini/url.h"

namespace gempool::gemini {
namespace {

constexpr Method kPostMethods[] = {Method::kGenerateContent, Method::kStreamGenerateContent,
                                   Method::kCountTokens,     Method::kEmbedContent,
                                   Method::kBatchEmbedContents, Method::kPredict};

constexpr absl::string_view kSupported =
    "gempool serves GET /{v}/models, GET /{v}/models/{model} and POST "
    "/{v}/models/{model}:generateContent|streamGenerateContent|countTokens|embedContent|"
    "batchEmbedContents|predict, with {v} one of v1beta, v1, v1alpha, optionally under /gemini";

absl::Status NotFound(absl::string_view http_method, absl::string_view path,
                      absl::string_view why) {
  return absl::NotFoundError(
      absl::StrCat(http_method, " ", path, " is not a Gemini API call gempool serves (", why,
                   "); ", kSupported));
}

bool IsVersion(absl::string_view s) { return s == "v1beta" || s == "v1" || s == "v1alpha"; }

bool IsModelId(absl::string_view id) {
  // "." and ".." would be dot segments upstream: a proxy or server that
  // normalises the path would send the call (with a pool key) elsewhere.
  if (id == "." || id == "..") return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' &&
        c != '_' && c != '~' && c != '@' && c != '+') {
      return false;
    }
  }
  return true;
}

bool ParsePostMethod(absl::string_view name, Method& out) {
  for (Method m : kPostMethods) {
    if (name == MethodName(m)) {
      out = m;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* MethodName(Method method) {
  switch (method) {
    case Method::kGenerateContent:
      return "generateContent";
    case Method::kStreamGenerateContent:
      return "streamGenerateContent";
    case Method::kCountTokens:
      return "countTokens";
    case Method::kEmbedContent:
      return "embedContent";
    case Method::kBatchEmbedContents:
      return "batchEmbedContents";
    case Method::kPredict:
      return "predict";
    case Method::kListModels:
      return "listModels";
    case Method::kGetModel:
      return "getModel";
  }
  return "unknown";
}

std::string Route::ResourceName() const {
  if (method == Method::kListModels) return "";
  return absl::StrCat(collection, "/", model);
}

std::string Route::QuotaModel() const {
  if (method == Method::kListModels || method == Method::kGetModel) return "";
  return collection == "models" ? model : ResourceName();
}

std::string Route::UpstreamPath() const {
  switch (method) {
    case Method::kListModels:
      return absl::StrCat("/", api_version, "/models");
    case Method::kGetModel:
      return absl::StrCat("/", api_version, "/", ResourceName());
    default:
      return absl::StrCat("/", api_version, "/", ResourceName(), ":", MethodName(method));
  }
}

absl::StatusOr<Route> ParseRoute(absl::string_view http_method, absl::string_view path) {
  const std::string decoded = PercentDecode(path, /*plus_as_space=*/false);
  absl::string_view rest = decoded;
  if (!absl::ConsumePrefix(&rest, "/")) return NotFound(http_method, path, "no leading '/'");
  Route route;
  if (absl::ConsumePrefix(&rest, "gemini/")) route.prefix = "/gemini";
  // A trailing slash on the model list ("/v1beta/models/") is harmless.
  if (absl::EndsWith(rest, "/models/")) rest.remove_suffix(1);
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  if (parts.empty() || !IsVersion(parts[0])) {
    return NotFound(http_method, path, "unknown API version");
  }
  route.api_version = std::string(parts[0]);
  if (parts.size() == 2 && parts[1] == "models") {
    if (http_method != "GET") return NotFound(http_method, path, "the model list is a GET");
    route.method = Method::kListModels;
    return route;
  }
  if (parts.size() != 3 || (parts[1] != "models" && parts[1] != "tunedModels")) {
    return NotFound(http_method, path, "expected /{v}/models/{model}[:method]");
  }
  route.collection = std::string(parts[1]);
  const absl::string_view model_and_method = parts[2];
  const size_t colon = model_and_method.find(':');
  const absl::string_view model = model_and_method.substr(0, colon);
  if (model.empty()) return NotFound(http_method, path, "empty model id");
  if (!IsModelId(model)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model id '", absl::CEscape(model),
        "' is not valid: use letters, digits and - . _ ~ @ + only, e.g. gemini-2.5-flash"));
  }
  route.model = std::string(model);
  if (colon == absl::string_view::npos) {
    if (http_method != "GET") return NotFound(http_method, path, "a model is read with GET");
    route.method = Method::kGetModel;
    return route;
  }
  const absl::string_view method = model_and_method.substr(colon + 1);
  if (!ParsePostMethod(method, route.method)) {
    return NotFound(http_method, path, absl::StrCat("unsupported method '", method, "'"));
  }
  if (http_method != "POST") {
    return NotFound(http_method, path, absl::StrCat(method, " is a POST call"));
  }
  return route;
}

}  // namespace gempool::gemini
