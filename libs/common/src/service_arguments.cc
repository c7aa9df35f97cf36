#include "gempool/common/service_arguments.h"

#include <string>

#ifndef GEMPOOL_VERSION
#error "GEMPOOL_VERSION must be defined (libs/common/CMakeLists.txt sets it from project(VERSION))"
#endif

namespace gempool {

const char* GempoolVersion() { return GEMPOOL_VERSION; }

std::optional<int> HandleServiceArguments(int argc, const char* const* argv, const ServiceDescription& service,
                                          std::ostream& out, std::ostream& err) {
  if (argc <= 1) return std::nullopt;
  const std::string arg = argv[1];
  if (argc == 2 && (arg == "--help" || arg == "-h")) {
    out << "Usage: " << service.name << " [--help | --version]\n\n"
        << service.summary << "\n\n"
        << "Settings come from the environment and from the .env file (GEMPOOL_ENV_FILE, default ./.env;\n"
        << "the environment wins), never from arguments. The ones that matter most here:\n"
        << service.settings << "\n\n"
        << "Every setting: .env.example and docs/deploy.md (section 2). Stops gracefully on SIGTERM or\n"
        << "SIGINT (SHUTDOWN_GRACE_SECONDS); exit codes: 0 stopped, 1 could not listen, 2 bad setting.\n";
    return 0;
  }
  if (argc == 2 && arg == "--version") {
    out << service.name << " " << GempoolVersion() << "\n";
    return 0;
  }
  // The first argument that is not understood: a known flag followed by more
  // arguments is refused for the extra one.
  const bool known = arg == "--help" || arg == "-h" || arg == "--version";
  const std::string unknown = known ? argv[2] : arg;
  err << service.name << ": unknown argument '" << unknown << "' (settings come from the environment and .env, "
      << "not from arguments; see " << service.name << " --help)\n";
  return 2;
}

}  // namespace gempool
