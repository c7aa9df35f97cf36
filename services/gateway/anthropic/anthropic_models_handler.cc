#include "anthropic/anthropic_models_handler.h"

#include <string>
#include <utility>

#include "anthropic/anthropic_answers.h"
#include "gempool/anthropic/models.h"

namespace gempool::gateway {

using nlohmann::json;

AnthropicModelsHandler::AnthropicModelsHandler(ModelListCache& cache) : cache_(cache) {}

ClientAnswer AnthropicModelsHandler::List(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "models.list";
  absl::StatusOr<anthropic::ModelPage> page = anthropic::ParseModelPage(call.raw_query);
  if (!page.ok()) {
    answer.reply = AnthropicStatusReply(page.status());
    return answer;
  }
  ModelListCache::Result models = cache_.Get(call.settings);
  answer.attempts = models.attempts;
  answer.key_id = models.key_id;
  if (models.models == nullptr) {
    answer.reply = AnthropicUpstreamFailure(models.failure);
    return answer;
  }
  absl::StatusOr<json> list =
      anthropic::ConvertModelList(*models.models, *call.settings->anthropic_models,
                                  *call.settings->conversion, models.fetched_unix, *page);
  answer.reply = list.ok() ? AnthropicJsonReply(*list) : AnthropicBadUpstream(list.status().message());
  return answer;
}

ClientAnswer AnthropicModelsHandler::Retrieve(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "models.retrieve";
  const std::string id = call.path_params.empty() ? "" : call.path_params[0];
  answer.model = id;
  ModelListCache::Result models = cache_.Get(call.settings);
  answer.attempts = models.attempts;
  answer.key_id = models.key_id;
  if (models.models == nullptr) {
    answer.reply = AnthropicUpstreamFailure(models.failure);
    return answer;
  }
  absl::StatusOr<json> model = anthropic::FindModel(*models.models, *call.settings->anthropic_models,
                                                    *call.settings->conversion, models.fetched_unix, id);
  if (model.ok()) {
    answer.reply = AnthropicJsonReply(*model);
  } else if (model.status().code() == absl::StatusCode::kNotFound || absl::IsInvalidArgument(model.status())) {
    answer.reply = AnthropicStatusReply(model.status());
  } else {
    answer.reply = AnthropicBadUpstream(model.status().message());
  }
  return answer;
}

}  // namespace gempool::gateway
