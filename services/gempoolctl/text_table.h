#pragma once
// The tables gempoolctl prints in its text output: columns padded to their
// widest cell, two spaces apart.

#include <ostream>
#include <string>
#include <vector>

namespace gempool::ctl {

enum class TableAlign {
  kLeft,          // Every column left-aligned; no trailing spaces.
  kNumbersRight,  // The first column left-aligned, the others (numbers) right-aligned.
};

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                TableAlign align = TableAlign::kLeft);

}  // namespace gempool::ctl
