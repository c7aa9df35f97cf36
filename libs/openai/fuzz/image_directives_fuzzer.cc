// libFuzzer entry point for libs/openai's Imagen prompt directive reader
// (image_directives_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/image_directives_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::openai::FuzzImageDirectives(data, size);
  return 0;
}
