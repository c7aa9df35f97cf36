#pragma once
// GET /v1/models and GET /v1/models/{id} in OpenAI form (for Bearer
// clients; Gemini clients get the native list on the same path): the cached
// upstream list minus FILTERED_MODELS plus the derived -search, -image and
// -non-thinking ids (openai::ConvertModelList). Thread-safe.

#include "http/client_call.h"
#include "gempool/openai/options.h"
#include "live_settings.h"
#include "openai/model_list_cache.h"

namespace gempool::gateway {

class ModelsHandler {
 public:
  // `cache` must outlive the handler; the settings come with each call.
  explicit ModelsHandler(ModelListCache& cache);

  ClientAnswer List(const ClientCall& call);
  // The model id is call.path_params[0] ("gemini-2.5-flash" or
  // "models/gemini-2.5-flash", the openai SDK's encoded slash decoded).
  ClientAnswer Retrieve(const ClientCall& call);

 private:
  ModelListCache& cache_;
};

}  // namespace gempool::gateway
