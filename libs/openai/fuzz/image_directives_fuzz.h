#pragma once
// libs/openai's Imagen prompt directive reader (image_directives.h) driven by
// arbitrary bytes as the prompt. The libFuzzer target
// (image_directives_fuzzer.cc) and the replay test in gempool_openai_test
// share it. Must never crash, hang or throw; a success must carry a count of
// 1 to 4, an aspect ratio Imagen offers, and a prompt no longer than the input.

#include <cstddef>
#include <cstdint>

namespace gempool::openai {

void FuzzImageDirectives(const uint8_t* data, size_t size);

}  // namespace gempool::openai
