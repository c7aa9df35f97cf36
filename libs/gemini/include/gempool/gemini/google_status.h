#pragma once
// Google's canonical status names (google.rpc.Code) for HTTP statuses: the
// "status" member of a Google error body ({"error":{"code":429,"message":...,
// "status":"RESOURCE_EXHAUSTED"}}). One table for the error classifier, the
// gateway's own refusals and the fake upstream.

#include <optional>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

// The name Google's API design guide maps `http_status` to (400
// INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404
// NOT_FOUND, 409 ABORTED, 429 RESOURCE_EXHAUSTED, 499 CANCELLED, 500
// INTERNAL, 501 UNIMPLEMENTED, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED);
// nullopt for a status outside that list, whose name each caller chooses.
std::optional<absl::string_view> GoogleStatusName(int http_status);

}  // namespace gempool::gemini
