#pragma once
// The bodies the fake upstream answers with, shaped like Google's: Model
// objects, GenerateContentResponse (whole and as stream chunks), countTokens,
// embeddings, Imagen predictions and google.rpc.Status error bodies. Pure
// functions of their inputs (deterministic). Thread-safe.

#include <string>
#include <vector>

#include "fake_upstream/behavior.h"
#include "nlohmann/json.hpp"

namespace gempool::fake {

// Serializes like Google: pretty-printed with two spaces, `<`, `>` and `&`
// escaped as \u003c, \u003e, \u0026. `indent` < 0 gives one line (SSE events).
std::string GoogleJson(const nlohmann::ordered_json& json, int indent = 2);

// The models the fake knows, in listing order.
const std::vector<nlohmann::ordered_json>& ModelCatalog();
// The Model object for `id` (without "models/"), or null when unknown.
nlohmann::ordered_json FindModel(const std::string& id);

// The text of every "text" field under "contents" (or
// "generateContentRequest.contents"), joined with spaces.
std::string PromptText(const nlohmann::ordered_json& request);
// A stable token estimate: about one token per four bytes, at least 1.
int CountTokens(const std::string& text);

// A whole GenerateContentResponse answering `prompt`; its usageMetadata is
// `usage` when given, else estimated from the texts.
nlohmann::ordered_json GenerateResponse(const std::string& model, const std::string& prompt,
                                        const std::string& response_id, const std::string& text_override,
                                        const FakeUsage* usage = nullptr);

// Chunk `index` (0-based) of `count` of a streamed answer: text "chunk i of n. ",
// cumulative usageMetadata, finishReason STOP on the last.
// With `usage`, chunk i carries (i + 1) / count of its candidates and
// thoughts (rounded down) and the whole of the rest: the last chunk carries
// exactly `usage`.
nlohmann::ordered_json StreamChunk(const std::string& model, const std::string& prompt, const std::string& response_id,
                                   int index, int count, const std::string& text_override,
                                   const FakeUsage* usage = nullptr);

// {"totalTokens": N, "promptTokensDetails": [...]}.
nlohmann::ordered_json CountTokensResponse(const std::string& prompt);

// A deterministic embedding of `text` with `dimensions` values in [-1, 1].
std::vector<double> EmbeddingValues(const std::string& text, int dimensions);

// {"predictions": [{"bytesBase64Encoded", "mimeType"}, ...]}.
nlohmann::ordered_json PredictResponse(int sample_count);

// The google.rpc.Status error body Google sends for `behavior` (status,
// reason, retry delay, quota id, leaked), for a request made with `key` to
// `model`'s `method`. The 403 "suspended" message quotes the key, as Google's
// does.
nlohmann::ordered_json ErrorBody(const Behavior& behavior, const std::string& key, const std::string& model,
                                 const std::string& method, const std::string& api_version);

// A plain error body with Google's shape: {"error":{code,message,status}}.
nlohmann::ordered_json SimpleErrorBody(int code, const std::string& message);

// Google's canonical status name for an HTTP status (429 → RESOURCE_EXHAUSTED;
// gemini::GoogleStatusName), and for one outside Google's mapping INTERNAL
// (5xx) or FAILED_PRECONDITION.
std::string CanonicalStatus(int http_status);

}  // namespace gempool::fake
