#pragma once
// cpp-httplib's transport errors in words an operator can act on, for the
// gateway's upstream calls and the key broker's key probes alike. Stateless;
// thread-safe.

#include <httplib.h>

#include <string>

namespace gempool::gemini {

// E.g. "could not connect (refused, unreachable or DNS failure)".
std::string DescribeHttplibError(httplib::Error error);

}  // namespace gempool::gemini
