// libFuzzer entry point for libs/gemini's Files API reference reader
// (file_refs_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/file_refs_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::gemini::FuzzFileRefs(data, size);
  return 0;
}
