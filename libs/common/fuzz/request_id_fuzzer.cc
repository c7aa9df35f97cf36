// libFuzzer entry point for the request id rule and the JSON log line
// (request_id_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "fuzz/request_id_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::FuzzRequestIdAndLogLine(data, size);
  return 0;
}
