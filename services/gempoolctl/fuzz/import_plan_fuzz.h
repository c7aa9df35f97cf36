#pragma once
// The gemini-balance importer's decisions (gemini_balance_import.h) driven by
// arbitrary bytes. Of the first 16 input lines, those up to a line "----" are t_settings rows
// ("NAME=value", or "NAME" alone for SQL NULL); lines after it are gempool's
// environment ("NAME=value"). Must never crash, and:
//  - every row lands in exactly one place (keys, settings, unchanged, not
//    imported with a reason, the .env lines) and a refused one says why
//    without showing a secret's value;
//  - keys are storable, each once; refused keys are shown masked;
//  - each setting to store loads in gempool, and once stored (as the admin
//    page stores it) a second import changes nothing;
//  - each .env line, written as NAME=value, reads back equal.
// The libFuzzer target and the replay test in gempoolctl_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::ctl {

void FuzzImportPlan(const uint8_t* data, size_t size);

}  // namespace gempool::ctl
