#include "openai/models_handler.h"

#include <string>
#include <utility>

#include "gempool/openai/errors.h"
#include "gempool/openai/models.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

// The list in OpenAI form, or the failure as an answer.
bool ListOrFail(const ClientCall& call, ModelListCache& cache, ClientAnswer& answer, json& list) {
  const openai::ConversionOptions& options = *call.settings->conversion;
  ModelListCache::Result models = cache.Get(call.settings);
  answer.attempts = models.attempts;
  answer.key_id = models.key_id;
  if (models.models == nullptr) {
    answer.reply = OpenAIUpstreamFailure(models.failure);
    return false;
  }
  absl::StatusOr<json> converted = openai::ConvertModelList(*models.models, options, models.fetched_unix);
  if (!converted.ok()) {
    answer.reply = OpenAIBadUpstream(converted.status().message());
    return false;
  }
  list = *std::move(converted);
  return true;
}

}  // namespace

ModelsHandler::ModelsHandler(ModelListCache& cache) : cache_(cache) {}

ClientAnswer ModelsHandler::List(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "models.list";
  json list;
  if (ListOrFail(call, cache_, answer, list)) answer.reply = OpenAIJsonReply(list);
  return answer;
}

ClientAnswer ModelsHandler::Retrieve(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "models.retrieve";
  const std::string id = call.path_params.empty() ? "" : call.path_params[0];
  answer.model = id;
  json list;
  if (!ListOrFail(call, cache_, answer, list)) return answer;
  absl::StatusOr<json> model = openai::FindModel(list, id);
  answer.reply = model.ok() ? OpenAIJsonReply(*model) : OpenAIStatusReply(model.status());
  return answer;
}

}  // namespace gempool::gateway
