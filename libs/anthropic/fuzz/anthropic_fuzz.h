#pragma once
// Everything libs/anthropic reads from outside, driven by arbitrary bytes:
// the first byte picks the reader, the rest is its input.
//   0: a client's Messages body (ConvertMessagesRequest as /v1/messages and
//      as count_tokens, then CountTokensBody);
//   1: a Gemini SSE body, split as it would arrive, each event through
//      MessagesStreamConverter and ConvertMessagesResponse;
//   2: an ANTHROPIC_MODEL_MAP value, then a lookup of the rest's first
//      line;
//   3: a Gemini error body (ConvertGeminiErrorText) and an anthropic-beta
//      header value.
// The libFuzzer target (anthropic_fuzzer.cc) and the replay test in
// gempool_anthropic_test share it. Must never crash, hang or throw.

#include <cstddef>
#include <cstdint>

namespace gempool::anthropic {

void FuzzAnthropic(const uint8_t* data, size_t size);

}  // namespace gempool::anthropic
