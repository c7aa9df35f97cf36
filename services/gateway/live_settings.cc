#include "live_settings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/time_zone.h"
#include "gempool/config/custom_headers.h"
#include "openai/openai_options.h"

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
  if (absl::Status checked = config::CheckCustomHeaders(config.custom_headers); !checked.ok()) return checked;
  return HeaderList(config.custom_headers.begin(), config.custom_headers.end());
}

absl::StatusOr<std::shared_ptr<const LiveSettings>> MakeLiveSettings(const Config& config,
                                                                     const std::string& admin_token,
                                                                     const LiveSettings* previous) {
  auto live = std::make_shared<LiveSettings>();
  live->max_attempts = config.max_retries;
  live->max_key_wait_ms = config.max_key_wait_ms;
  live->timeout_seconds = config.time_out_seconds;
  absl::StatusOr<HeaderList> headers = UpstreamCustomHeaders(config);
  if (!headers.ok()) return headers.status();
  live->custom_headers = *std::move(headers);
  absl::StatusOr<gemini::BaseUrl> base_url = gemini::ParseBaseUrl(config.base_url);
  if (!base_url.ok()) return base_url.status();
  live->base_url = *std::move(base_url);
  live->allowed_tokens = config.allowed_tokens;
  live->admin_token = admin_token;
  live->anthropic_model_map_text = config.anthropic_model_map;
  if (previous != nullptr && previous->anthropic_models != nullptr &&
      previous->anthropic_model_map_text == config.anthropic_model_map) {
    live->anthropic_models = previous->anthropic_models;
  } else {
    absl::StatusOr<anthropic::ModelMap> models = anthropic::ModelMap::Parse(config.anthropic_model_map);
    if (!models.ok()) return models.status();
    live->anthropic_models = std::make_shared<const anthropic::ModelMap>(*std::move(models));
  }
  absl::StatusOr<gemini::BaseUrl> vertex_base_url = gemini::ParseBaseUrl(config.vertex_express_base_url);
  if (!vertex_base_url.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("VERTEX_EXPRESS_BASE_URL: ", vertex_base_url.status().message()));
  }
  live->vertex_base_url = *std::move(vertex_base_url);
  live->fake_stream = config.fake_stream_enabled;
  live->fake_stream_interval_seconds = config.fake_stream_empty_data_interval_seconds;
  live->files_user_isolation = config.files_user_isolation_enabled;
  live->request_head_timeout_seconds = config.request_head_timeout_seconds;
  live->request_body_timeout_seconds = config.request_body_timeout_seconds;
  live->keep_alive_timeout_seconds = config.keep_alive_timeout_seconds;
  live->max_request_body_bytes = static_cast<uint64_t>(config.max_request_body_mb) << 20;
  live->max_connections = static_cast<size_t>(config.max_connections);
  live->max_connections_per_ip = static_cast<size_t>(config.max_connections_per_ip);
  live->responses_store_days = config.responses_store_days;
  live->responses_store_max_bytes = static_cast<size_t>(config.responses_store_max_kb) << 10;
  live->error_log_record_request_body = config.error_log_record_request_body;
  live->image_host = config.image_host;
  live->time_zone_name = config.timezone;
  live->time_zone = previous != nullptr && previous->time_zone_name == config.timezone
                        ? previous->time_zone
                        : LoadTimeZoneOrUtc(config.timezone);
  // The conversion depends on the model settings and on BASE_URL's version
  // (the schema dialect) only.
  live->conversion_inputs = config.openai;
  if (previous != nullptr && previous->conversion != nullptr && previous->conversion_inputs == config.openai &&
      previous->base_url.version == live->base_url.version) {
    live->conversion = previous->conversion;
  } else {
    absl::StatusOr<openai::ConversionOptions> conversion =
        MakeConversionOptions(config, OpenAIUpstreamVersion(live->base_url.version));
    if (!conversion.ok()) return conversion.status();
    live->conversion = std::make_shared<const openai::ConversionOptions>(*std::move(conversion));
  }
  return std::shared_ptr<const LiveSettings>(std::move(live));
}

}  // namespace gempool::gateway
