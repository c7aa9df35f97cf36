#pragma once
// gempoolctl tokens add|list|disable|enable|delete: managed client tokens
// through the key broker's KeyAdmin calls, printed as text or JSON with the
// admin API's field names. `add` prints the secret, the only time it is
// shown. Not thread-safe (one per command).

#include <iosfwd>

#include "cli.h"
#include "commands.h"

namespace gempool::ctl {

// Runs `inv` (one of the kTokens* commands); returns the exit code (cli.h).
int RunTokens(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err);

}  // namespace gempool::ctl
