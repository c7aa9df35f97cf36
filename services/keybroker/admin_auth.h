#pragma once
// The admin token check for KeyAdmin calls: "authorization: Bearer <token>"
// call metadata must carry the admin token (AUTH_TOKEN, else the first of
// ALLOWED_TOKENS). Stateless; thread-safe.

#include <grpcpp/grpcpp.h>

#include <string>

namespace gempool::keybroker {

// OK when `context` carries `admin_token`; UNAUTHENTICATED with a message
// saying what to set otherwise (also when the broker has no admin token).
grpc::Status CheckAdminToken(const grpc::ServerContext& context, const std::string& admin_token);

}  // namespace gempool::keybroker
