#pragma once
// Settings parsing (LoadConfig, the value parsers of gempool/config/parse.h,
// and the admin page's saved settings of ui_settings.h) driven by arbitrary
// bytes. Each input line "NAME=value" sets one variable (split at the first
// '=', no quoting: the values are what LoadConfig sees). Must never crash,
// and:
//  - LoadConfig accepts, with every value in its documented range (no NaN,
//    ports in 1..65535, ...), or refuses with kInvalidArgument naming a
//    setting of the input, never showing the value of a secret one;
//  - each value parser accepts within its bounds or refuses naming the
//    variable;
//  - a value saved in the admin page (MakeUiMeta) reads back equal through
//    ApplyUiSettings, and yields to an environment that changed since;
//    any settings table (the input's lines as one) applies without crashing.
// The libFuzzer target and the replay test in gempool_config_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::config {

void FuzzSettings(const uint8_t* data, size_t size);

}  // namespace gempool::config
