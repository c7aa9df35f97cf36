#pragma once
// What the gateway stores for a response created with `store: true`, and the
// forms GET /v1/responses/{id} and GET /v1/responses/{id}/input_items answer
// with. The stored JSON is also what ConvertResponsesRequest takes as
// `previous` for previous_response_id:
//   {"version":1, "id", "model", "created_at",
//    "input":  [every input item of the conversation so far],
//    "response": {the Response object, encrypted_content kept}}
// Instructions are kept in the response only: OpenAI does not carry them
// over to the next response. Pure functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "gempool/responses/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses {

// `stored_response` is ConvertedResponse::stored (or the stream converter's
// stored()).
nlohmann::json BuildStoredResponse(const ResponsesRequest& request, const nlohmann::json& stored_response);

// The items a response continues from: its input, then its output.
// InvalidArgument when `stored` is not BuildStoredResponse's shape.
absl::StatusOr<nlohmann::json> ConversationItems(const nlohmann::json& stored);

// The Response object for GET /v1/responses/{id}; reasoning items lose
// encrypted_content unless `include_encrypted_reasoning`
// (?include[]=reasoning.encrypted_content).
absl::StatusOr<nlohmann::json> RetrievedResponse(const nlohmann::json& stored, bool include_encrypted_reasoning);

// {"object":"list","data":[input items],"first_id","last_id","has_more":false}
// for GET /v1/responses/{id}/input_items (items without an id get one
// derived from the response id and position).
absl::StatusOr<nlohmann::json> InputItemsList(const nlohmann::json& stored);

// {"id","object":"response.deleted","deleted":true} for DELETE.
nlohmann::json DeletedResponse(const std::string& id);

}  // namespace gempool::responses
