#pragma once
// libs/responses' converters (the OpenAI Responses API ⇄ Gemini) driven by
// arbitrary bytes. The first byte picks what is read (its low 2 bits: a
// Responses request, a Gemini answer, a Gemini SSE stream, a stored
// response) and the context (its high bits: a previous response,
// reasoning summary, encrypted reasoning, search links, store); the rest is
// the JSON text (for the stream, an SSE body cut into pieces whose sizes
// come from the input). The libFuzzer target responses_fuzzer and the replay
// test in gempool_responses_test share it. Aborts unless:
// - a request converts to a well-formed Gemini request (fuzz_check.h) or is
//   refused with InvalidArgument (NotFound for `model` or
//   `previous_response_id`) and a message;
// - a converted answer is a Response (object "response", status completed
//   or incomplete, items with ids) and a conversation stored with it can be
//   continued: a next turn naming it in previous_response_id (and answering
//   its function calls) converts;
// - a stream's events are in order (sequence numbers 0, 1, 2 ...;
//   response.created and response.in_progress first; one item open at a
//   time at consecutive output indexes; one closing event, last), the output
//   a client accumulates from the deltas is the closing Response's output,
//   and an in-stream error ends it with response.failed;
// - everything built is valid JSON (its text reads back as the same value).
// Never crashes, hangs or throws.

#include <cstddef>
#include <cstdint>

namespace gempool::responses {

void FuzzResponses(const uint8_t* data, size_t size);

}  // namespace gempool::responses
