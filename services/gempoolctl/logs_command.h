#pragma once
// gempoolctl logs: a page of the request log or the error log, e.g. the rows
// of one request id, or one row by its id (--id: an error row with its whole
// request body, which a page carries only the first bytes of), read through
// the key broker's KeyAdmin relays (QueryRequestLogs, QueryErrorLogs) and
// printed as text (times in TIMEZONE) or JSON (Unix milliseconds). Not
// thread-safe (one per command).

#include <iosfwd>

#include "cli.h"
#include "commands.h"

namespace gempool::ctl {

// Runs `inv` (Command::kLogs); returns the exit code (cli.h).
int RunLogs(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err);

}  // namespace gempool::ctl
