#pragma once
// The request id rule (request_id.h) and the JSON log line (log_format.h)
// driven by arbitrary bytes: the input is a client's x-request-id and a log
// message. The libFuzzer target (request_id_fuzzer.cc) and the replay test
// in gempool_common_test share it. Must never crash; the id chosen must be
// sane (and the client's own when that was sane), and the JSON line must be
// one line of printable ASCII or valid UTF-8 ending in "}\n".

#include <cstddef>
#include <cstdint>

namespace gempool {

void FuzzRequestIdAndLogLine(const uint8_t* data, size_t size);

}  // namespace gempool
