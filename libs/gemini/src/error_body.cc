#include "gempool/gemini/error_body.h"

#include <nlohmann/json.hpp>

namespace gempool::gemini {

std::string MakeErrorBody(int http_status, absl::string_view status, absl::string_view message) {
  nlohmann::json body = {{"error",
                          {{"code", http_status},
                           {"message", std::string(message)},
                           {"status", std::string(status)}}}};
  // Replace invalid UTF-8 (upstream text may carry any bytes) instead of throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gempool::gemini
