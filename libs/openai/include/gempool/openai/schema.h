#pragma once
// JSON Schemas from OpenAI clients (tools[].function.parameters,
// response_format.json_schema.schema) made acceptable to Gemini.
//
// Default (SchemaDialect::kJsonSchema): Gemini's v1beta takes real JSON Schema
// in `parametersJsonSchema` / `responseJsonSchema` (protocol.md §1.3), so the
// schema is sent as is — `anyOf`, `$ref`, `additionalProperties`, `const` and
// type unions keep their meaning — after a light normalisation: the top-level
// "$schema" is removed, and tool parameters must describe an object (a missing
// "type" becomes "object"; an object schema without properties is omitted, as
// Gemini wants no parameters for a no-argument function). This is what avoids
// the 400s of protocol.md §6.12 without changing what the schema allows.
//
// SchemaDialect::kOpenApiSubset: the schema is translated to the OpenAPI
// subset of `parameters` / `responseSchema` for upstreams without the JSON
// Schema fields: local $refs are inlined, type unions become `nullable` or
// `anyOf`, `oneOf` becomes `anyOf`, `allOf` is merged, `const` becomes a
// one-value enum, exclusive bounds become inclusive ones, types are
// upper-cased, `required` keeps only declared properties, and every keyword
// the subset lacks is removed and reported as a warning.
//
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

struct PreparedSchema {
  // The Gemini field to put the schema in: "parametersJsonSchema" or
  // "parameters" for tools, "responseJsonSchema" or "responseSchema" for
  // structured output.
  std::string field;
  // The schema to send; nullopt when a tool declares no parameters.
  std::optional<nlohmann::json> schema;
  // What could not be kept (kOpenApiSubset only), for the request's warnings.
  std::vector<std::string> warnings;
};

// `parameters` of a function tool; `path` names it in errors
// ("tools[0].function.parameters"). InvalidArgument when it is not a schema
// object or does not describe an object.
absl::StatusOr<PreparedSchema> PrepareToolParameters(const nlohmann::json& parameters, SchemaDialect dialect,
                                                     absl::string_view path);

// The schema of response_format json_schema.
absl::StatusOr<PreparedSchema> PrepareResponseSchema(const nlohmann::json& schema, SchemaDialect dialect,
                                                     absl::string_view path);

// The OpenAPI-subset translation itself; `dropped` receives the removed
// keywords (sorted, unique).
absl::StatusOr<nlohmann::json> ToOpenApiSchema(const nlohmann::json& schema, absl::string_view path,
                                               std::vector<std::string>* dropped);

}  // namespace gempool::openai
