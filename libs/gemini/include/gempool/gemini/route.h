#pragma once
// Which Gemini native API call a request path names. Clients reach gempool at
// "/{version}/models/{id}:{method}" (optionally under the "/gemini" prefix
// gemini-balance uses), exactly as they would reach Google; the parsed route
// tells the gateway what to forward where, and what to log.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::gemini {

enum class Method {
  kGenerateContent,
  kStreamGenerateContent,
  kCountTokens,
  kEmbedContent,
  kBatchEmbedContents,
  kPredict,
  kListModels,
  kGetModel,
};

// The name used in URLs and logs: "generateContent", ..., "listModels",
// "getModel".
const char* MethodName(Method method);

struct Route {
  // "v1beta", "v1" or "v1alpha".
  std::string api_version;
  // "" or "/gemini".
  std::string prefix;
  // "models" or "tunedModels".
  std::string collection = "models";
  // The model id without its collection, e.g. "gemini-2.5-flash"; empty for
  // kListModels.
  std::string model;
  Method method = Method::kGenerateContent;

  // "models/gemini-2.5-flash" or "tunedModels/x"; empty for kListModels.
  std::string ResourceName() const;
  // The model as the key broker tracks quotas: the id for base models,
  // "tunedModels/<id>" for tuned ones, "" for kListModels and kGetModel
  // (reading model metadata uses no model quota).
  std::string QuotaModel() const;
  // The canonical upstream path without prefix or query, e.g.
  // "/v1beta/models/gemini-2.5-flash:generateContent".
  std::string UpstreamPath() const;
  bool IsStream() const { return method == Method::kStreamGenerateContent; }
};

// Parses `path` (the part of the target before '?', raw or already decoded;
// %XX escapes such as %3A for ':' are decoded here) for `http_method` ("GET",
// "POST"). kNotFound, with a message naming the supported calls, when the
// path is not a Gemini native call gempool serves or the verb does not fit;
// kInvalidArgument for a model id with characters no model id has (ids are
// ASCII letters, digits and "-._~@+", and are neither "." nor "..").
absl::StatusOr<Route> ParseRoute(absl::string_view http_method, absl::string_view path);

}  // namespace gempool::gemini
