#pragma once
// libs/gemini's UsageScanner driven by arbitrary bytes: the input is an
// answer body, fed once whole and once cut into pieces whose sizes come from
// the input itself. Must never crash, hang or throw, and both feeds must
// find the same last usageMetadata (where network reads cut a body must not
// change the usage recorded). The input read as a usageMetadata object
// itself must give the counts a parsed tree gives (ParseUsageMetadata reads
// SAX events, differential against nlohmann's tree). The libFuzzer target (usage_scanner_fuzzer.cc)
// and the replay test in gempool_gemini_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::gemini {

void FuzzUsageScanner(const uint8_t* data, size_t size);

}  // namespace gempool::gemini
