#pragma once
// The request-head path of a connection without the socket: delimit the head
// (FindRequestHeadEnd), screen it (CheckRequestHead), and hand what passes to
// Beast's request parser, head then body, as the connection does. The
// libFuzzer target (request_head_fuzzer.cc) and its replay test in the
// ordinary test run share it. Must never crash, hang or read out of bounds,
// whatever the bytes.

#include <cstddef>
#include <cstdint>

namespace gempool::gateway {

void FuzzRequestHead(const uint8_t* data, size_t size);

}  // namespace gempool::gateway
