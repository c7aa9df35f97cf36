#pragma once
// libs/gemini's SseSplitter driven by arbitrary bytes. The first byte picks
// the event size limit (1..128 bytes, or the default); the rest is the body.
// The body is split three ways: fed whole, fed in pieces whose sizes (1 to
// 32 bytes, empty reads among them) come from the body itself, and by a
// plain reference reading of the SSE rules over the whole text (lines end
// in LF, CRLF or CR; a blank line ends an event; data lines joined with
// "\n"; the rest ignored).
// Aborts unless all three give the same events in the same order (none
// invented, none lost, none cut differently), and they agree on refusing a
// body whose event data plus the line being read outgrows the limit: then
// neither splitter delivers an event the reference does not have before the
// refusal, and both stay failed. The libFuzzer target gemini_sse_fuzzer and
// the replay test in gempool_gemini_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::gemini {

void FuzzSseSplitter(const uint8_t* data, size_t size);

}  // namespace gempool::gemini
