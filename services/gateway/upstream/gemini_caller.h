#pragma once
// How the OpenAI-compatible routes call Gemini: the upstream route for a
// converted request (model id checked, tuned models in their collection,
// the upstream API version of BASE_URL in the request's settings snapshot),
// a ForwardRequest for it, and a
// buffered call through the Forwarder, so every converted call gets the same
// key rotation and retry rules as the native API. Thread-safe.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "http/client_call.h"
#include "upstream/forwarder.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/upstream_url.h"
#include "live_settings.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

// How a converted API words the failures of a buffered call: the
// Forwarder's Gemini-shaped failure, and gempool's own 502 for an answer it
// cannot use.
struct ReplyDialect {
  HttpReply (*upstream_failure)(const HttpReply& gemini_failure);
  HttpReply (*bad_upstream)(absl::string_view message);
};

// OpenAI's error shape (the default).
ReplyDialect OpenAIReplyDialect();

class GeminiCaller {
 public:
  // A buffered call's result: `body` is the complete 2xx body when
  // result.outcome is kSuccess.
  struct Buffered {
    ForwardResult result;
    std::string body;
    bool ok() const { return result.outcome == ForwardResult::Outcome::kSuccess; }
  };

  // `forwarder` must outlive the caller. BASE_URL comes from the settings
  // snapshot each call passes (ClientCall::settings).
  explicit GeminiCaller(Forwarder& forwarder);

  // The route of `method` on `model` ("gemini-2.5-flash", "models/x" or
  // "tunedModels/x") for BASE_URL in `settings`. InvalidArgument naming the
  // `model` field when the id has characters no model id has.
  absl::StatusOr<gemini::Route> RouteFor(const LiveSettings& settings, absl::string_view model,
                                         gemini::Method method) const;
  // The route of the model list.
  gemini::Route ListModelsRoute(const LiveSettings& settings) const;

  // A request for `route` at BASE_URL in `settings` (which the forward then
  // uses throughout) with `query` (e.g. "alt=sse"), logged as `operation`,
  // carrying `body` (which must outlive the call) and the client's
  // User-Agent.
  ForwardRequest MakeRequest(const std::shared_ptr<const LiveSettings>& settings, const gemini::Route& route,
                             absl::string_view query, absl::string_view operation, absl::string_view body,
                             const HeaderList& client_headers) const;

  // Runs `request` with the whole answer buffered (a response that breaks
  // half-way is retried with another key).
  Buffered Call(const ForwardRequest& request) const;

  // A buffered POST of `upstream_body` to `route` for an OpenAI route, whose
  // 2xx answer must be JSON; counted in `answer` (attempts added, the last
  // attempt's key id). The parsed answer; or nullopt with `answer.reply` set
  // in OpenAI's error format: the upstream's own failure, or a 502 for a body
  // that is not JSON. `raw_body`, when given, receives the body as it came.
  std::optional<nlohmann::json> CallForJson(const gemini::Route& route, absl::string_view upstream_body,
                                            const ClientCall& call, ClientAnswer& answer,
                                            std::string* raw_body = nullptr) const;

  // CallForJson without blocking a thread: `done` gets the same outcome
  // (answer updated as CallForJson does, failures worded in `dialect`; raw
  // body when parsed) on a loop thread. `upstream_body` lives until then.
  // `client_token_id` (TokenId of the client's token) goes into
  // ForwardRequest::client_token_id (the Files API's key affinity).
  using JsonDone = std::function<void(std::optional<nlohmann::json> parsed, ClientAnswer answer, std::string raw_body)>;
  // Returns the forward's handle (ClientAnswer::later's result).
  std::shared_ptr<ForwardCall> CallForJsonAsync(const std::shared_ptr<const LiveSettings>& settings, const gemini::Route& route, std::shared_ptr<const std::string> upstream_body,
                        const HeaderList& client_headers, ClientAnswer answer, JsonDone done,
                        ReplyDialect dialect = OpenAIReplyDialect(), std::string client_token_id = "") const;

  Forwarder& forwarder() const { return forwarder_; }

 private:
  // What CallForJson and CallForJsonAsync make of a finished buffered call.
  static std::optional<nlohmann::json> InterpretJson(Buffered result, ClientAnswer& answer, std::string* raw_body,
                                                     ReplyDialect dialect);

  Forwarder& forwarder_;
};

}  // namespace gempool::gateway
