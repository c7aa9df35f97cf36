#include "native/native_options.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/model_options.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {
namespace {

using nlohmann::json;

}  // namespace

absl::StatusOr<NativeCall> PrepareNativeCall(const gemini::Route& route, absl::string_view body,
                                             const openai::ConversionOptions& options) {
  NativeCall call;
  call.route = route;
  if (route.collection != "models" || route.model.empty()) return call;
  absl::StatusOr<openai::ResolvedModel> model = openai::ResolveModel(route.model, options);
  if (!model.ok() && model.status().code() != absl::StatusCode::kNotFound) return model.status();
  if (!model.ok()) {
    // The field-error form ("model: ...") reads oddly in Google's shape.
    return absl::Status(model.status().code(),
                        absl::StrCat("model '", route.model,
                                     "' is not available on this gateway (listed in FILTERED_MODELS)"));
  }
  call.route.model = model->upstream;
  const bool derived = model->upstream != model->requested;

  switch (route.method) {
    case gemini::Method::kGenerateContent:
    case gemini::Method::kStreamGenerateContent: {
      absl::StatusOr<json> request = openai::ParseJson(body);
      if (!request.ok()) return call;  // Google answers what it cannot parse.
      openai::AppliedModelOptions applied = openai::ApplyModelOptions(*model, options, *request);
      call.warnings = std::move(applied.warnings);
      if (applied.changed) call.body = openai::WriteJson(*request);
      return call;
    }
    case gemini::Method::kCountTokens: {
      if (!derived) return call;
      absl::StatusOr<json> request = openai::ParseJson(body);
      if (!request.ok() || !request->is_object()) return call;
      for (const char* key : {"generateContentRequest", "generate_content_request"}) {
        auto inner = request->find(key);
        if (inner == request->end() || !inner->is_object() || !inner->contains("model")) continue;
        (*inner)["model"] = absl::StrCat("models/", model->upstream);
        call.body = openai::WriteJson(*request);
      }
      return call;
    }
    default:
      return call;
  }
}

}  // namespace gempool::gateway
