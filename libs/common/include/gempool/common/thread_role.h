#pragma once
// Names the calling thread, so that `top -H`, perf, gdb and
// /proc/PID/task/*/comm tell the threads of a service apart (the kernel keeps
// 15 characters; longer names are cut). Linux only; elsewhere nothing.

#include "absl/strings/string_view.h"

namespace gempool {

void SetThreadName(absl::string_view name);

}  // namespace gempool
