#pragma once
// libs/openai's Gemini → OpenAI converters driven by arbitrary bytes. The
// first byte picks the converter (its low 3 bits: chat answer, chat stream,
// upstream error, model list, embeddings, images, speech) and options (its
// high bits: include_usage, search links, link language, the HTTP status of
// an error); the rest is Gemini's answer: JSON text, or for the stream an
// SSE body cut into pieces whose sizes come from the input. The libFuzzer
// target openai_answer_fuzzer and the replay test in gempool_openai_test
// share it. Aborts unless:
// - everything built is valid JSON (its text reads back as the same value);
// - a chat answer has object "chat.completion" and at least one choice;
//   refusals of non-answers are Internal, in-stream errors carry a status;
// - a stream emits only chat.completion.chunk objects, all with one
//   non-empty id, nothing for a choice after its finish chunk, tool call
//   indexes 0, 1, 2 ... per choice; Finish() closes every choice that was
//   opened (and adds the usage chunk when asked), after which OnEvent
//   refuses with FailedPrecondition and Finish() gives nothing;
// - an upstream error becomes an HTTP 4xx/5xx OpenAI error whose message is
//   not empty and never holds the key it was given to redact.
// Never crashes, hangs or throws.

#include <cstddef>
#include <cstdint>

namespace gempool::openai {

void FuzzAnswer(const uint8_t* data, size_t size);

}  // namespace gempool::openai
