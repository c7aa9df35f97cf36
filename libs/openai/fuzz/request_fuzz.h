#pragma once
// libs/openai's request converters (OpenAI body → Gemini request) driven by
// arbitrary bytes. The first byte picks the converter (its low 3 bits: chat
// completions, embeddings, images, speech, the image chat model, a tool's
// parameters schema, a response_format schema) and the conversion options
// (its high bits: schema dialect, remote media allowed, missing thought
// signatures filled, code execution, URL context); the rest is the request
// body as JSON text. The libFuzzer target openai_request_fuzzer and the
// replay test in gempool_openai_test share it. Aborts unless every body
// either converts or is refused with InvalidArgument (NotFound for the
// `model` field) and a message, and:
// - a chat request is well formed for Gemini: `contents` a non-empty array
//   of {role: user|model, parts: [non-empty objects]}, systemInstruction
//   likewise, and it stays so once every remote image is inlined;
// - everything built (the Gemini body, countTokens body, error body) is
//   valid JSON: its text reads back as the same value.
// Never crashes, hangs or throws.

#include <cstddef>
#include <cstdint>

namespace gempool::openai {

void FuzzRequest(const uint8_t* data, size_t size);

}  // namespace gempool::openai
