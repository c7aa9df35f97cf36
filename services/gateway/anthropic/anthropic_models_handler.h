#pragma once
// GET /v1/models[/{id}] for Anthropic clients (requests carrying
// anthropic-version, e.g. Claude Code's model discovery) and under
// /anthropic/v1: the upstream list (ModelListCache) with the exact names of
// ANTHROPIC_MODEL_MAP first, in Anthropic's ModelInfo shape and paging
// (anthropic::ConvertModelList). Runs on a worker thread (the cache may
// fetch). Thread-safe.

#include <memory>

#include "gempool/anthropic/model_map.h"
#include "gempool/openai/options.h"
#include "live_settings.h"
#include "http/client_call.h"
#include "openai/model_list_cache.h"

namespace gempool::gateway {

class AnthropicModelsHandler {
 public:
  // ANTHROPIC_MODEL_MAP and the conversion options come from the call's
  // settings snapshot. `cache` must outlive the handler.
  explicit AnthropicModelsHandler(ModelListCache& cache);

  ClientAnswer List(const ClientCall& call);
  ClientAnswer Retrieve(const ClientCall& call);

 private:
  ModelListCache& cache_;
};

}  // namespace gempool::gateway
