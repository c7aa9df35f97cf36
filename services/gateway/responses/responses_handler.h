#pragma once
// The OpenAI Responses API (also under /hf/v1 and /v1beta/openai):
//   POST   /responses                  create (streamed or not)
//   GET    /responses/{id}             a stored response
//   GET    /responses/{id}/input_items its input items
//   DELETE /responses/{id}
//   POST   /responses/input_tokens     the input's token count
// A create converts the request for Gemini (responses::
// ConvertResponsesRequest; previous_response_id read from the persistence
// service first), fetches remote media, and goes through the key broker's
// attempt loop to :generateContent or :streamGenerateContent?alt=sse
// (ResponsesStreamSink). With store (the default, unless
// RESPONSES_STORE_DAYS is 0) the response is written to persistence, for
// this client token only, before its closing event reaches the client, so a
// previous_response_id that follows at once is found on any gateway.
// Calls that touch persistence run on worker threads. Thread-safe.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "gempool/common/clock.h"
#include "gempool/openai/options.h"
#include "gempool/responses/request_converter.h"
#include "http/client_call.h"
#include "responses/stored_responses_client.h"
#include "upstream/gemini_caller.h"
#include "upstream/media_fetcher.h"
#include "live_settings.h"
#include "upstream/random_ids.h"

namespace gempool::gateway {

class ResponsesHandler {
 public:
  // Runs a task that may block (a persistence call) off the event loop.
  using BlockingRunner = std::function<void(std::function<void()>)>;

  // Everything must outlive the handler. The conversion options and
  // RESPONSES_STORE_* come from each call's settings snapshot.
  ResponsesHandler(const GeminiCaller& caller, const MediaFetcher& fetcher, StoredResponsesClient& store,
                   BlockingRunner run_blocking, const Clock& clock);

  ClientAnswer Create(const ClientCall& call);
  ClientAnswer Retrieve(const ClientCall& call);
  ClientAnswer InputItems(const ClientCall& call);
  ClientAnswer Delete(const ClientCall& call);
  ClientAnswer InputTokens(const ClientCall& call);

 private:
  // Writes `stored_response` (the final Response with its encrypted
  // content) for `request` under `id`, within RESPONSES_STORE_* of
  // `settings` (the request's); what went wrong, for a warning.
  absl::Status Store(const LiveSettings& settings, const responses::ResponsesRequest& request, const std::string& id, const std::string& owner,
                     const nlohmann::json& stored_response) const;
  // The stored document of response `id` of this client, parsed; NotFound
  // (404) when there is none.
  absl::StatusOr<nlohmann::json> Load(const std::string& id, const std::string& owner) const;
  // The stored document previous_response_id names (nullopt when the body
  // names none); 404 UnknownPreviousResponse when there is none. Blocks.
  absl::StatusOr<std::optional<nlohmann::json>> Previous(const nlohmann::json& body, const std::string& owner) const;
  // The answer for a GET of stored response path_params[0]: `render` of its
  // stored document, or 404.
  ClientAnswer FromStored(const ClientCall& call, const char* operation,
                          const std::function<absl::StatusOr<nlohmann::json>(const nlohmann::json&)>& render) const;

  const GeminiCaller& caller_;
  const MediaFetcher& fetcher_;
  StoredResponsesClient& store_;
  const BlockingRunner run_blocking_;
  const Clock& clock_;
  RandomIds ids_;
};

}  // namespace gempool::gateway
