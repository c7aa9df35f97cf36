#pragma once
// The command line of a gempool service (gempool-gateway, -keybroker,
// -persistence). A service takes its settings from the environment and .env
// (GEMPOOL_ENV_FILE), never from arguments, so the only arguments it knows
// are --help and --version; anything else is refused, rather than ignored
// while the service starts as if it had not been given.

#include <optional>
#include <ostream>

namespace gempool {

struct ServiceDescription {
  const char* name;     // "gempool-gateway".
  const char* summary;  // What it does, one or more lines.
  const char* settings; // The settings that matter most to it, one per line.
};

// nullopt to run the service; otherwise the exit code to end with at once:
// 0 after printing the help (--help, -h) or the version (--version) on
// `out`, 2 after saying on `err` what was not understood.
std::optional<int> HandleServiceArguments(int argc, const char* const* argv, const ServiceDescription& service,
                                          std::ostream& out, std::ostream& err);

// "0.1.0": the project's version (CMake's project(VERSION)).
const char* GempoolVersion();

}  // namespace gempool
