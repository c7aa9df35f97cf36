#pragma once
// The Config a map of settings (name → value, as the environment would hold
// them) loads to, for the settings tests.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"

namespace gempool::testing {

inline absl::StatusOr<Config> LoadFromMap(std::map<std::string, std::string> values) {
  return LoadConfig(Environment::FromMap(values));
}

// The same when it must load; a failure to load fails the test.
inline Config LoadOkFromMap(std::map<std::string, std::string> values) {
  absl::StatusOr<Config> loaded = LoadFromMap(std::move(values));
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *std::move(loaded) : Config();
}

}  // namespace gempool::testing
