#pragma once
// The anthropic-beta header: comma-separated opt-ins into features of
// Anthropic's API. gempool accepts every value (a client must never fail
// because it asked for a beta), and names the ones it does not honour so
// the client's x-gempool-warnings header says what was ignored. Pure
// functions; thread-safe.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::anthropic {

// Whether gempool serves `beta` (its feature works through Gemini, or the
// beta only lifts a limit Gemini does not have): interleaved thinking,
// effort, 128k output, 1M context, fine-grained tool streaming (every tool
// call is streamed whole), token-efficient tools, structured outputs, prompt
// caching and its TTL (Gemini caches implicitly), and Claude Code's own
// marker.
bool IsServedBeta(absl::string_view beta);

// The warnings for an anthropic-beta header value: one per beta gempool
// does not serve, in order, duplicates once; none for an empty header.
std::vector<std::string> UnservedBetaWarnings(absl::string_view header);

}  // namespace gempool::anthropic
