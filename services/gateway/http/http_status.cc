#include "http/http_status.h"

#include "gempool/gemini/error_body.h"

namespace gempool::gateway {


HttpReply ErrorReply(const absl::Status& status) {
  HttpReply reply;
  reply.status = HttpStatusForCode(status.code());
  reply.content_type = "application/json; charset=UTF-8";
  reply.body = gemini::MakeErrorBody(reply.status, absl::StatusCodeToString(status.code()),
                                     status.message());
  return reply;
}

}  // namespace gempool::gateway
