#pragma once
// Files and directories the integration tests make and read: one home for
// what every stack (loopback, network namespaces, nginx) needs.

#include <string>

namespace gempool::testing {

// The whole file at `path`; empty when it cannot be read.
std::string ReadWholeFile(const std::string& path);

// A new directory under the system's temp directory named `prefix` plus a
// random suffix; empty when it cannot be made. The caller removes it.
std::string MakeTempDir(const std::string& prefix);

// Whether a TCP connection to `ipv4_address`:`port` is accepted now.
bool AcceptsTcp(const std::string& ipv4_address, int port);

}  // namespace gempool::testing
