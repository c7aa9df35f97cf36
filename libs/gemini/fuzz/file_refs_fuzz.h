#pragma once
// libs/gemini's Files API reference reader driven by arbitrary bytes: the
// input is a request body for ReferencedFileNames, and its first line a URI
// for FileNameFromUri. The libFuzzer target (file_refs_fuzzer.cc) and the
// replay test in gempool_gemini_test share it. Must never crash, hang or
// throw, and every name it returns must be a well-formed "files/<id>".

#include <cstddef>
#include <cstdint>

namespace gempool::gemini {

void FuzzFileRefs(const uint8_t* data, size_t size);

}  // namespace gempool::gemini
