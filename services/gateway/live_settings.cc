#include "live_settings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gempool::gateway {

bool LiveSettings::IsAllowedToken(const std::string& token) const {
  if (token.empty()) return false;
  if (token == admin_token) return true;
  for (const std::string& t : allowed_tokens) {
    if (t == token) return true;
  }
  return false;
}

absl::StatusOr<HeaderList> UpstreamCustomHeaders(const Config& config) {
  HeaderList headers;
  for (const auto& [name, value] : config.custom_headers) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (lower == "x-goog-api-key" || lower == "authorization" || lower == "host" ||
        lower == "content-length" || lower == "transfer-encoding" || lower == "connection") {
      return absl::InvalidArgumentError(absl::StrCat(
          "CUSTOM_HEADERS may not set '", name,
          "': the gateway sets it itself (the pool key is the only credential sent upstream)"));
    }
    if (name.empty() || name.find_first_of(" \t\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("CUSTOM_HEADERS entry '", name, "' is not a valid HTTP header"));
    }
    headers.emplace_back(name, value);
  }
  return headers;
}

absl::StatusOr<std::shared_ptr<const LiveSettings>> MakeLiveSettings(const Config& config,
                                                                     const std::string& admin_token) {
  auto live = std::make_shared<LiveSettings>();
  live->max_attempts = config.max_retries;
  live->timeout_seconds = config.time_out_seconds;
  absl::StatusOr<HeaderList> headers = UpstreamCustomHeaders(config);
  if (!headers.ok()) return headers.status();
  live->custom_headers = *std::move(headers);
  absl::StatusOr<gemini::BaseUrl> base_url = gemini::ParseBaseUrl(config.base_url);
  if (!base_url.ok()) return base_url.status();
  live->base_url = *std::move(base_url);
  live->allowed_tokens = config.allowed_tokens;
  live->admin_token = admin_token;
  absl::StatusOr<anthropic::ModelMap> models = anthropic::ModelMap::Parse(config.anthropic_model_map);
  if (!models.ok()) return models.status();
  live->anthropic_models = std::make_shared<const anthropic::ModelMap>(*std::move(models));
  absl::StatusOr<gemini::BaseUrl> vertex_base_url = gemini::ParseBaseUrl(config.vertex_express_base_url);
  if (!vertex_base_url.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("VERTEX_EXPRESS_BASE_URL: ", vertex_base_url.status().message()));
  }
  live->vertex_base_url = *std::move(vertex_base_url);
  live->fake_stream = config.fake_stream_enabled;
  live->fake_stream_interval_seconds = config.fake_stream_empty_data_interval_seconds;
  live->files_user_isolation = config.files_user_isolation_enabled;
  return std::shared_ptr<const LiveSettings>(std::move(live));
}

}  // namespace gempool::gateway
