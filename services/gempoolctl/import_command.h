#pragma once
// `gempoolctl import gemini-balance`: reads the gemini-balance database named
// by the invocation, plans the import (gemini_balance_import.h) against what
// persistence holds, adds the keys through the key broker's KeyAdmin.AddKeys,
// stores the settings with Persistence.PutSettings, and prints the report
// (text or JSON). With --dry-run it only reads and reports. Not thread-safe
// (one per process).

#include "commands.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"

namespace gempool::ctl {

// Runs the import; `env` is the environment and .env this process sees (the
// settings are compared with it and stored against it), `clock` stamps the
// stored settings. Returns the exit code (cli.h).
int RunImport(const Invocation& invocation, const Targets& targets, const Environment& env, const Clock& clock,
              Io io);

}  // namespace gempool::ctl
