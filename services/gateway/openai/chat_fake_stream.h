#pragma once
// The OpenAI chat dialect of fake streaming (upstream/fake_stream.h):
// heartbeats are SSE comments (": heartbeat"), which the openai SDKs skip
// without yielding a chunk; the whole Gemini answer is converted like one
// stream event (openai::ChatStreamConverter, exactly as a real stream's
// events) and sent as chat.completion.chunk events, the closing chunks and
// "data: [DONE]". Errors in OpenAI's shape: the HTTP answer before the first
// heartbeat, a final "data: {"error":...}" event after it. With `uploader`
// (UPLOAD_PROVIDER in `hosting`), the answer's inline images are uploaded
// first and their links sent in their place; a warning goes in
// x-gempool-warnings, or as an SSE comment once heartbeats have gone out.

#include <memory>

#include "gempool/openai/response_converter.h"
#include "imagehost/image_uploader.h"
#include "upstream/fake_stream.h"

namespace gempool::gateway {

std::shared_ptr<FakeStreamDialect> MakeChatFakeStreamDialect(openai::ResponseContext context, bool include_usage,
                                                             ImageUploader* uploader = nullptr,
                                                             ImageHosting hosting = {});

}  // namespace gempool::gateway
