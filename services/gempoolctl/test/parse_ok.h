#pragma once
// The command line a test means to be valid, parsed (a failure is reported at
// the caller's line and an empty Invocation returned).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli.h"

namespace gempool::ctl::testing {

inline Invocation ParseOk(std::vector<std::string> args) {
  absl::StatusOr<Invocation> inv = ParseArgs(args);
  EXPECT_TRUE(inv.ok()) << inv.status();
  return inv.ok() ? *inv : Invocation();
}

}  // namespace gempool::ctl::testing
