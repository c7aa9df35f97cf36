#pragma once
// The Gemini dialect of fake streaming (upstream/fake_stream.h) for native
// :streamGenerateContent: the whole :generateContent answer is sent as the
// stream's only chunk.
//   - alt=sse: heartbeats are SSE comments (": heartbeat"), which
//     @google/genai skips (it reads only "data:" events); the answer is one
//     "data: {json}" event; an error after the first heartbeat is a final
//     "data: {"error":...}" event, which the SDKs raise as an ApiError.
//   - without alt (a JSON array): heartbeats are newlines, whitespace before
//     the array's "[" that every JSON parser skips; the answer is
//     "[<response>]", an error after the first heartbeat "[{"error":...}]".
// Before the first heartbeat, errors are the HTTP answer with their status.

#include <memory>

#include "upstream/fake_stream.h"

namespace gempool::gateway {

std::shared_ptr<FakeStreamDialect> MakeNativeFakeStreamDialect(bool sse);

}  // namespace gempool::gateway
