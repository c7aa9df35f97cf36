#pragma once
// Runs a parsed gempoolctl invocation against the services: KeyAdmin calls
// on the key broker, gRPC health checks, and the gemini-balance import
// (import_command.h), printing text or JSON and returning the exit code (see
// cli.h). Not thread-safe (one per process).

#include <functional>
#include <iosfwd>
#include <string>

#include "absl/status/statusor.h"
#include "cli.h"
#include "gempool/config/config.h"

namespace gempool::ctl {

// Where the services are and the admin token, after flags and configuration.
struct Targets {
  std::string keybroker_addr;
  std::string persistence_addr;
  // host:port of a gateway (health --service gateway).
  std::string gateway_addr;
  std::string token;
};

// Flags first; the configuration (`load_config`) only when a flag is missing,
// so `health --service S --addr A` and `--addr A --token T` read none.
absl::StatusOr<Targets> ResolveTargets(const Invocation& invocation,
                                       const std::function<absl::StatusOr<Config>()>& load_config);

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  // Whether standard input is a terminal (keys add then says it is reading).
  bool in_is_terminal = false;
};

// Runs `invocation` (not kHelp) and returns the exit code.
int Run(const Invocation& invocation, const Targets& targets, Io io);

}  // namespace gempool::ctl
