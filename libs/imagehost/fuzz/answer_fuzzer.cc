// libFuzzer entry point for libs/imagehost's readers (answer_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/answer_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::imagehost::FuzzImageHostAnswers(data, size);
  return 0;
}
