#pragma once
// Where a Vertex AI Express call goes: VERTEX_EXPRESS_BASE_URL as it is (its
// version and publisher path are part of it, e.g.
// https://aiplatform.googleapis.com/v1beta1/publishers/google), then
// /models/{model}:{method}, then the client's query without `key` (the pool
// key goes in the x-goog-api-key header, never in the URL). A streamed call
// always asks for server-sent events (alt=sse), as gemini-balance's
// /vertex-express/ stream answers. Stateless.

#include "absl/strings/string_view.h"
#include "gempool/gemini/route.h"
#include "gempool/gemini/upstream_url.h"

namespace gempool::gateway {

// `route` is a generateContent or streamGenerateContent call.
gemini::UpstreamTarget VertexTarget(const gemini::BaseUrl& base, const gemini::Route& route,
                                    absl::string_view client_raw_query);

}  // namespace gempool::gateway
