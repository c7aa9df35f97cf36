#pragma once
// The .env reader (ParseDotEnv, gempool/common/environment.h) driven by
// arbitrary bytes as a whole file. Must never crash, and:
//  - the file reads as its lines read one by one (the first bad line is the
//    one the error names, by file and line), every name is a valid
//    variable name;
//  - a refusal never shows the text after a line's '=';
//  - every value read, written back as NAME="..." (escaped), or unquoted or
//    in single quotes where it can be, reads back equal.
// The libFuzzer target and the replay test in gempool_common_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool {

void FuzzDotEnv(const uint8_t* data, size_t size);

}  // namespace gempool
