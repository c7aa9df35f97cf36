#include "gempool/responses/errors.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace gempool::responses {

using nlohmann::json;

absl::Status UnknownPreviousResponse(absl::string_view id) {
  return openai::FieldError(absl::StatusCode::kNotFound, "previous_response_id",
                            absl::StrCat("'", id,
                                         "' is not a stored response: it is unknown, expired, or was created with "
                                         "store:false. Send the whole conversation as input instead"));
}

absl::Status UnknownResponse(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("Response with id '", id,
                                          "' not found: it is unknown, expired, or was created with store:false"));
}

json ResponseErrorObject(const openai::OpenAIError& error) {
  std::string message;
  if (error.body.is_object() && error.body.contains("error") && error.body["error"].is_object()) {
    const json& inner = error.body["error"];
    if (inner.contains("message") && inner["message"].is_string()) message = inner["message"].get<std::string>();
  }
  const char* code = "server_error";
  if (error.http_status == 429) {
    code = "rate_limit_exceeded";
  } else if (error.http_status >= 400 && error.http_status < 500) {
    code = "invalid_prompt";
  }
  json out(json::value_t::object);
  out.emplace("code", code);
  out.emplace("message", std::move(message));
  return out;
}

}  // namespace gempool::responses
