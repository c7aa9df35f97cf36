#pragma once
// The steps of an OpenAI route answered by buffered Gemini JSON calls
// (images, image chat, speech, embeddings): read and convert the request,
// then route and call. Each step gives its value, or sets `answer.reply` to
// the refusal in OpenAI's shape and gives nullopt; the handlers keep only
// what differs (which conversion, which method, what the answer becomes).
// Stateless; thread-safe.

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/route.h"
#include "http/client_call.h"
#include "nlohmann/json.hpp"
#include "openai/openai_answers.h"
#include "upstream/gemini_caller.h"

namespace gempool::gateway {

// The client's body parsed as JSON (a refusal quotes `example`, a valid
// request) and converted by `convert` (json -> absl::StatusOr<Request>; its
// InvalidArgument names the field).
template <typename Request, typename Convert>
std::optional<Request> ReadOpenAIRequest(const ClientCall& call, absl::string_view example, Convert&& convert,
                                         ClientAnswer& answer) {
  absl::StatusOr<nlohmann::json> body = ParseRequestJson(call.body, example);
  if (!body.ok()) {
    answer.reply = OpenAIStatusReply(body.status());
    return std::nullopt;
  }
  absl::StatusOr<Request> request = std::forward<Convert>(convert)(*body);
  if (!request.ok()) {
    answer.reply = OpenAIStatusReply(request.status());
    return std::nullopt;
  }
  return *std::move(request);
}

// `body` POSTed to `method` of `model` through the key pool (counted in
// `answer`); the answer's JSON, or nullopt with the reply set: a model id no
// route takes, or the upstream's failure (GeminiCaller::CallForJson).
std::optional<nlohmann::json> CallGeminiForJson(const GeminiCaller& caller, const ClientCall& call,
                                                absl::string_view model, gemini::Method method,
                                                const nlohmann::json& body, ClientAnswer& answer);

}  // namespace gempool::gateway
