#pragma once
// The environment docker compose hands each gempool service, read from a
// compose file, so tests can run the compose topology as local processes
// with the same settings. Only what gempool's compose files use is
// understood: a top-level `x-...: &anchor` block with `env_file: .env`,
// services that merge it (`<<: *anchor`) or name `env_file: .env`
// themselves, and flat `environment:` maps (`NAME: value`, quoted or not).
// Anything else in a service block is ignored; an `environment:` entry that
// is not `NAME: value` is an error, so a change of style in the compose file
// fails the test instead of silently testing something else.
//
// Compose semantics mirrored: the service's environment starts from .env
// (env_file) and its `environment:` entries override it, an empty string
// included (an empty value is set, and gempool treats it as unset).
//
// Pure functions; thread-safe.

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace gempool::integration {

struct ComposeService {
  // Whether the service reads .env (env_file, directly or through an anchor).
  bool env_file = false;
  // Its `environment:` entries, as written (quotes removed).
  std::map<std::string, std::string> environment;
};

// The services of the compose file at `path`, by name.
absl::StatusOr<std::map<std::string, ComposeService>> ReadComposeServices(const std::string& path);

// What `service` sees: `dotenv` (if it reads .env) overlaid by its
// `environment:` entries.
std::map<std::string, std::string> ComposeEnvironment(const ComposeService& service,
                                                      const std::map<std::string, std::string>& dotenv);

}  // namespace gempool::integration
