#include "gempool/openai/embeddings.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/gemini/token_count.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

absl::StatusOr<std::vector<std::string>> ReadInputs(const json& body) {
  const json* input = Find(body, "input");
  if (input == nullptr) return FieldError("input", "is required (a string or an array of strings)");
  const char* kTokens = "token arrays are not supported: Gemini embeds text, so send the text itself";
  std::vector<std::string> texts;
  if (input->is_string()) {
    texts.push_back(input->get<std::string>());
  } else if (input->is_array()) {
    if (input->empty()) return FieldError("input", "must not be an empty array");
    for (size_t i = 0; i < input->size(); ++i) {
      const json& item = (*input)[i];
      if (item.is_number() || item.is_array()) return FieldError("input", kTokens);
      if (!item.is_string()) {
        return FieldError(Path("input", i), absl::StrCat("must be a string, got ", JsonTypeName(item)));
      }
      texts.push_back(item.get<std::string>());
    }
  } else {
    return FieldError("input",
                      absl::StrCat("must be a string or an array of strings, got ", JsonTypeName(*input)));
  }
  if (texts.size() > kMaxEmbeddingInputs) {
    return FieldError("input", absl::StrCat("has ", texts.size(), " items; at most ", kMaxEmbeddingInputs,
                                            " are accepted"));
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) {
      return FieldError(input->is_string() ? std::string("input") : Path("input", i), "must not be empty");
    }
  }
  return texts;
}

void AppendFloat32(float value, std::string& bytes) {
  uint32_t bits = 0;
  static_assert(sizeof(bits) == sizeof(value), "float must be 32 bits");
  std::memcpy(&bits, &value, sizeof(bits));
  for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>((bits >> shift) & 0xFF));
}

}  // namespace

std::string EncodeFloat32Base64(const std::vector<float>& values) {
  std::string bytes;
  bytes.reserve(values.size() * 4);
  for (float value : values) AppendFloat32(value, bytes);
  return absl::Base64Escape(bytes);
}

absl::StatusOr<EmbeddingRequest> ConvertEmbeddingRequest(const json& body, const ConversionOptions& options) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  EmbeddingRequest out;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> model, OptString(body, "model", ""));
  if (!model.has_value()) return FieldError("model", "is required (e.g. \"gemini-embedding-001\")");
  out.requested_model = StripModelsPrefix(*model);
  if (out.requested_model.empty()) return FieldError("model", "must name an embedding model");
  if (ModelListed(options.filtered_models, out.requested_model)) {
    return FieldError(absl::StatusCode::kNotFound, "model",
                      absl::StrCat("'", out.requested_model, "' is not available on this gateway"));
  }
  out.model = out.requested_model;

  GEMPOOL_ASSIGN_OR_RETURN(std::vector<std::string> texts, ReadInputs(body));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> dimensions,
                           OptInt(body, "dimensions", "", 1, 1'000'000));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> format, OptString(body, "encoding_format", ""));
  if (format.has_value() && *format != "float" && *format != "base64") {
    return FieldError("encoding_format", absl::StrCat("'", *format, "' is not float or base64"));
  }
  out.base64 = format.value_or("float") == "base64";
  for (const auto& [key, value] : body.items()) {
    if (key == "model" || key == "input" || key == "dimensions" || key == "encoding_format" || key == "user" ||
        value.is_null()) {
      continue;
    }
    out.warnings.push_back(absl::StrCat("unknown field '", key, "' ignored"));
  }

  out.input_count = texts.size();
  std::string resource = absl::StrCat("models/", out.model);
  for (size_t start = 0; start < texts.size(); start += kMaxEmbeddingBatch) {
    json requests = json::array();
    for (size_t i = start; i < texts.size() && i < start + kMaxEmbeddingBatch; ++i) {
      json request = json{{"model", resource}, {"content", {{"parts", json::array({json{{"text", texts[i]}}})}}}};
      if (dimensions.has_value()) request["outputDimensionality"] = *dimensions;
      requests.push_back(std::move(request));
    }
    out.batches.push_back(json{{"requests", std::move(requests)}});
  }
  return out;
}

absl::StatusOr<json> ConvertEmbeddingResponse(const std::vector<json>& batch_responses,
                                              const EmbeddingRequest& request) {
  if (batch_responses.size() != request.batches.size()) {
    return absl::InternalError(absl::StrCat("expected ", request.batches.size(), " embedding batch answers, got ",
                                            batch_responses.size()));
  }
  json data = json::array();
  int64_t prompt_tokens = 0;
  size_t index = 0;
  for (size_t b = 0; b < batch_responses.size(); ++b) {
    const json& response = batch_responses[b];
    const json* embeddings = Find(response, "embeddings");
    size_t expected = request.batches[b]["requests"].size();
    if (embeddings == nullptr || !embeddings->is_array() || embeddings->size() != expected) {
      return absl::InternalError(absl::StrCat("Gemini's batchEmbedContents answer ", b, " has ",
                                              embeddings != nullptr && embeddings->is_array() ? embeddings->size() : 0,
                                              " embeddings for ", expected, " texts"));
    }
    if (const json* usage = Find(response, "usageMetadata"); usage != nullptr) {
      prompt_tokens += gemini::TokenCount(*usage, "promptTokenCount");
    }
    for (const json& embedding : *embeddings) {
      const json* values = Find(embedding, "values");
      if (values == nullptr || !values->is_array()) {
        return absl::InternalError(absl::StrCat("Gemini's embedding ", index, " has no values"));
      }
      json entry = json{{"object", "embedding"}, {"index", index}};
      if (request.base64) {
        std::vector<float> floats;
        floats.reserve(values->size());
        for (const json& value : *values) {
          if (!value.is_number()) return absl::InternalError(absl::StrCat("Gemini's embedding ", index, " is not numeric"));
          floats.push_back(value.get<float>());
        }
        entry["embedding"] = EncodeFloat32Base64(floats);
      } else {
        for (const json& value : *values) {
          if (!value.is_number()) return absl::InternalError(absl::StrCat("Gemini's embedding ", index, " is not numeric"));
        }
        entry["embedding"] = *values;
      }
      data.push_back(std::move(entry));
      ++index;
    }
  }
  return json{{"object", "list"},
              {"data", std::move(data)},
              {"model", request.requested_model},
              {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}};
}

}  // namespace gempool::openai
