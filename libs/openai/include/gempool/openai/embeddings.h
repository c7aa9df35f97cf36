#pragma once
// POST /v1/embeddings ⇄ Gemini :batchEmbedContents. The input (a string or
// an array of strings; token arrays are refused) is split into batches of at
// most 100 texts, Gemini's per-call limit; the caller sends each batch to
// models/<model>:batchEmbedContents and hands the answers back in order.
// `dimensions` → outputDimensionality. The answer carries floats, or base64 of
// little-endian float32 when encoding_format is "base64" (what the openai JS
// SDK sends by default). Gemini reports no token counts for embeddings, so
// usage is the upstream's usageMetadata.promptTokenCount when present, else 0
// (gempool does not guess). Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// Texts per :batchEmbedContents call.
inline constexpr size_t kMaxEmbeddingBatch = 100;
// Inputs per request (OpenAI's limit).
inline constexpr size_t kMaxEmbeddingInputs = 2048;

struct EmbeddingRequest {
  std::string model;            // upstream model id, without "models/"
  std::string requested_model;  // echoed as `model`
  // batchEmbedContents bodies, in input order.
  std::vector<nlohmann::json> batches;
  size_t input_count = 0;
  bool base64 = false;
  std::vector<std::string> warnings;
};

// InvalidArgument naming the field; NotFound for a FILTERED_MODELS model.
absl::StatusOr<EmbeddingRequest> ConvertEmbeddingRequest(const nlohmann::json& openai_body,
                                                         const ConversionOptions& options);

// `batch_responses[i]` answers `request.batches[i]`. Internal when a response
// has the wrong number of embeddings or is malformed.
absl::StatusOr<nlohmann::json> ConvertEmbeddingResponse(const std::vector<nlohmann::json>& batch_responses,
                                                        const EmbeddingRequest& request);

// Base64 of the values as little-endian IEEE-754 float32.
std::string EncodeFloat32Base64(const std::vector<float>& values);

}  // namespace gempool::openai
