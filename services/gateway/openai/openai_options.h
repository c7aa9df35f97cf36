#pragma once
// The OpenAI ⇄ Gemini conversion settings (openai::ConversionOptions) built
// once from the gateway's Config (SEARCH_MODELS, THINKING_BUDGET_MAP,
// SAFETY_SETTINGS, TTS_VOICE_NAME, ...) and the upstream API version.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/config/config.h"
#include "gempool/openai/options.h"
#include "upstream/media_fetcher.h"

namespace gempool::gateway {

// The Gemini API version the converted OpenAI calls use: BASE_URL's own
// version segment, else "v1beta".
std::string OpenAIUpstreamVersion(absl::string_view base_url_version);

// InvalidArgument naming the setting when a value the conversion needs is
// unusable (TTS_VOICE_NAME not a Gemini voice, SEARCH_LINK_LANGUAGE). Tool
// and response schemas go out as JSON Schema, except on the v1 API, which
// lacks those fields and gets the OpenAPI subset.
absl::StatusOr<openai::ConversionOptions> MakeConversionOptions(const Config& config,
                                                                absl::string_view upstream_version);

// How the converted APIs fetch image and document URLs: public addresses
// only (unless MEDIA_FETCH_ALLOW_PRIVATE); each download within the
// request's TIME_OUT (MediaFetcher::Fetch).
MediaFetcher::Options MediaFetchOptions(const Config& config);

}  // namespace gempool::gateway
