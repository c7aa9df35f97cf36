// libFuzzer entry point (cmake -DGEMPOOL_BUILD_FUZZERS=ON with clang):
//   build-fuzz/services/gateway/request_head_fuzzer -max_total_time=60
#include "fuzz/request_head_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gempool::gateway::FuzzRequestHead(data, size);
  return 0;
}
