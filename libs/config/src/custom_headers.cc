#include "gempool/config/custom_headers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace gempool::config {
namespace {

bool IsSetByGempool(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  return lower == "x-goog-api-key" || lower == "authorization" || lower == "host" || lower == "content-length" ||
         lower == "transfer-encoding" || lower == "connection";
}

}  // namespace

absl::Status CheckCustomHeaders(const std::map<std::string, std::string>& headers) {
  for (const auto& [name, value] : headers) {
    if (IsSetByGempool(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CUSTOM_HEADERS may not set '", name,
          "': gempool sets it itself (the pool key is the only credential sent upstream)"));
    }
    if (name.empty() || name.find_first_of(" \t\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("CUSTOM_HEADERS entry '", absl::CHexEscape(name),
                                                     "' is not a valid HTTP header (value hidden)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace gempool::config
