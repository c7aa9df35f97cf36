#pragma once
// gempoolctl usage: token usage per calendar day (in TIMEZONE) and the top
// keys, models or client tokens, read through the key broker's KeyAdmin
// QueryUsage relay (persistence's hourly usage table, kept past log
// retention), printed as a table or JSON with the admin API's field names.
// Not thread-safe (one per command).

#include <iosfwd>

#include "cli.h"
#include "commands.h"

namespace gempool::ctl {

// Runs `inv` (Command::kUsage); returns the exit code (cli.h).
int RunUsage(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err);

}  // namespace gempool::ctl
