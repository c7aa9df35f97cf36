// gempoolctl: a command line over the key broker's KeyAdmin service and the
// services' health checks, for scripts. See `gempoolctl --help`.

#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "gempool/config/config.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<gempool::ctl::Invocation> invocation = gempool::ctl::ParseArgs(args);
  if (!invocation.ok()) {
    std::cerr << "gempoolctl: " << invocation.status().message() << "\n";
    return gempool::ctl::kExitUsage;
  }
  if (invocation->command == gempool::ctl::Command::kHelp) {
    (invocation->help_requested ? std::cout : std::cerr) << invocation->help;
    return invocation->help_requested ? gempool::ctl::kExitOk : gempool::ctl::kExitUsage;
  }
  absl::StatusOr<gempool::ctl::Targets> targets =
      gempool::ctl::ResolveTargets(*invocation, [] { return gempool::LoadProcessConfig(); });
  if (!targets.ok()) {
    std::cerr << "gempoolctl: " << targets.status().message() << "\n";
    return gempool::ctl::kExitUsage;
  }
  return gempool::ctl::Run(*invocation, *targets,
                           {std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1});
}
