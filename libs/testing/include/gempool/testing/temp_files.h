#pragma once
// Files and directories the integration tests make and read: one home for
// what every stack (loopback, network namespaces, nginx) needs.

#include <cstddef>
#include <string>
#include <vector>

namespace gempool::testing {

// The whole file at `path`; empty when it cannot be read.
std::string ReadWholeFile(const std::string& path);

// A new directory under the system's temp directory named `prefix` plus a
// random suffix; empty when it cannot be made. The caller removes it.
std::string MakeTempDir(const std::string& prefix);

// The last `max_bytes_each` bytes of each file in `paths` (saying how much
// was cut), each under a "---- <path> ----" line: what a failed test prints
// of its services' logs.
std::string TailsOfFiles(const std::vector<std::string>& paths, size_t max_bytes_each);

// Whether a TCP connection to `ipv4_address`:`port` is accepted now.
bool AcceptsTcp(const std::string& ipv4_address, int port);

}  // namespace gempool::testing
