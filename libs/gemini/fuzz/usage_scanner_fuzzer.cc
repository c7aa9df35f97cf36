// libFuzzer entry point for libs/gemini's usageMetadata scanner
// (usage_scanner_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/usage_scanner_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::gemini::FuzzUsageScanner(data, size);
  return 0;
}
