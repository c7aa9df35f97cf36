#pragma once
// What the fault tests measure, printed as "MEASURED <test>: <what> = <value><unit>"
// lines (docs/reliability.md takes its numbers from them) and recorded as
// test properties (in the XML report).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

namespace gempool::integration {

inline int64_t MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

inline void Measured(const std::string& test, const std::string& what, int64_t value, const std::string& unit = "") {
  std::cout << "MEASURED " << test << ": " << what << " = " << value << unit << std::endl;
  ::testing::Test::RecordProperty(what, std::to_string(value));
}

}  // namespace gempool::integration
