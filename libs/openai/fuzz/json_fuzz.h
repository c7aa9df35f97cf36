#pragma once
// libs/openai's JSON reader and writer (json_reader.h, json_writer.h) checked
// against nlohmann::json, whose behaviour they promise to match, on arbitrary
// bytes. The libFuzzer target openai_json_fuzzer and the replay test in
// gempool_openai_test share it. Aborts unless:
// - ParseJson and nlohmann::json::parse accept the same inputs, with the same
//   value (same types, same bits of every double, same member order). The
//   one deliberate difference: ParseJson refuses nesting deeper than
//   kMaxJsonDepth, so an input nlohmann accepts may be refused only when its
//   value nests deeper than that (and the message says so). Duplicate keys
//   (the last wins), lone surrogates (refused), a NUL after the value (ends
//   the input) and a byte order mark (skipped) are the same on both sides;
// - every refusal is InvalidArgument with a message naming line and column;
// - WriteJson writes byte for byte what nlohmann's dump(-1, ' ', false,
//   replace) writes, for every accepted value, for the input bytes as one
//   string (invalid UTF-8 included) and as an object key, and for a double
//   made of the first 8 input bytes;
// - what WriteJson writes reads back equal (input valid UTF-8 or not: then
//   as nlohmann's replacement characters).

#include <cstddef>
#include <cstdint>

namespace gempool::openai {

void FuzzJson(const uint8_t* data, size_t size);

}  // namespace gempool::openai
