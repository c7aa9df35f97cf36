// libFuzzer entry point for libs/anthropic's readers (anthropic_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "anthropic_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::anthropic::FuzzAnthropic(data, size);
  return 0;
}
